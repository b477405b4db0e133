"""Every form with free text, sent with an expired or missing token, comes back as typed:
HTTP 400, a message in the error summary, a fresh token, and nothing stored."""

from __future__ import annotations

import re
from html import escape

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Feedback, Meeting, Note, ProgressUpdate

from .conftest import hidden_fields
from .test_surveys import URL as SURVEY_URL
from .test_surveys import survey_file, synced  # noqa: F401  (fixtures)

TYPED = "Typed for an hour on a phone & then the tab slept <still here>"
EXPIRED = "Your session timed out. Check your answers and send them again."
BAD_TOKEN = "IjAxMjM0NTY3ODkwMTIzNDU2Nzg5Ig.ZZZZZZ.bad-signature"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assert_kept(response, message: str = EXPIRED) -> str:
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert escape(TYPED) in html
    assert "Your form has expired" not in html
    return html


@pytest.mark.parametrize("token", [None, BAD_TOKEN], ids=["missing", "expired"])
def test_note_form(app, staff_client, token):
    client = staff_client("champion")
    data = {"title": "Step-free routes", "summary": "A summary", "body": TYPED}
    if token:
        data["csrf_token"] = token
    html = assert_kept(client.post("/notes/new", data=data))
    assert 'value="Step-free routes"' in html
    assert count(app, Note) == 0
    again = client.post("/notes/new", data=data | hidden_fields(html))
    assert again.status_code == 303 and count(app, Note) == 1


def test_progress_update_form(app, make_user, client):
    from portal.auth.service import link_commitments

    from .conftest import login

    make_user("officer")
    with app.app_context():
        link_commitments("officer@example.invalid", ["foodbank-collection-points"])
        db.session.commit()  # link_commitments leaves the commit to its caller
    assert login(client, "officer@example.invalid").status_code == 303
    url = "/commitments/foodbank-collection-points/progress/new"
    page = client.get(url).get_data(as_text=True)
    quarter = re.search(r'name="quarter" type="radio" value="([^"]+)"', page).group(1)
    data = {"quarter": quarter, "status": "on_track", "narrative": TYPED, "evidence_links": ""}
    html = assert_kept(client.post(url, data=data))
    assert count(app, ProgressUpdate) == 0
    again = client.post(url, data=data | hidden_fields(html))
    assert again.status_code == 303 and count(app, ProgressUpdate) == 1


def test_meeting_form(app, staff_client):
    client = staff_client("member")
    data = {
        "title": TYPED,
        "meeting_date-day": "10",
        "meeting_date-month": "12",
        "meeting_date-year": "2026",
    }
    html = assert_kept(client.post("/meetings/new", data=data))
    assert count(app, Meeting) == 0
    again = client.post("/meetings/new", data=data | hidden_fields(html))
    assert again.status_code == 303 and count(app, Meeting) == 1


def test_staff_record_form(app, staff_client):
    client = staff_client("member")
    data = {
        "channel": "phone",
        "received_on": ["3", "11", "2026"],
        "body": TYPED,
        "stakeholder_type": "resident",
    }
    html = assert_kept(
        client.post("/triage/new", data=data),
        "Your session timed out. Check your answers and send them again.",
    )
    assert 'value="phone" checked' in html and 'value="2026"' in html
    assert count(app, Feedback) == 0


