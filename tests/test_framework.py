"""The framework: honest content checked against the report, editing in /admin/framework with
versions and retiring, `flask framework load|export`, and the starter codeframe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select, text

from portal import audit
from portal.extensions import db
from portal.framework import DEFAULT_PATH, EXAMPLE, load_framework
from portal.framework_admin import service as framework_service
from portal.framework_admin.models import FrameworkVersion
from portal.models import AuditEntry, Code, Commitment, Feedback, Role, Theme
from portal.public.service import NewFeedback, submit_feedback

from .conftest import csrf_for, hidden_fields, submit

REPORT = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "reference"
    / "transport-committee-2022-03-10.txt"
)
FRAMEWORK = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
EXAMPLE_LABEL = "Example commitment — not part of the published framework"


def _plain(value: str) -> str:
    """The report's text without its bold markers, whitespace collapsed."""
    return " ".join(value.replace("**", "").split())


def report_sections() -> dict[str, str]:
    """Return each numbered section of the report ("4.6", "9") and its text."""
    sections: dict[str, str] = {}
    current = None
    for line in REPORT.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*(?:-\s*)?(\d{1,2})\.(\d{1,2})?\.?\s", line)
        if match and (match.group(2) or line.strip()[len(match.group(0).strip()) :].isupper()):
            current = f"{match.group(1)}.{match.group(2)}" if match.group(2) else match.group(1)
            sections[current] = ""
            if match.group(2):  # a top-level heading's own text is not part of a subsection
                sections.setdefault(match.group(1), "")
        if current:
            sections[current] += line + "\n"
            top = current.split(".")[0]
            if top != current:
                sections[top] = sections.get(top, "") + line + "\n"
    return {key: _plain(value) for key, value in sections.items()}


SECTIONS = report_sections()


def _cited(source: str) -> list[str]:
    return [part.strip().lstrip("§") for part in source.split(",")]


def _authority_entries():
    for kind in ("roles", "themes", "commitments", "codes"):
        for entry in FRAMEWORK.get(kind) or []:
            if entry["source"] != EXAMPLE:
                yield kind, entry


def test_the_report_copy_has_the_sections_the_framework_relies_on():
    for section in ("4.2", "4.3", "4.4", "4.5", "4.6", "5.1", "6.3", "8.2", "9", "9.2"):
        assert SECTIONS.get(section), section
    assert "10.1" not in SECTIONS  # section 10 has no numbered paragraphs


def test_every_authority_entry_cites_sections_that_exist_in_the_report():
    entries = list(_authority_entries())
    assert len(entries) >= 5 + 3 + 6 + 5
    for kind, entry in entries:
        for section in _cited(entry["source"]):
            assert section in SECTIONS, f"{kind} {entry.get('slug', entry.get('name'))}: §{section}"


def test_authority_wording_is_the_reports_own_words():
    vision = FRAMEWORK["vision"]
    assert _plain(vision["text"]) in SECTIONS[vision["source"].lstrip("§")]
    for role in FRAMEWORK["roles"]:
        # Described in §4.4's words, listed among the roles of §6.3.
        assert _plain(role["description"]) in SECTIONS["4.4"], role["slug"]
        assert role["name"].lower() in SECTIONS["6.3"].lower(), role["slug"]
    for theme in FRAMEWORK["themes"]:
        assert theme["name"] in SECTIONS["4.2"]


def test_the_six_day_one_commitments_of_4_6_match_the_report_word_for_word():
    section = REPORT.read_text(encoding="utf-8").split("4.6 ", 1)[1].split("4.7 ", 1)[0]
    bullets = [
        _plain(line.strip()[2:]) for line in section.splitlines() if line.strip()[:2] == "- "
    ]
    assert len(bullets) == 6
    texts = [_plain(c["text"]) for c in FRAMEWORK["commitments"] if c["source"] == "§4.6"]
    assert sorted(texts) == sorted(bullets)
    assert any("ways or making" in t for t in texts)  # the report's own wording, kept
    for commitment in FRAMEWORK["commitments"]:
        if commitment["source"] == "§4.6":
            assert commitment["horizon"] == "day-one" and commitment["transport"] is True


