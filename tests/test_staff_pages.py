"""Staff pages that can be scanned: officers land on "Your commitments", admins link officers to
commitments in /admin/users. (The inbox and agenda layouts are checked in real Chromium, in
tests/browser/test_every_page.py.)"""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.audit import history
from portal.extensions import db
from portal.models import Commitment, ProgressStatus, User
from portal.periods import quarter_label
from portal.progress import service as progress_service

from .conftest import PASSWORD, hidden_fields, login


def _commitments(app, count: int = 3) -> list[tuple[int, str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(Commitment).order_by(Commitment.position).limit(count))
        return [(c.id, c.slug, c.title) for c in rows]


def _signed_in(app, make_user, role: str, email: str | None = None):
    user_id = make_user(role, email)
    client = app.test_client()
    with app.app_context():
        address = db.session.get(User, user_id).email
    assert login(client, address).status_code == 303
    return client, user_id


def test_officer_lands_on_your_commitments_with_status_and_report_link(app, make_user):
    (first_id, first, first_title), (_, second, _), (_, third, _) = _commitments(app)
    officer_id = make_user("officer")
    with app.app_context():
        officer = db.session.get(User, officer_id)
        from portal.auth.service import set_officer_commitments

        set_officer_commitments(None, officer, [first_id, _commitments(app)[1][0]])
        year, quarter = progress_service.quarter_choices(1)[0]
        progress_service.post_update(
            officer,
            db.session.get(Commitment, first_id),
            progress_service.ProgressInput(year, quarter, ProgressStatus.AT_RISK, "Late", []),
        )
        db.session.commit()
    client = app.test_client()
    response = login(client, "officer@example.invalid")
    assert response.headers["Location"] == "/your-commitments"
    html = client.get("/your-commitments").get_data(as_text=True)
    assert '<h1 class="govuk-heading-xl">Your commitments</h1>' in html
    assert first_title in html
    assert "At risk" in html and "no update yet" in html
    when = quarter_label(year, quarter).split(" (")[0]
    links = re.findall(
        r'href="/commitments/([^/"]+)/progress/new">Report progress for ([^<]+)<', html
    )
    assert links == [(first, when), (second, when)]
    assert f"/commitments/{third}/progress/new" not in html  # not linked to this officer


def test_officer_without_commitments_is_told_who_links_them(app, make_user):
    client, _ = _signed_in(app, make_user, "officer")
    html = client.get("/your-commitments").get_data(as_text=True)
    assert 'id="no-commitments"' in html and "Report progress for" not in html


def test_your_commitments_is_for_officers_and_admins_only(app, make_user):
    member, _ = _signed_in(app, make_user, "member")
    assert member.get("/your-commitments").status_code == 403
    assert app.test_client().get("/your-commitments").status_code == 302


def test_admin_links_an_officer_to_commitments(app, make_user):
    admin, _ = _signed_in(app, make_user, "admin")
    officer_id = make_user("officer", "ro@example.invalid", "Rita Officer")
    (one, one_slug, one_title), (two, two_slug, _), _ = _commitments(app)
    users = admin.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{officer_id}/commitments"' in users
    page = admin.get(f"/admin/users/{officer_id}/commitments")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="checkbox"' in html and "checked" not in html
    data = hidden_fields(html) | {"commitments": [str(one), str(two)]}
    response = admin.post(f"/admin/users/{officer_id}/commitments", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users"
    with app.app_context():
        officer = db.session.get(User, officer_id)
        assert {c.slug for c in officer.commitments} == {one_slug, two_slug}
        entries = history("user", officer_id)
        assert entries[-1].field == "commitments"
        assert entries[-1].after == ", ".join(sorted([one_slug, two_slug]))
    assert one_title in admin.get("/admin/users").get_data(as_text=True)
    # Ticked boxes are shown ticked next time; unticking all unlinks every commitment.
    html = admin.get(f"/admin/users/{officer_id}/commitments").get_data(as_text=True)
    assert html.count("checked") == 2
    response = admin.post(f"/admin/users/{officer_id}/commitments", data=hidden_fields(html))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, officer_id).commitments == []
    # The officer now sees the commitments the admin chose.
    officer_client = app.test_client()
    login(officer_client, "ro@example.invalid", PASSWORD)
    assert one_title not in officer_client.get("/your-commitments").get_data(as_text=True)


def test_unknown_commitment_gets_a_message_and_nothing_is_saved(app, make_user):
    admin, _ = _signed_in(app, make_user, "admin")
    officer_id = make_user("officer")
    (one, _, _), _, _ = _commitments(app)
    html = admin.get(f"/admin/users/{officer_id}/commitments").get_data(as_text=True)
    for bad in (["999999"], [str(one), "not-a-number"], [str(one), "99999999999999999999999"]):
        response = admin.post(
            f"/admin/users/{officer_id}/commitments",
            data=hidden_fields(html) | {"commitments": bad},
        )
        assert response.status_code == 422, bad
        page = response.get_data(as_text=True)
        assert "govuk-error-summary" in page
        with app.app_context():
            assert db.session.get(User, officer_id).commitments == []


def test_only_officers_have_commitments_and_only_admins_link_them(app, make_user):
    admin, _ = _signed_in(app, make_user, "admin")
    member_id = make_user("member")
    assert admin.get(f"/admin/users/{member_id}/commitments").status_code == 404
    assert admin.get("/admin/users/99999999/commitments").status_code == 404
    assert admin.get("/admin/users/99999999999999999999999/commitments").status_code == 404
    officer_id = make_user("officer")
    member = app.test_client()
    login(member, "member@example.invalid")
    page = member.get(f"/admin/users/{officer_id}/commitments")
    assert page.status_code == 403
    token = hidden_fields(member.get("/feedback").get_data(as_text=True))["csrf_token"]
    post = member.post(
        f"/admin/users/{officer_id}/commitments", data={"csrf_token": token, "commitments": "1"}
    )
    assert post.status_code == 403
    with app.app_context():
        assert db.session.get(User, officer_id).commitments == []


def test_link_commitments_command_still_works(app, make_user):
    make_user("officer")
    (_, slug, _), _, _ = _commitments(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "link-commitments", "officer@example.invalid", slug])
    assert result.exit_code == 0, result.output
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == "officer@example.invalid"))
        assert [c.slug for c in officer.commitments] == [slug]
    bad = runner.invoke(args=["users", "link-commitments", "officer@example.invalid", "nope"])
    assert bad.exit_code != 0 and "Unknown commitments: nope" in bad.output


def test_retired_commitments_are_offered_only_while_linked(app, make_user):
    admin, _ = _signed_in(app, make_user, "admin")
    officer_id = make_user("officer")
    (one, _, one_title), (two, _, two_title), _ = _commitments(app)
    with app.app_context():
        db.session.get(Commitment, two).active = False
        db.session.commit()
    try:
        html = admin.get(f"/admin/users/{officer_id}/commitments").get_data(as_text=True)
        assert one_title in html and two_title not in html
        with app.app_context():
            from portal.auth.service import set_officer_commitments

            set_officer_commitments(None, db.session.get(User, officer_id), [one, two])
            db.session.commit()
        html = admin.get(f"/admin/users/{officer_id}/commitments").get_data(as_text=True)
        assert two_title in html and html.count("checked") == 2
    finally:
        with app.app_context():
            db.session.get(Commitment, two).active = True
            db.session.commit()