def test_survey_page_keeps_the_answer_and_the_draft(app, client, synced):  # noqa: F811
    from portal.surveys import engine

    page = client.get(f"{SURVEY_URL}/questions/1").get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    first = client.post(
        f"{SURVEY_URL}/questions/1",
        data={"csrf_token": token, "shown": "respondent_type", "q-respondent_type": "passenger"},
    )
    assert first.status_code == 303
    data = {
        "csrf_token": BAD_TOKEN,
        "shown": ["name_of_station", "story"],
        engine.field_name("name_of_station"): "Moorfields",
        engine.field_name("story"): TYPED,
    }
    html = assert_kept(client.post(f"{SURVEY_URL}/questions/2", data=data))
    assert 'href="#questions"' in html and 'value="Moorfields"' in html
    # The draft survived: page 1's answer is still there, and the page sends with the new token.
    fresh = hidden_fields(html)["csrf_token"]
    again = client.post(f"{SURVEY_URL}/questions/2", data=data | {"csrf_token": fresh})
    assert again.status_code == 303
    assert 'value="passenger" checked' in client.get(f"{SURVEY_URL}/questions/1").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("path", "field", "box"), [("notes", "body", "note-body"), ("reply", "reply", "reply")]
)
def test_triage_note_and_reply_keep_the_text(app, staff_client, path, field, box):
    from portal.public.service import NewFeedback, submit_feedback

    client = staff_client("member")
    with app.app_context():
        reference = submit_feedback(
            NewFeedback(body="The lift at Sandhills is broken", stakeholder_type="passenger")
        ).feedback.reference
        db.session.commit()
    url = f"/triage/{reference}/{path}"
    # An expired token: the item page again, the text in its box, the message at it.
    html = assert_kept(client.post(url, data={field: TYPED}))
    assert f'id="{box}-error"' in html and f'href="#{box}"' in html
    # Refused by the rules (too long): the same, with that message, and a 422.
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    too_long = TYPED + "x" * 5000
    refused = client.post(url, data={"csrf_token": token, field: too_long})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "must be 5,000 characters or fewer" in text and escape(too_long) in text
    with app.app_context():
        item = db.session.scalar(select(Feedback))
        assert item.public_reply is None and not item.notes
    # With a good token the text is saved and the page redirects as before.
    saved = client.post(url, data={"csrf_token": token, field: TYPED})
    assert saved.status_code == 303


# --- the meeting page: every free-text form keeps what was typed ----------------------------


@pytest.fixture
def meeting_page(app, staff_client):
    """A signed-in member, a meeting with an agenda item and an action linked to feedback."""
    from datetime import UTC, datetime, timedelta

    from portal.meetings import service as meetings
    from portal.models import AgendaItemKind, Commitment, User
    from portal.public.service import NewFeedback, submit_feedback

    client = staff_client("member")
    with app.app_context():
        member = db.session.scalar(select(User))
        commitment = db.session.scalar(select(Commitment).order_by(Commitment.id))
        today = datetime.now(UTC).date()
        reference = submit_feedback(
            NewFeedback(
                body="The lift at Sandhills is broken",
                stakeholder_type="passenger",
                commitment_id=commitment.id,
            )
        ).feedback.reference
        meeting = meetings.create_meeting(
            member, "A meeting", today + timedelta(days=1), today - timedelta(days=30), today
        )
        item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
        action = meetings.add_action(member, item, "Fix the lift", "Stations", None, reference)
        db.session.commit()
        ids = {"meeting": meeting.id, "item": item.id, "action": action.id}
        db.session.commit()
    return client, ids


def meeting_state(app) -> tuple:
    """Everything the meeting forms can change, to show that a refusal saved nothing."""
    from portal.models import Action, AgendaItem, Decision

    with app.app_context():
        items = [(i.title, i.summary) for i in db.session.scalars(select(AgendaItem))]
        actions = [
            (a.description, a.status, a.outcome, [f.reference for f in a.feedback])
            for a in db.session.scalars(select(Action))
        ]
        return (
            items,
            actions,
            count(app, Decision),
            [f.public_reply for f in db.session.scalars(select(Feedback))],
        )