def test_examples_have_no_section_and_no_team_and_say_they_are_examples():
    examples = [c for c in FRAMEWORK["commitments"] if c["source"] == EXAMPLE]
    assert examples
    for commitment in FRAMEWORK["commitments"]:
        assert "responsible_team" not in commitment  # the report names no team
        if commitment["source"] == EXAMPLE:
            assert "§" not in commitment["text"] + commitment["title"]
            assert commitment["text"].startswith("Example: ")


def test_the_starter_codeframe_cites_the_sections_the_issue_names():
    codes = {c["name"]: c["source"] for c in FRAMEWORK["codes"]}
    assert codes == {
        "Unintended consequences": "§4.3, §9.2",
        "Cost and value for money": "§8.2",
        "Equality impact": "§9",
        "Workforce diversity": "§4.4",
        "Procurement weighting": "§4.6",
    }


# ---------------------------------------------------------------------------------------------
# Public pages say what is the authority's and what is an example


def test_home_page_states_what_the_report_states(client):
    html = " ".join(client.get("/").get_data(as_text=True).split())
    assert "13 commitments" not in html
    assert "launch on 1 April 2022" not in html
    assert "the target date for a formal launch of the Social Value Framework” as 1st April" in html
    assert "from the framework's launch date (1st April 2022)”" in html
    assert "This site shows 6 commitments of the published framework" in html
    assert f"and 7 examples marked “{EXAMPLE_LABEL}”" in html


def test_example_commitment_pages_say_so_and_cite_nothing(client):
    html = client.get("/commitments/fair-employment-charter").get_data(as_text=True)
    assert EXAMPLE_LABEL in html
    assert "§" not in html
    assert "Responsible team" not in html
    published = client.get("/commitments/foodbank-collection-points").get_data(as_text=True)
    assert EXAMPLE_LABEL not in published
    assert "10 March 2022, §4.6" in published
    assert "Responsible team" not in published


def test_framework_page_marks_every_example_and_only_examples(client):
    html = client.get("/framework").get_data(as_text=True)
    examples = sum(1 for c in FRAMEWORK["commitments"] if c["source"] == EXAMPLE)
    intro, results = html.split('id="results"', 1)
    assert "10 March 2022, §4.2" in intro
    assert results.count(EXAMPLE_LABEL) == examples
    assert "(report §6.3, §4.4)" in html
    feedback = client.get("/feedback").get_data(as_text=True)
    assert "Encouraging fair employment (example)</option>" in feedback
    assert "Safe Spaces at staffed stations and travel centres</option>" in feedback


# ---------------------------------------------------------------------------------------------
# `flask framework load` and `export`


@pytest.fixture
def restore_framework(app):
    """Put the shipped framework back after a test that committed changes to it."""
    yield
    with app.app_context():
        db.session.rollback()
        file_slugs = {
            kind: [e["slug"] for e in FRAMEWORK[kind]]
            for kind in ("roles", "themes", "commitments")
        }
        for model, kind in ((Commitment, "commitments"), (Role, "roles"), (Theme, "themes")):
            for row in db.session.scalars(select(model).where(model.slug.not_in(file_slugs[kind]))):
                db.session.execute(
                    text(
                        "DELETE FROM framework_versions WHERE entity_type = :t AND entity_id = :i"
                    ),
                    {"t": model.__tablename__[:-1], "i": row.id},
                )
                if model is Commitment:
                    db.session.execute(
                        text("UPDATE feedback SET commitment_id = NULL WHERE commitment_id = :i"),
                        {"i": row.id},
                    )
                db.session.delete(row)
        db.session.flush()
        load_framework()
        db.session.commit()


