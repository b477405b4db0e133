"""Surveys: file checks, sync and versions, answering every question type, conditions, closed
surveys, submission into the triage inbox, results and formula-safe exports."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Channel, Feedback, Survey, SurveyResponse
from portal.surveys import engine, service
from portal.surveys.schema import SURVEYS_DIR, check_paths

from .conftest import hidden_fields

FIXTURES = Path(__file__).parent / "fixtures" / "surveys"
ALL_TYPES = FIXTURES / "valid" / "all-types.yaml"
URL = "/surveys/all-types"


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


# --- checking files ------------------------------------------------------------------------


def test_every_shipped_survey_passes_the_check(app):
    shipped = sorted(SURVEYS_DIR.glob("*.yaml"))
    assert len(shipped) >= 3
    result = run(app, "surveys", "check")
    assert result.exit_code == 0, result.output
    for path in shipped:
        assert f"{path.name}: ok" in result.output
    titles = {yaml.safe_load(p.read_text())["title"] for p in shipped}
    assert any("Safe Spaces" in t for t in titles)
    assert any("procurement" in t for t in titles)
    assert any("community assets" in t for t in titles)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("malformed.yaml", "malformed.yaml:16: malformed YAML"),
        ("unknown-type.yaml", "question 'slider_question': unknown type 'slider'"),
        ("duplicate-id.yaml", "question 'same': duplicate id (first used on line 13)"),
        ("missing-options.yaml", "question 'pick': missing options"),
        ("condition-later.yaml", "question 'early': condition on a later question 'later'"),
        ("condition-missing.yaml", "condition on a missing question 'nowhere'"),
        ("reversed-dates.yaml", "dates are reversed: closes 2025-12-31 is before opens"),
        ("email-without-consent.yaml", "an email question must have a condition"),
        ("bad-scale-and-bounds.yaml", "bounds are reversed: min 10 is more than max 1"),
    ],
)
def test_each_kind_of_error_is_reported_with_file_and_place(app, name, expected):
    result = run(app, "surveys", "check", str(FIXTURES / name))
    assert result.exit_code == 1
    assert name in result.output
    assert expected in result.output


def test_check_of_a_missing_path_fails(app):
    result = run(app, "surveys", "check", "no/such/file.yaml")
    assert result.exit_code == 1 and "no such file" in result.output


def test_unknown_commitment_is_reported(tmp_path):
    data = yaml.safe_load(ALL_TYPES.read_text())
    data["commitments"] = ["not-a-commitment"]
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data))
    problems = [str(p) for p in check_paths([path])[0].problems]
    assert any("unknown commitment 'not-a-commitment'" in p for p in problems)


# --- sync and versions -----------------------------------------------------------------------


@pytest.fixture
def survey_file(tmp_path) -> Path:
    path = tmp_path / "all-types.yaml"
    shutil.copy(ALL_TYPES, path)
    return path


@pytest.fixture
def synced(app, survey_file) -> Path:
    with app.app_context():
        report = service.sync([survey_file])
        db.session.commit()
        assert not report.problems
        db.session.commit()
    return survey_file


def bump(path: Path, version: int | None, **changes) -> None:
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    if version is not None:
        data["version"] = version
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_sync_is_idempotent_and_versions_changes(app, synced):
    with app.app_context():
        assert service.sync([synced]).unchanged == ["all-types"]
        bump(synced, None, title="A changed title")
        refused = service.sync([synced])
        assert refused.problems and "raise it above 1" in refused.problems[0]
        bump(synced, 2)
        assert service.sync([synced]).new_versions == ["all-types v2"]
        survey = service.get_survey("all-types")
        assert [v.version for v in survey.versions] == [1, 2]
        assert survey.current.title == "A changed title"
        db.session.commit()


def test_shipped_surveys_sync(app):
    result = run(app, "surveys", "sync")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) >= 3


# --- answering ------------------------------------------------------------------------------


def post_page(client, number: int, answers: dict, **extra):
    page = client.get(f"{URL}/questions/{number}")
    html = page.get_data(as_text=True)
    data = {"csrf_token": hidden_fields(html)["csrf_token"]}
    # What the page showed, plus any conditional question the person revealed (as with htmx).
    data["shown"] = re.findall(r'name="shown" value="([^"]+)"', html) + [
        key for key in answers if key == "email"
    ]
    for key, value in answers.items():
        data[engine.field_name(key)] = value
    data.update(extra)
    return client.post(f"{URL}/questions/{number}", data=data)


GOOD = [
    {"respondent_type": "passenger"},
    {"name_of_station": "Moorfields", "story": "The lifts were broken for =SUM(A1) weeks"},
    {
        "colour": "wirral_line",
        "extras": ["toilets", "seating"],
        "stars": "4",
        "agree": "agree",
    },
    {"visits": "3", "follow_up": "no"},
    {"wirral_detail": "More trains to West Kirby please"},
]


def answer_all(client, pages=GOOD):
    for number, answers in enumerate(pages, start=1):
        response = post_page(client, number, answers)
        assert response.status_code == 303, (number, response.get_data(as_text=True)[:3000])
    return client.get(f"{URL}/check")


def test_every_question_type_round_trips_to_check_answers(app, client, synced):
    check = answer_all(client)
    html = check.get_data(as_text=True)
    assert check.status_code == 200
    for shown in (
        "Moorfields",
        "Wirral line",
        "Toilets, Seating",
        "4 out of 5",
        "Agree",
        "3",
        "No",
        "More trains to West Kirby please",
    ):
        assert shown in html
    assert html.count(">Change<") >= 9
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_submit_stores_response_and_long_answers_reach_triage(app, client, synced):
    html = answer_all(client).get_data(as_text=True)
    key = hidden_fields(html)["submission_key"]
    csrf = hidden_fields(html)["csrf_token"]
    response = client.post(f"{URL}/submit", data={"csrf_token": csrf, "submission_key": key})
    assert response.status_code == 303
    done = client.get(f"{URL}/done").get_data(as_text=True)
    assert re.search(r"SVS-[2-9A-HJ-NP-Z]{7}", done)
    # A second click on "Send answers" stores nothing more.
    again = client.post(f"{URL}/submit", data={"csrf_token": csrf, "submission_key": key})
    assert again.status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(SurveyResponse)).all()
        assert len(stored) == 1
        assert stored[0].version.version == 1
        assert stored[0].answers["extras"] == ["toilets", "seating"]
        items = db.session.scalars(select(Feedback).order_by(Feedback.id)).all()
        assert {i.body for i in items} == {
            "The lifts were broken for =SUM(A1) weeks",
            "More trains to West Kirby please",
        }
        assert all(i.channel is Channel.SURVEY for i in items)
        assert all(i.commitment.slug == "foodbank-collection-points" for i in items)
        assert all(i.survey_response_id == stored[0].id for i in items)
    assert done.count("app-tracking-link") == 2
    # Two kinds of reference, each said what it is for.
    assert "Your reference number is for your answers to this survey" in done
    assert "Your 2 written answers were each" in done and "their own references" in done
    for item in items:
        assert f"Follow comment {item.reference}" in done


@pytest.mark.parametrize(
    ("number", "answers", "message"),
    [
        (1, {}, "Select an answer to ‘Who are you answering as’"),
        (1, {"respondent_type": "wizard"}, "Choose an answer to ‘Who are you answering as’ from"),
        (2, {"name_of_station": ""}, "Enter your answer to ‘Which station’"),
        (
            2,
            {"name_of_station": "x" * 201},
            "Your answer to ‘Which station’ must be 200 characters or fewer",
        ),
        (
            2,
            {"name_of_station": "ok", "story": "y" * 5001},
            "Your answer to ‘Tell us more’ must be 5,000 characters or fewer",
        ),
        (
            3,
            {"colour": "city_line", "stars": "4", "agree": "agree"},
            "Select at least one answer to ‘Which extras’",
        ),
        (
            3,
            {"colour": "x", "extras": ["wifi"], "stars": "4", "agree": "agree"},
            "Choose an answer to ‘Pick a line’ from the list",
        ),
        (
            3,
            {"colour": "city_line", "extras": ["cake"], "stars": "4", "agree": "agree"},
            "Choose answers to ‘Which extras’ from the list",
        ),
        (
            3,
            {"colour": "city_line", "extras": ["wifi"], "stars": "9", "agree": "agree"},
            "Choose an answer to ‘Rate the station’ from the list",
        ),
        (4, {"visits": "lots", "follow_up": "no"}, "Enter a number for ‘Visits a week’, like 12"),
        (
            4,
            {"visits": "51", "follow_up": "no"},
            "Enter a number between 0 and 50 for ‘Visits a week’",
        ),
        (
            4,
            {"visits": "-1", "follow_up": "no"},
            "Enter a number between 0 and 50 for ‘Visits a week’",
        ),
        (4, {"visits": "nan", "follow_up": "no"}, "Enter a number for ‘Visits a week’, like 12"),
        (
            4,
            {"visits": "2", "follow_up": "yes", "email": "nope"},
            "Enter an email address in the correct format, like name@example.com",
        ),
        (4, {"visits": "2", "follow_up": "yes", "email": ""}, "Enter your email address"),
    ],
)
def test_validation_per_question_with_error_summary(app, client, synced, number, answers, message):
    for earlier in range(1, number):
        assert post_page(client, earlier, GOOD[earlier - 1]).status_code == 303
    response = post_page(client, number, answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert "There is a problem" in html
    assert message in html
    assert re.search(r'href="#q-[a-z_]+"', html)
    assert "<title>Error:" in html


def test_condition_on_an_earlier_page_skips_the_page(app, client, synced):
    pages = [dict(p) for p in GOOD[:4]]
    pages[2]["colour"] = "city_line"
    check = answer_all(client, pages)
    assert check.status_code == 200
    assert "What about the Wirral line?" not in check.get_data(as_text=True)
    # The page that does not apply cannot be opened directly either.
    assert client.get(f"{URL}/questions/5").status_code == 302


def test_changing_an_answer_drops_answers_that_no_longer_apply(app, client, synced):
    answer_all(client)
    changed = dict(GOOD[2], colour="northern_line")
    assert post_page(client, 3, changed, **{"return": "check"}).status_code == 303
    html = client.get(f"{URL}/check").get_data(as_text=True)
    assert "West Kirby" not in html and "Northern line" in html
    # The check page's change link comes back with return=check, carried by the page's form
    # (PageForm: hidden inputs without ids, one per question the page shows).
    page = client.get(f"{URL}/questions/3?return=check").get_data(as_text=True)
    assert '<input name="return" type="hidden" value="check">' in page
    shown = re.findall(r'<input type="hidden" name="shown" value="([^"]+)">', page)
    assert shown and len(shown) == len(set(shown))
    assert 'name="return"' not in client.get(f"{URL}/questions/3").get_data(as_text=True)
    check = client.get(f"{URL}/check").get_data(as_text=True)
    assert re.search(r'<input name="submission_key" type="hidden" value="[\w-]+">', check)


def test_same_page_condition_without_javascript_shows_the_new_question(app, client, synced):
    for number in (1, 2, 3):
        post_page(client, number, GOOD[number - 1])
    response = post_page(client, 4, {"visits": "2", "follow_up": "yes"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="added-questions"' in html
    assert 'name="q-email"' in html
    assert "Enter your email address" not in html  # not an error the first time it appears
    done = post_page(client, 4, {"visits": "2", "follow_up": "yes", "email": "a@example.com"})
    assert done.status_code == 303


def test_same_page_condition_with_htmx_shows_and_hides(app, client, synced):
    for number in (1, 2, 3):
        post_page(client, number, GOOD[number - 1])
    html = client.get(f"{URL}/questions/4").get_data(as_text=True)
    assert 'data-hx-post="/surveys/all-types/questions/4/preview"' in html
    csrf = hidden_fields(html)["csrf_token"]
    shown = client.post(
        f"{URL}/questions/4/preview",
        data={"csrf_token": csrf, "q-follow_up": "yes", "q-visits": "7"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert shown.lstrip().startswith('<div id="questions"')
    assert 'name="q-email"' in shown and 'value="7"' in shown
    hidden = client.post(
        f"{URL}/questions/4/preview",
        data={"csrf_token": csrf, "q-follow_up": "no"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert 'name="q-email"' not in hidden
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_closed_and_not_yet_open_surveys_cannot_be_answered(app, client, synced):
    with app.app_context():
        version = service.get_survey("all-types").current
        version.closes_on = date(2020, 1, 1)
        version.opens_on = date(2019, 1, 1)
        db.session.commit()
    start = client.get(URL).get_data(as_text=True)
    assert "This survey closed on 1 January 2020" in start and "Start now" not in start
    assert client.get(f"{URL}/questions/1").status_code == 410
    assert client.get(f"{URL}/check").status_code == 410
    csrf = hidden_fields(client.get("/feedback").get_data(as_text=True))["csrf_token"]
    refused = client.post(f"{URL}/submit", data={"csrf_token": csrf, "submission_key": "k"})
    assert refused.status_code == 410
    with app.app_context():
        version = service.get_survey("all-types").current
        version.opens_on = date(2099, 1, 1)
        version.closes_on = date(2099, 12, 31)
        db.session.commit()
    assert "This survey opens on 1 January 2099" in client.get(URL).get_data(as_text=True)
    assert client.get(f"{URL}/questions/1").status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
        with pytest.raises(service.SurveyError):
            service.submit(service.get_survey("all-types").current, {}, "key-1")


def test_survey_closing_mid_way_refuses_the_submit(app, client, synced):
    html = answer_all(client).get_data(as_text=True)
    with app.app_context():
        version = service.get_survey("all-types").current
        # Both dates move: the database refuses a survey that closes before it opens.
        version.opens_on, version.closes_on = date(2019, 12, 1), date(2020, 1, 1)
        db.session.commit()
    data = {k: hidden_fields(html)[k] for k in ("csrf_token", "submission_key")}
    assert client.post(f"{URL}/submit", data=data).status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_surveys_list_shows_open_surveys(client, synced):
    html = client.get("/surveys").get_data(as_text=True)
    assert "Every question type" in html


# --- results and exports ----------------------------------------------------------------------


def submit_directly(app, answers: dict, key: str):
    with app.app_context():
        version = service.get_survey("all-types").current
        reference = service.submit(version, answers, key).response.reference
        db.session.commit()
        db.session.commit()
        return reference


BASE_ANSWERS = {
    "respondent_type": "passenger",
    "name_of_station": "Lime Street",
    "colour": "city_line",
    "extras": ["wifi"],
    "stars": "5",
    "agree": "agree",
    "visits": 1,
    "follow_up": "no",
}


def test_results_counts_and_percentages_match_the_responses(app, staff_client, synced):
    submit_directly(app, BASE_ANSWERS, "k1")
    submit_directly(app, dict(BASE_ANSWERS, stars="1", extras=["wifi", "toilets"]), "k2")
    submit_directly(
        app, dict(BASE_ANSWERS, respondent_type="business", stars="1", story="@cmd|x"), "k3"
    )
    client = staff_client("member")
    html = client.get(f"{URL}/results").get_data(as_text=True)
    assert "<strong>3</strong> responses" in html
    stars = html[html.index('id="h-stars"') :]
    rows = re.findall(
        r'<th scope="row"[^>]*>([^<]+)</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>([\d.]+)%', stars
    )
    assert ("1 – Awful", "2", "66.7") in rows
    assert ("5 – Excellent", "1", "33.3") in rows
    assert "<svg" in stars and 'role="img"' in stars
    filtered = client.get(f"{URL}/results?stakeholder_type=business").get_data(as_text=True)
    assert "<strong>1</strong> response" in filtered
    # "Who answered" is a GOV.UK select from ResultsFilterForm: the choice kept, a value not in
    # the list refused at the select.
    chosen = re.search(
        r'<select class="govuk-select[^"]*" id="filter-stakeholder_type".*?</select>',
        filtered,
        re.S,
    )
    assert re.findall(r'<option value="(\w*)" selected>', chosen.group(0)) == ["business"]
    unknown = client.get(f"{URL}/results?stakeholder_type=alien")
    assert unknown.status_code == 422
    html = unknown.get_data(as_text=True)
    assert (
        'id="filter-stakeholder_type-error"' in html and "Choose who answered from the list" in html
    )
    assert 'aria-describedby="filter-stakeholder_type-error"' in html
    nonsense = client.get(f"{URL}/results?from=nonsense")
    assert nonsense.status_code == 422
    assert "Sent from must be a real date" in nonsense.get_data(as_text=True)
    # The GOV.UK date input: day, month and year boxes, kept as typed, with GOV.UK messages.
    boxes = client.get(f"{URL}/results?from-day=31&from-month=2&from-year=2026")
    assert boxes.status_code == 422
    html = boxes.get_data(as_text=True)
    assert "Sent from must be a real date" in html and 'name="from-day"' in html
    assert 'type="date"' not in html
    missing = client.get(f"{URL}/results?to-day=3&to-year=2026").get_data(as_text=True)
    assert "Sent to must include a month" in missing
    today = date.today()
    later = client.get(f"{URL}/results?to-day=1&to-month=1&to-year={today.year - 5}").get_data(
        as_text=True
    )
    assert "<strong>0</strong> responses" in later  # every response was sent after that
    # One from/to parser for every date range: a "to" before the "from" is a message at "to".
    backwards = client.get(
        f"{URL}/results?from-day=2&from-month=3&from-year=2026&to-day=1&to-month=3&to-year=2026"
    )
    assert backwards.status_code == 422
    assert "The end date must be the same as or after the start date" in backwards.get_data(
        as_text=True
    )


def test_free_text_answers_link_to_their_feedback_items(app, staff_client, synced):
    submit_directly(app, dict(BASE_ANSWERS, story="Please add seats on platform 2"), "k1")
    client = staff_client("member")
    html = client.get(f"{URL}/results").get_data(as_text=True)
    with app.app_context():
        reference = db.session.scalar(select(Feedback.reference))
    assert f'href="/triage/{reference}"' in html


def test_exports_parse_and_are_formula_safe(app, staff_client, synced):
    hostile = dict(BASE_ANSWERS, story='=HYPERLINK("http://x")', name_of_station="+44 7700")
    submit_directly(app, hostile, "k1")
    submit_directly(app, dict(BASE_ANSWERS, name_of_station="-minus", story="\tTab"), "k2")
    client = staff_client("member")
    text = client.get(f"{URL}/results.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[0]["story"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["name_of_station"] == "'+44 7700"
    assert rows[1]["name_of_station"] == "'-minus"
    assert rows[1]["story"] == "'\tTab"
    assert rows[0]["extras"] == "wifi"
    assert rows[0]["survey_version"] == "1"
    workbook = load_workbook(io.BytesIO(client.get(f"{URL}/results.xlsx").data))
    sheet = workbook["Responses"]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["story"] == '\'=HYPERLINK("http://x")'
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_old_responses_stay_readable_after_a_new_version(app, staff_client, synced):
    submit_directly(app, dict(BASE_ANSWERS, story="Answered under version one"), "old")
    data = yaml.safe_load(synced.read_text())
    data["version"] = 2
    data["pages"][0]["questions"] = [
        q for q in data["pages"][0]["questions"] if q["id"] != "story"
    ] + [{"id": "new_question", "type": "short_text", "label": "A new question"}]
    synced.write_text(yaml.safe_dump(data, sort_keys=False))
    with app.app_context():
        assert service.sync([synced]).new_versions == ["all-types v2"]
        db.session.commit()
    submit_directly(app, dict(BASE_ANSWERS, new_question="Answered under version two"), "new")
    client = staff_client("member")
    html = client.get(f"{URL}/results").get_data(as_text=True)
    assert "Answered under version one" in html and "asked in an earlier version" in html
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"{URL}/results.csv").get_data(as_text=True)))
    )
    assert [r["survey_version"] for r in rows] == ["1", "2"]
    assert rows[0]["story"] == "Answered under version one"
    assert rows[1]["new_question"] == "Answered under version two"


def test_results_are_for_staff_only(client, synced, staff_client):
    assert client.get(f"{URL}/results").status_code == 302
    assert staff_client("champion").get(f"{URL}/results.csv").status_code == 403