MEETING_FORMS = [
    # (path under /meetings/<id>/, field typed into, its box id, other fields, a refused value)
    ("items/{item}/edit", "summary", "summary-{item}", {"title": "Renamed"}, "x" * 5001),
    ("items/{item}/edit", "title", "title-{item}", {"summary": "A summary"}, " "),
    ("items/{item}/decisions", "text", "decision-{item}", {}, "x" * 5001),
    ("items/{item}/actions", "description", "action-desc-{item}", {"owner": "Stations"}, " "),
    ("items/{item}/actions", "owner", "action-owner-{item}", {"description": "Do it"}, " "),
    ("actions/{action}/outcome", "outcome", "outcome-{action}", {}, "x" * 5001),
    ("actions/{action}", "references", "action-refs-{action}", {"status": "done"}, "SVF-ZZZZZZZ"),
    ("items/{item}/pin", "reference", "pin-{item}", {}, "SVF-ZZZZZZZ"),
    ("items", "title", "new-item-title", {}, " "),
]


MAIN_BOX = {"items/{item}/edit": "summary-{item}", "items/{item}/actions": "action-desc-{item}"}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("path", "field", "box", "others", "refused"), MEETING_FORMS)
def test_meeting_page_forms_keep_the_text(
    app, meeting_page, path, field, box, others, refused, htmx
):
    client, ids = meeting_page
    url = f"/meetings/{ids['meeting']}/" + path.format(**ids)
    box = box.format(**ids)
    headers = {"HX-Request": "true"} if htmx else {}
    typed = TYPED if field not in ("reference", "references") else "SVF-ZZZZZZZ"
    before = meeting_state(app)
    # An expired token: the page again, the text in its box, the message at it; a 400.
    expired = client.post(
        url, data={"csrf_token": BAD_TOKEN, field: typed} | others, headers=headers
    )
    html = expired.get_data(as_text=True)
    assert expired.status_code == 400 and EXPIRED in html and "There is a problem" in html
    main = MAIN_BOX.get(path, box).format(**ids)  # the expired message sits at the form's main box
    assert escape(typed) in html and f'id="{main}-error"' in html and f'href="#{main}"' in html
    assert html.lstrip().startswith('<div id="agenda"') == htmx
    assert meeting_state(app) == before
    # Refused by the rules: the same with the rule's message, and a 422; nothing saved.
    token = hidden_fields(client.get(f"/meetings/{ids['meeting']}").get_data(as_text=True))[
        "csrf_token"
    ]
    refusal = client.post(url, data={"csrf_token": token, field: refused} | others, headers=headers)
    text = refusal.get_data(as_text=True)
    assert refusal.status_code == 422 and "There is a problem" in text
    assert f'id="{box}-error"' in text and f'href="#{box}"' in text
    if refused.strip():
        assert escape(refused) in text
    for value in others.values():
        assert escape(value) in text or field == "references"
    assert meeting_state(app) == before


def test_action_due_date_is_a_govuk_date_input(app, meeting_page):
    from portal.models import Action

    client, ids = meeting_page
    page = client.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    due = f"action-due-{ids['item']}"
    assert 'type="date"' not in page
    assert f'id="{due}-day" name="due_date-day"' in page.replace(' type="text"', "")
    url = f"/meetings/{ids['meeting']}/items/{ids['item']}/actions"
    base = {"csrf_token": token, "description": TYPED, "owner": "Stations"}
    # An impossible date: the page again with every box as typed and the message at the date.
    bad = client.post(
        url, data=base | {"due_date-day": "31", "due_date-month": "2", "due_date-year": "2027"}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Due date must be a real date, like 27 3 2026" in html and f'href="#{due}"' in html
    assert escape(TYPED) in html and 'value="31"' in html and 'value="2027"' in html
    assert count(app, Action) == 1
    good = client.post(
        url, data=base | {"due_date-day": "31", "due_date-month": "1", "due_date-year": "2027"}
    )
    assert good.status_code == 303
    # A form made before the date input (due_date=YYYY-MM-DD) still works.
    old = client.post(url, data=base | {"due_date": "2027-02-28"})
    assert old.status_code == 303
    with app.app_context():
        dues = sorted(str(a.due_date) for a in db.session.scalars(select(Action)) if a.due_date)
    assert dues == ["2027-01-31", "2027-02-28"]
    assert "Due 31 January 2027" in client.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