def _changed_file(tmp_path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["commitments"][3]["text"] = "Increase the number of foodbank collection points."
    data["commitments"].append(
        {
            "slug": "appendix-one-commitment",
            "title": "A commitment from Appendix 1",
            "text": "Words from the authority's full framework.",
            "horizon": "future-aspiration",
            "transport": False,
            "roles": ["employer"],
            "themes": ["fairer"],
            "source": "§4.5",
        }
    )
    retired = next(
        i for i, c in enumerate(data["commitments"]) if c["slug"] == "anchor-institutions"
    )
    data["commitments"].pop(retired)
    path = tmp_path / "appendix-1.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _state(app) -> dict[str, tuple]:
    with app.app_context():
        return {c.slug: (c.title, c.text, c.active) for c in db.session.scalars(select(Commitment))}


def test_load_dry_run_lists_changes_and_changes_nothing(app, tmp_path, restore_framework):
    with app.app_context():
        load_framework()
        db.session.commit()
    before = _state(app)
    versions_before = _count(app, FrameworkVersion)
    result = app.test_cli_runner().invoke(
        args=["framework", "load", str(_changed_file(tmp_path)), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "add commitment appendix-one-commitment: A commitment from Appendix 1" in lines
    assert "change commitment foodbank-collection-points: text" in lines
    assert "retire commitment anchor-institutions: Working with anchor institutions" in lines
    assert lines[0].startswith("Dry run of ")
    unchanged = 5 + 3 + 11 + 5  # roles, themes, commitments, codes
    assert lines[-1] == f"1 added, 1 changed, 1 retired, {unchanged} unchanged"
    assert _state(app) == before
    assert _count(app, FrameworkVersion) == versions_before


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_load_applies_keeps_slugs_versions_and_retired_feedback(app, tmp_path, restore_framework):
    with app.app_context():
        load_framework()
        anchor = db.session.scalar(
            select(Commitment).where(Commitment.slug == "anchor-institutions")
        )
        item = submit_feedback(
            NewFeedback(
                body="Feedback about anchors", stakeholder_type="business", commitment_id=anchor.id
            )
        ).feedback
        item_id = item.id
        db.session.commit()
    path = _changed_file(tmp_path)
    result = app.test_cli_runner().invoke(args=["framework", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("1 added, 1 changed, 1 retired, ")
    with app.app_context():
        feedback = db.session.get(Feedback, item_id)
        assert feedback.commitment.slug == "anchor-institutions"
        assert feedback.commitment.active is False
        foodbank = db.session.scalar(
            select(Commitment).where(Commitment.slug == "foodbank-collection-points")
        )
        history = framework_service.versions(foodbank)
        assert history[0].data["text"] == "Increase the number of foodbank collection points."
        assert history[0].origin == "load"
        assert history[1].data["text"].endswith("at our travel centres and rail stations.")
        entries = audit.history("commitment", foodbank.id)
        assert entries and entries[-1].field == "version"
    again = app.test_cli_runner().invoke(args=["framework", "load", str(path)])
    assert again.output.strip().splitlines()[-1].startswith("0 added, 0 changed, 0 retired, ")


def test_load_without_a_path_loads_the_shipped_file(app, restore_framework):
    result = app.test_cli_runner().invoke(args=["framework", "load"])
    assert result.exit_code == 0, result.output
    again = app.test_cli_runner().invoke(args=["framework", "load"])
    assert again.output.strip() == "0 added, 0 changed, 0 retired, 26 unchanged"


def test_export_writes_the_same_format_load_reads(app, tmp_path, restore_framework):
    app.test_cli_runner().invoke(args=["framework", "load"])
    path = tmp_path / "export.yaml"
    result = app.test_cli_runner().invoke(args=["framework", "export", str(path)])
    assert result.exit_code == 0, result.output
    assert "13 commitments, 5 roles, 3 themes and 5 starter codes" in result.output
    exported = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert exported["vision"] == FRAMEWORK["vision"]
    assert [c["slug"] for c in exported["commitments"]] == [
        c["slug"] for c in FRAMEWORK["commitments"]
    ]
    assert {c["source"] for c in exported["commitments"]} == {"§4.6", "example"}
    check = app.test_cli_runner().invoke(args=["framework", "load", str(path), "--dry-run"])
    assert check.output.strip().splitlines()[-1] == "0 added, 0 changed, 0 retired, 26 unchanged"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("roles: [", "malformed YAML"),
        ("just text", "expected a mapping of roles, themes and commitments"),
        (None, "source 'Appendix' must be report sections"),
        (None, "an example has no responsible team"),
    ],
)
def test_load_refuses_a_bad_file_and_changes_nothing(app, tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    if content is None:
        data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
        if "Appendix" in message:
            data["commitments"][0]["source"] = "Appendix"
        else:
            data["commitments"][-1]["responsible_team"] = "Invented team"
        content = yaml.safe_dump(data, allow_unicode=True)
    path.write_text(content, encoding="utf-8")
    before = _state(app)
    result = app.test_cli_runner().invoke(args=["framework", "load", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert _state(app) == before


def test_load_of_a_missing_file_is_a_clear_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["framework", "load", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "cannot read the file" in result.output


def test_starter_codes_are_loaded_once_with_their_sections_and_members_keep_theirs(app_ctx):
    load_framework()
    codes = {c.name: c.source for c in db.session.scalars(select(Code))}
    assert codes["Equality impact"] == "§9"
    assert codes["Unintended consequences"] == "§4.3, §9.2"
    db.session.add(Code(name="Step-free access"))
    db.session.flush()
    report = load_framework()
    assert not report.any_change
    assert db.session.scalar(select(Code).where(Code.name == "Step-free access")) is not None
    admin_page_codes = db.session.scalar(select(func.count()).select_from(Code))
    assert admin_page_codes == 6


def test_codeframe_page_shows_the_section_of_starter_codes(staff_client, app):
    with app.app_context():
        load_framework()
        db.session.commit()
    html = staff_client("member").get("/admin/codes").get_data(as_text=True)
    assert "Equality impact" in html and "report §9" in html


# ---------------------------------------------------------------------------------------------
# /admin/framework


def _form(client, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    return hidden_fields(page.get_data(as_text=True))


COMMITMENT = {
    "title": "Accessible journeys for everyone",
    "text": "Make every journey accessible.",
    "roles": ["service-provider"],
    "themes": ["fairer"],
    "horizon": "future-aspiration",
    "transport": "y",
    "published": "example",
    "source": "",
    "responsible_team": "",
}


def _add(client, **changes):
    data = _form(client, "/admin/framework/commitments/new") | COMMITMENT | changes
    return client.post("/admin/framework/commitments/new", data=data)


def test_admin_adds_edits_and_retires_a_commitment(staff_client, app, restore_framework):
    admin = staff_client("admin")
    response = _add(admin)
    assert response.status_code == 303
    slug = "accessible-journeys-for-everyone"
    public = admin.get(f"/commitments/{slug}").get_data(as_text=True)
    assert "Make every journey accessible." in public and EXAMPLE_LABEL in public

    data = _form(admin, f"/admin/framework/commitments/{slug}") | COMMITMENT
    data |= {"title": "Accessible journeys", "text": "Make every journey step-free."}
    assert admin.post(f"/admin/framework/commitments/{slug}", data=data).status_code == 303
    public = admin.get(f"/commitments/{slug}").get_data(as_text=True)
    assert "Make every journey step-free." in public
    assert "Make every journey accessible." not in public
    history = admin.get(f"/admin/framework/commitments/{slug}/history").get_data(as_text=True)
    assert "Version 2 (current)" in history and "Make every journey accessible." in history
    with app.app_context():
        commitment = db.session.scalar(select(Commitment).where(Commitment.slug == slug))
        fields = {e.field for e in audit.history("commitment", commitment.id)}
        assert {"title", "text"} <= fields
        commitment_id = commitment.id
        reference = submit_feedback(
            NewFeedback(
                body="Lifts at my station",
                stakeholder_type="passenger",
                commitment_id=commitment_id,
            )
        ).feedback.reference
        db.session.commit()

    token = _form(admin, "/admin/framework")["csrf_token"]
    retire = admin.post(
        f"/admin/framework/commitments/{slug}/retire", data={"csrf_token": token, "retired": "yes"}
    )
    assert retire.status_code == 303
    assert admin.get(f"/commitments/{slug}").status_code == 404
    assert "Accessible journeys" not in admin.get("/feedback").get_data(as_text=True)
    assert "Accessible journeys" not in admin.get("/framework").get_data(as_text=True)
    inbox = admin.get(f"/triage?commitment={slug}").get_data(as_text=True)
    assert reference in inbox and "Accessible journeys (retired)" in inbox
    item = admin.get(f"/triage/{reference}").get_data(as_text=True)
    assert (
        "Accessible journeys (example commitment — not part of the published framework) (retired)"
        in item
    )
    posted = submit(admin, "/feedback", commitment=slug)
    assert posted.status_code == 422 and "Choose a commitment from the list" in posted.get_data(
        as_text=True
    )

    back = admin.post(
        f"/admin/framework/commitments/{slug}/retire", data={"csrf_token": token, "retired": "no"}
    )
    assert back.status_code == 303
    assert admin.get(f"/commitments/{slug}").status_code == 200


def test_renamed_commitment_keeps_its_address(staff_client, app, restore_framework):
    admin = staff_client("admin")
    slug = "foodbank-collection-points"
    data = _form(admin, f"/admin/framework/commitments/{slug}")
    page = admin.get(f"/admin/framework/commitments/{slug}").get_data(as_text=True)
    assert 'value="§4.6"' in page
    data |= {
        "title": "Foodbank collection points",
        "text": "Increase the number of foodbank collection points at our travel centres and "
        "rail stations.",
        "roles": ["service-provider", "civic-leader"],
        "themes": ["fairer"],
        "horizon": "day-one",
        "transport": "y",
        "published": "published",
        "source": "§4.6",
    }
    assert admin.post(f"/admin/framework/commitments/{slug}", data=data).status_code == 303
    page = admin.get(f"/commitments/{slug}")
    assert page.status_code == 200 and "Foodbank collection points" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"text": ""}, "Enter the text of the commitment"),
        ({"roles": []}, "Select at least one role"),
        ({"themes": []}, "Select at least one theme"),
        ({"horizon": "someday"}, "valid choice"),
        ({"published": "published", "source": ""}, "Enter the section of the report it comes from"),
        ({"published": "published", "source": "Appendix 1"}, "Enter report sections like §4.6"),
        ({"published": "example", "source": "§4.6"}, "An example has no report section"),
        ({"responsible_team": "Invented team"}, "An example has no responsible team"),
        (
            {"title": "Safe Spaces at staffed stations and travel centres"},
            "There is already a commitment",
        ),
        ({"roles": ["no-such-role"]}, "valid choice"),
    ],
)
def test_bad_commitment_input_is_refused_and_nothing_saved(
    staff_client, app, changes, message, restore_framework
):
    admin = staff_client("admin")
    before = _count(app, Commitment), _count(app, FrameworkVersion)
    response = _add(admin, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "govuk-error-summary" in html and message in html
    if "text" not in changes:
        assert "Make every journey accessible." in html  # what was typed is kept
    assert (_count(app, Commitment), _count(app, FrameworkVersion)) == before


def test_double_submit_of_a_new_commitment_creates_one(staff_client, app, restore_framework):
    admin = staff_client("admin")
    data = _form(admin, "/admin/framework/commitments/new") | COMMITMENT
    before = _count(app, Commitment)
    assert admin.post("/admin/framework/commitments/new", data=data).status_code == 303
    assert admin.post("/admin/framework/commitments/new", data=data).status_code == 422
    assert _count(app, Commitment) == before + 1


def test_admin_adds_edits_and_retires_roles_and_themes(staff_client, app, restore_framework):
    admin = staff_client("admin")
    data = _form(admin, "/admin/framework/themes/new") | {
        "name": "Healthier",
        "description": "An example theme.",
        "published": "example",
        "source": "",
    }
    assert admin.post("/admin/framework/themes/new", data=data).status_code == 303
    assert 'value="healthier"' in admin.get("/framework").get_data(as_text=True)
    data = _form(admin, "/admin/framework/themes/healthier") | {
        "name": "Healthier lives",
        "description": "",
        "published": "example",
        "source": "",
    }
    assert admin.post("/admin/framework/themes/healthier", data=data).status_code == 303
    history = admin.get("/admin/framework/themes/healthier/history").get_data(as_text=True)
    assert "Healthier lives" in history and "Version 1" in history
    token = data["csrf_token"]
    assert (
        admin.post(
            "/admin/framework/themes/healthier/retire", data={"csrf_token": token}
        ).status_code
        == 303
    )
    assert 'value="healthier"' not in admin.get("/framework").get_data(as_text=True)
    role = _form(admin, "/admin/framework/roles/employer")
    role |= {"name": "Employer", "description": "x", "published": "published", "source": ""}
    refused = admin.post("/admin/framework/roles/employer", data=role)
    assert refused.status_code == 422
    assert "Enter the section of the report it comes from" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(
            select(Role.description).where(Role.slug == "employer")
        ).startswith("LCRCA")


def test_unknown_entries_are_404_for_admins(staff_client):
    admin = staff_client("admin")
    for url in (
        "/admin/framework/commitments/no-such-thing",
        "/admin/framework/commitments/no-such-thing/history",
        "/admin/framework/roles/no-such-thing",
        "/admin/framework/themes/no-such-thing/history",
    ):
        assert admin.get(url).status_code == 404


def test_only_admins_edit_the_framework(staff_client):
    member = staff_client("member")
    assert member.get("/admin/framework").status_code == 403
    data = {"csrf_token": csrf_for(member)} | COMMITMENT
    assert member.post("/admin/framework/commitments/new", data=data).status_code == 403


def test_framework_admin_page_lists_sources_examples_and_feedback_counts(staff_client, app):
    with app.app_context():
        anchor = db.session.scalar(
            select(Commitment).where(Commitment.slug == "anchor-institutions")
        )
        submit_feedback(
            NewFeedback(
                body="Anchor feedback", stakeholder_type="business", commitment_id=anchor.id
            )
        )
        db.session.commit()
    html = staff_client("admin").get("/admin/framework").get_data(as_text=True)
    assert html.count("Report §4.6") == 6
    assert "Report §6.3, §4.4" in html
    assert 'href="/triage?commitment=anchor-institutions"' in html


def test_audit_entries_name_the_admin(staff_client, app, restore_framework):
    admin = staff_client("admin")
    _add(admin)
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "commitment", AuditEntry.action == "create")
            .order_by(AuditEntry.id.desc())  # the framework's own load is audited first
            .limit(1)
        )
        assert entry.actor.role.value == "admin"


def test_annual_pack_labels_examples(app_ctx):
    from portal.periods import financial_year
    from portal.reports.service import annual

    titles = [title for title, _ in annual(financial_year(2026)).by_commitment]
    assert "Encouraging fair employment (example)" in titles
    assert "More foodbank collection points at travel centres and stations" in titles


def test_tracking_page_of_feedback_on_an_example_says_so(app, client):
    with app.app_context():
        example = db.session.scalar(
            select(Commitment).where(Commitment.slug == "fair-employment-charter")
        )
        published = db.session.scalar(
            select(Commitment).where(Commitment.slug == "foodbank-collection-points")
        )
        tokens = [
            submit_feedback(
                NewFeedback(
                    body="Tracking an item", stakeholder_type="resident", commitment_id=c.id
                )
            ).token
            for c in (example, published)
        ]
        db.session.commit()
    html = client.get(f"/track/{tokens[0]}").get_data(as_text=True)
    assert f"Encouraging fair employment ({EXAMPLE_LABEL})" in html
    html = client.get(f"/track/{tokens[1]}").get_data(as_text=True)
    assert "More foodbank collection points" in html and EXAMPLE_LABEL not in html


def test_a_retired_theme_stays_on_tagged_items_but_is_not_offered_for_new_tags(
    app, staff_client, restore_framework
):
    member = staff_client("member")
    with app.app_context():
        greener = db.session.scalar(select(Theme).where(Theme.slug == "greener"))
        tagged = submit_feedback(NewFeedback(body="Tagged greener", stakeholder_type="resident"))
        tagged.feedback.themes = [greener]
        plain = submit_feedback(NewFeedback(body="Not tagged", stakeholder_type="resident"))
        framework_service.set_active(None, greener, False)
        db.session.commit()
        references = tagged.feedback.reference, plain.feedback.reference
        greener_id = greener.id
        db.session.commit()
    box = f'id="theme_ids-{greener_id}"'
    tagged_page = member.get(f"/triage/{references[0]}").get_data(as_text=True)
    assert box in tagged_page
    assert box not in member.get(f"/triage/{references[1]}").get_data(as_text=True)
    assert 'value="greener"' not in member.get("/framework").get_data(as_text=True)
    token = csrf_for(member, f"/triage/{references[0]}")
    member.post(
        f"/triage/{references[0]}/tags",
        data={"csrf_token": token, "theme_ids": str(greener_id), "transport_mode": "none"},
    )
    with app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == references[0]))
        assert [t.slug for t in item.themes] == ["greener"]
