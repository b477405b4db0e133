"""Each input that once answered a 500 now answers 404 or a message (issue 10), and the
helpers that parse identifiers, dates and periods refuse what the database cannot hold."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.inputs import MAX_ID, parse_id, parse_ids, parse_iso_date
from portal.models import Code, User
from portal.periods import parse_quarter, parse_year
from portal.public.service import NewFeedback, submit_feedback
from portal.triage import service as triage

from .conftest import PASSWORD, csrf_for, hidden_fields

HUGE = "99999999999999999999999"  # 23 digits


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (HUGE, None),
        ("0", None),
        ("-1", None),
        ("²²", None),
        ("١٢٣", None),
        ("", None),
        (" 1", None),
        (None, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_parse_ids_drops_what_is_not_an_identifier():
    assert parse_ids(["3", HUGE, "x", "٣", "7"]) == [3, 7]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-31", date(2026, 3, 31)),
        ("2026-02-30", None),
        ("2026-13-01", None),
        ("9999-12-31", None),
        ("0000-01-01", None),
        ("٢٠٢٦-٠٣-٣١", None),
        ("31/03/2026", None),
    ],
)
def test_parse_iso_date(value, expected):
    assert parse_iso_date(value) == expected


@pytest.mark.parametrize("text", ["9999-Q4", "0000-Q1", "²²²²-Q1", "2026-Q5", "2026-Q1x"])
def test_parse_quarter_refuses_years_and_digits_it_cannot_report_on(text):
    with pytest.raises(ValueError, match="Enter a quarter"):
        parse_quarter(text)


@pytest.mark.parametrize("text", ["²²²²", "9999", "0000", "١٢٣٤", "20260"])
def test_parse_year_refuses_what_int_or_date_cannot_take(text):
    with pytest.raises(ValueError, match="Enter a year"):
        parse_year(text)


def test_you_said_we_did_with_an_impossible_quarter(client):
    response = client.get("/you-said-we-did?period=9999-Q3")
    assert response.status_code == 422
    assert "Enter a quarter between 2000 and 2100" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/reports/quarterly/9999-Q4",
        "/reports/quarterly/9999-Q4.pdf",
        "/reports/annual/²²²²",
        "/reports/annual/9999.xlsx",
        f"/meetings/{HUGE}",
        f"/meetings/{HUGE}/agenda.pdf",
        f"/notes/{HUGE}",
        "/meetings/٣",
        f"/surveys/safe-spaces-at-stations/questions/{HUGE}",
    ],
)
def test_impossible_numbers_in_addresses_are_not_found(staff_client, url):
    client = staff_client("admin")
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"/triage?assignee={HUGE}", "Choose an assignee from the list"),
        (f"/triage?code={HUGE}", "Choose a code from the list"),
        ("/triage?from=9999-12-31", "Received from must be a real date"),
        (f"/admin/audit?actor={HUGE}", "Choose a person from the list"),
        ("/admin/audit?to=9999-12-31", "To must be a real date"),
    ],
)
def test_impossible_filter_values_get_a_message(staff_client, url, message):
    client = staff_client("admin")
    response = client.get(url)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_inbox_cursor_with_a_huge_identifier_starts_from_the_top(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = submit_feedback(
            NewFeedback(body="An item for the cursor test", stakeholder_type="resident")
        ).feedback.reference
        db.session.commit()
    for raw in (f"2026-01-01T00:00:00+00:00|{HUGE}", f"1.5|{HUGE}", "nan|1", "inf|1|'all'"):
        cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        for query in ("", "&q=cursor"):
            response = client.get(f"/triage?after={cursor}{query}")
            assert response.status_code == 200, (raw, query)
            assert reference in response.get_data(as_text=True)


def test_sign_in_with_a_line_break_in_next_lands_on_the_inbox(client, make_user):
    make_user("member")
    page = client.get("/login?next=%2Ftriage%0AX").get_data(as_text=True)
    data = hidden_fields(page) | {"email": "member@example.invalid", "password": PASSWORD}
    response = client.post("/login", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/triage"


def test_a_code_renamed_beyond_its_column_gets_a_message(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        member = db.session.scalar(select(User))
        code = triage.create_code(member, "Step-free access")
        db.session.commit()  # triage services leave the commit to their caller
        code_id = code.id
    page = client.get("/admin/codes").get_data(as_text=True)
    response = client.post(
        f"/admin/codes/{code_id}/rename",
        data=hidden_fields(page) | {"name": "x" * 130},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "A code name must be 120 characters or fewer" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Code, code_id).name == "Step-free access"


JSON_BODIES = [
    "[1]",
    '{"return_to": 5, "submission_key": 5, "body": 5, "ids": {"a": 1}}',
    '"x"',
    "null",
]


@pytest.mark.parametrize("body", JSON_BODIES)
@pytest.mark.parametrize(
    "url",
    ["/feedback", "/login", "/triage/SVF-AAAAAAA/assign", "/surveys/all-types/submit"],
)
def test_a_json_body_to_a_form_gets_no_server_error(app, client, tmp_path, url, body):
    """The portal's forms read form bodies only: a JSON body with any shape (a list, numbers
    where text is expected, a bare string, null) is an empty form, never a 500 — on public
    forms, sign-in, a staff route asked without signing in, and a survey."""
    from portal.surveys import service as surveys

    from .test_surveys import ALL_TYPES

    survey = tmp_path / ALL_TYPES.name
    survey.write_bytes(ALL_TYPES.read_bytes())
    with app.app_context():
        surveys.sync([survey])
        db.session.commit()
    token = csrf_for(client)
    response = client.post(
        url,
        data=body,
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code in (200, 302, 303, 400, 401, 403, 404, 422)
