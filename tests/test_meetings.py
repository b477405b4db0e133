"""Agendas: figures equal independent counts, period boundaries, comparisons, quotes, editing,
decisions and actions flowing to the public, exports; progress updates; reports; You said we did."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.meetings import figures, service
from portal.models import (
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    Channel,
    FeedbackStatus,
    Meeting,
    Priority,
    ProgressStatus,
    Sentiment,
    StakeholderType,
    User,
)
from portal.periods import Period, financial_quarter, financial_year, quarter_of
from portal.progress import service as progress_service
from portal.public.service import NewFeedback, submit_feedback
from portal.triage import service as triage
from portal.yousaid import service as yousaid

from . import factories
from .conftest import csrf_for

START, END = date(2026, 7, 1), date(2026, 9, 29)  # a 91-day period
MEETING_DAY = date(2026, 10, 8)


commitment = factories.commitment


def at(day: date, hour=12, minute=0, second=0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def member(app_ctx, make_user) -> User:
    return db.session.get(User, make_user("member"))


def test_period_helpers():
    q1 = financial_quarter(2026, 1)
    assert (q1.start, q1.end) == (date(2026, 4, 1), date(2026, 6, 30))
    q4 = financial_quarter(2026, 4)
    assert (q4.start, q4.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert financial_year(2025).label == "2025/26"
    assert quarter_of(date(2027, 2, 1)) == (2026, 4)
    assert quarter_of(date(2026, 4, 1)) == (2026, 1)
    period = Period(START, END)
    assert period.previous() == Period(date(2026, 4, 1), date(2026, 6, 30), "previous period")


def test_agenda_figures_equal_independent_counts(member):
    """Seed varied rows, then count them in Python here and compare with the agenda."""
    import random

    rng = random.Random(5)
    slugs = [
        "foodbank-collection-points",
        "safe-spaces-at-stations-and-travel-centres",
        "transport-user-data",
    ]
    code = triage.create_code(member, "Opening hours")
    rows = []
    for n in range(160):
        slug = rng.choice(slugs)
        day = START + timedelta(days=rng.randrange(-91, 91))  # some in the previous period
        item = factories.feedback(
            commitment=slug,
            received_at=at(day, rng.randrange(24)),
            stakeholder_type=rng.choice(list(StakeholderType)).value,
            channel=rng.choice(list(Channel)),
            status=rng.choice(list(FeedbackStatus)),
            sentiment=rng.choice([None, *Sentiment]),
            priority=rng.choice(list(Priority)),
            body=f"Item {n} about {slug} with its own words {rng.random()}",
        )
        if rng.random() < 0.4:
            triage.set_tags(item, member, [], [], [code.id])
        rows.append(item)
    meeting = service.create_meeting(member, "Test meeting", MEETING_DAY, START, END)
    db.session.commit()
    period = Period(START, END)
    for item in meeting.items:
        if item.kind is not AgendaItemKind.COMMITMENT:
            continue
        mine = [
            r
            for r in rows
            if r.commitment_id == item.commitment_id and r.status is not FeedbackStatus.SPAM
        ]
        inside = [r for r in mine if START <= r.received_at.date() <= END]
        before = [r for r in mine if r.received_at.date() in period.previous()]
        snap = item.snapshot
        assert snap["total"] == len(inside)
        assert snap["previous_total"] == len(before)
        assert snap["change"] == len(inside) - len(before)
        assert snap["by_stakeholder"] == dict(Counter(r.stakeholder_type.value for r in inside))
        assert snap["by_channel"] == dict(Counter(r.channel.value for r in inside))
        assert snap["by_status"] == dict(Counter(r.status.value for r in inside))
        sentiments = Counter(r.sentiment.value if r.sentiment else "not_set" for r in inside)
        assert snap["sentiment"] == dict(sentiments)
        modes = Counter(r.transport_mode.value if r.transport_mode else "not_set" for r in inside)
        assert snap["by_transport_mode"] == dict(modes)
        coded = sum(1 for r in inside if code in r.codes)
        assert snap["top_codes"] == ([["Opening hours", coded]] if coded else [])
        urgent = sum(1 for r in inside if r.priority in (Priority.HIGH, Priority.URGENT))
        assert snap["urgent"] == urgent
    # Ordered by volume and urgency.
    keys = [
        figures.order_key(i.snapshot) for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT
    ]
    assert keys == sorted(keys)


def test_period_boundaries_first_and_last_second(member):
    slug = "foodbank-collection-points"
    first = factories.feedback(commitment=slug, received_at=at(START, 0, 0, 0))
    last = factories.feedback(commitment=slug, received_at=at(END, 23, 59, 59))
    factories.feedback(
        commitment=slug, received_at=at(START - timedelta(days=1), 23, 59, 59)
    )  # previous period's last second
    factories.feedback(
        commitment=slug, received_at=at(END + timedelta(days=1), 0, 0, 0)
    )  # the next period's first second
    meeting = service.create_meeting(member, "Boundaries", MEETING_DAY, START, END)
    item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
    assert item.snapshot["total"] == 2
    assert item.snapshot["previous_total"] == 1
    assert item.snapshot["change"] == 1
    assert {first.id, last.id}  # both inside


def test_agenda_structure_and_default_period(member):
    factories.feedback(
        commitment="foodbank-collection-points", received_at=at(MEETING_DAY - timedelta(days=5))
    )
    meeting = service.create_meeting(member, "Default period", MEETING_DAY)
    assert meeting.period_end == MEETING_DAY - timedelta(days=1)
    assert meeting.period_start == MEETING_DAY - timedelta(days=90)
    kinds = [i.kind for i in meeting.items]
    assert kinds[:2] == [AgendaItemKind.STANDING, AgendaItemKind.STANDING]
    assert kinds[-1] is AgendaItemKind.AOB
    assert AgendaItemKind.COMMITMENT in kinds
    assert AgendaItemKind.NOTES not in kinds  # no notes published in the period
    following = service.create_meeting(member, "Next", MEETING_DAY + timedelta(days=60))
    assert following.period_start == meeting.period_end + timedelta(days=1)
    minutes = following.items[1]
    assert minutes.snapshot["previous_meeting"]["id"] == meeting.id


def test_create_meeting_refuses_bad_input(member):
    with pytest.raises(service.MeetingError, match="title"):
        service.create_meeting(member, " ", MEETING_DAY)
    with pytest.raises(service.MeetingError, match="both"):
        service.create_meeting(member, "x", MEETING_DAY, START, None)
    with pytest.raises(service.MeetingError, match="after its start"):
        service.create_meeting(member, "x", MEETING_DAY, END, START)


def test_quotes_need_consent_and_are_never_near_duplicates(member):
    slug = "safe-spaces-at-stations-and-travel-centres"
    campaign = "Please keep the travel centre at Birkenhead open until the last train every night."
    for n in range(4):
        factories.feedback(
            commitment=slug,
            received_at=at(START + timedelta(days=n)),
            body=campaign + " " * n,
            consent_to_quote=True,
        )
    factories.feedback(
        commitment=slug,
        received_at=at(START + timedelta(days=5)),
        body="Staff at Moorfields were kind and helped me "
        "find a safe place to wait when a man was following me.",
        consent_to_quote=True,
    )
    secret = factories.feedback(
        commitment=slug,
        received_at=at(START + timedelta(days=6)),
        body="Do not quote me: the lighting at Kirkby car park is broken and it feels dangerous.",
        consent_to_quote=False,
    )
    meeting = service.create_meeting(member, "Quotes", MEETING_DAY, START, END)
    item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
    quotes = service.quotes_for(item)
    texts = [q.text for q in quotes]
    assert secret.body not in texts
    assert sum(1 for t in texts if t.startswith("Please keep the travel centre")) == 1
    assert len(quotes) == 2
    # Pinning: only consented feedback on the item's commitment.
    with pytest.raises(service.MeetingError, match="no consent"):
        service.pin_quote(member, item, secret)
    other = factories.feedback(
        commitment="transport-user-data", received_at=at(START), consent_to_quote=True
    )
    with pytest.raises(service.MeetingError, match="this item's commitment"):
        service.pin_quote(member, item, other)
    pinned = factories.feedback(
        commitment=slug,
        received_at=at(START + timedelta(days=7)),
        body="A pinned quote about the Safe Space "
        "at Liverpool Central and how calm the staff were.",
        consent_to_quote=True,
    )
    service.pin_quote(member, item, pinned)
    assert service.quotes_for(item)[0].feedback_id == pinned.id
    assert service.quotes_for(item)[0].pinned
    with pytest.raises(service.MeetingError, match="already pinned"):
        service.pin_quote(member, item, pinned)
    service.unpin_quote(member, item, pinned.id)
    assert all(not q.pinned for q in service.quotes_for(item))
    with pytest.raises(service.MeetingError):
        service.unpin_quote(member, item, pinned.id)


def test_editing_the_agenda(member):
    factories.feedback(commitment="foodbank-collection-points", received_at=at(START))
    meeting = service.create_meeting(member, "Editing", MEETING_DAY, START, END)
    titles = lambda: [i.title for i in sorted(meeting.items, key=lambda i: i.position)]  # noqa: E731
    added = service.add_item(member, meeting, "Bus reform update")
    assert titles()[-2:] == ["Bus reform update", "Any other business"]
    service.move_item(member, meeting, added, "up")
    assert titles()[-3] == "Bus reform update"
    with pytest.raises(service.MeetingError):
        service.move_item(member, meeting, meeting.items[0], "up")
    service.edit_item(member, added, "Bus franchising update", "Ten minutes, for noting.")
    assert added.title == "Bus franchising update" and added.summary == "Ten minutes, for noting."
    with pytest.raises(service.MeetingError):
        service.edit_item(member, added, "", "x")
    service.remove_item(member, meeting, added)
    assert "Bus franchising update" not in titles()
    assert [i.position for i in sorted(meeting.items, key=lambda i: i.position)] == list(
        range(1, len(meeting.items) + 1)
    )


def test_refresh_keeps_edits_and_updates_figures(member):
    slug = "foodbank-collection-points"
    factories.feedback(commitment=slug, received_at=at(START))
    meeting = service.create_meeting(member, "Refresh", MEETING_DAY, START, END)
    item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
    service.edit_item(member, item, "Foodbanks (renamed)", "Our summary")
    factories.feedback(commitment=slug, received_at=at(START + timedelta(days=1)))
    factories.feedback(commitment="transport-user-data", received_at=at(START + timedelta(days=2)))
    assert item.snapshot["total"] == 1  # a snapshot: unchanged until refreshed
    service.refresh_figures(member, meeting)
    assert item.snapshot["total"] == 2
    assert item.title == "Foodbanks (renamed)" and item.summary == "Our summary"
    assert any(i.commitment and i.commitment.slug == "transport-user-data" for i in meeting.items)
    assert (
        meeting.items[-1].kind is AgendaItemKind.AOB
        or sorted(meeting.items, key=lambda i: i.position)[-1].kind is AgendaItemKind.AOB
    )


def test_decision_action_outcome_reaches_the_tracking_page(app, member):
    slug = "foodbank-collection-points"
    submission = submit_feedback(
        NewFeedback(
            body="Please add a collection point at Southport",
            stakeholder_type="resident",
            commitment_id=commitment(slug).id,
            received_at=at(START),
        )
    )
    closed = factories.feedback(
        commitment=slug, received_at=at(START), status=FeedbackStatus.CLOSED
    )
    meeting = service.create_meeting(member, "Outcomes", MEETING_DAY, START, END)
    item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
    service.add_decision(member, item, "Add collection points at three more stations")
    with pytest.raises(service.MeetingError, match="No feedback with reference"):
        service.add_action(member, item, "Install points", "Stations team", None, "SVF-NOPE999")
    with pytest.raises(service.MeetingError, match="owns"):
        service.add_action(member, item, "Install points", "", None)
    action = service.add_action(
        member,
        item,
        "Install points",
        "Stations and travel centres",
        date(2027, 1, 31),
        f"{submission.feedback.reference} {closed.reference}",
    )
    with pytest.raises(service.MeetingError):
        service.publish_outcome(member, action, " ")
    count = service.publish_outcome(
        member, action, "A collection point opened at Southport station in November."
    )
    assert count == 2
    db.session.refresh(submission.feedback)
    assert submission.feedback.status is FeedbackStatus.ACTIONED
    assert closed.status is FeedbackStatus.CLOSED  # closed items keep their status
    page = app.test_client().get(f"/track/{submission.token}").get_data(as_text=True)
    assert "A collection point opened at Southport station in November." in page
    service.update_action(member, action, ActionStatus.DONE)
    assert action.closed_at is not None


def date_parts(name: str, iso: str) -> dict[str, str]:
    """A GOV.UK date input's three boxes, as a person types them (no leading zeros)."""
    year, month, day = (str(int(part)) for part in iso.split("-"))
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (
            {"meeting_date-day": "30", "meeting_date-month": "2", "meeting_date-year": "2026"},
            "Date of the meeting must be a real date",
        ),
        (
            {"meeting_date-day": "3", "meeting_date-month": "", "meeting_date-year": "2026"},
            "Date of the meeting must include a month",
        ),
        (
            {"meeting_date-day": "3", "meeting_date-month": "4", "meeting_date-year": "9999"},
            "Date of the meeting must be a real date",
        ),
        (
            {"meeting_date-day": "٣", "meeting_date-month": "4", "meeting_date-year": "2026"},
            "Date of the meeting must be a real date",
        ),
        ({}, "Enter the date of the meeting"),
        (
            {
                "meeting_date-day": "3",
                "meeting_date-month": "4",
                "meeting_date-year": "2026",
                "period_start-day": "1",
            },
            "Start of the period must include a month and a year",
        ),
    ],
)
def test_new_meeting_date_input_messages(app, staff_client, boxes, message):
    client = staff_client("member")
    token = csrf_for(client)
    response = client.post(
        "/meetings/new", data={"csrf_token": token, "title": "A meeting"} | boxes
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_meeting_routes_plain_and_htmx(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        factories.feedback(commitment="foodbank-collection-points", received_at=at(START))
    token = csrf_for(client)
    bad = client.post(
        "/meetings/new", data={"csrf_token": token, "title": "", "meeting_date-day": "x"}
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Enter a title" in html
    assert "Date of the meeting must include a month and a year" in html
    assert 'name="meeting_date-day" type="text" value="x"' in html.replace(
        ' inputmode="numeric"', ""
    )
    created = client.post(
        "/meetings/new",
        data={"csrf_token": token, "title": "December meeting"}
        | date_parts("meeting_date", "2026-10-08")
        | date_parts("period_start", "2026-07-01")
        | date_parts("period_end", "2026-09-29"),
    )
    assert created.status_code == 303
    url = created.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "More foodbank collection points" in page
    meeting_id = int(url.rsplit("/", 1)[1])
    plain = client.post(
        f"/meetings/{meeting_id}/items", data={"csrf_token": token, "title": "Plain"}
    )
    assert plain.status_code == 303
    fragment = client.post(
        f"/meetings/{meeting_id}/items",
        data={"csrf_token": token, "title": "Via htmx"},
        headers={"HX-Request": "true"},
    )
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="agenda"') and "Via htmx" in html and "Plain" in html
    # Refused: the page again (422), the message at the box, not a flash after a redirect.
    empty = client.post(f"/meetings/{meeting_id}/items", data={"csrf_token": token, "title": " "})
    assert empty.status_code == 422
    html = empty.get_data(as_text=True)
    assert 'href="#new-item-title"' in html and 'id="new-item-title-error"' in html
    assert "Enter a title for the agenda item" in html


def test_agenda_controls_are_rendered_from_their_forms(app, staff_client):
    """The action's status select and the move, remove and unpin buttons' values come from the
    agenda's WTForms classes (govuk-frontend-wtf), and each still does its job."""
    client = staff_client("member")
    with app.app_context():
        quoted = factories.feedback(
            commitment="foodbank-collection-points", received_at=at(START), consent_to_quote=True
        )
        reference, quoted_id = quoted.reference, quoted.id
    token = csrf_for(client)
    created = client.post(
        "/meetings/new",
        data={"csrf_token": token, "title": "Controls"}
        | date_parts("meeting_date", "2026-10-08")
        | date_parts("period_start", "2026-07-01")
        | date_parts("period_end", "2026-09-29"),
    )
    meeting_url = created.headers["Location"]
    page = client.get(meeting_url).get_data(as_text=True)
    items = [int(i) for i in re.findall(r'<li class="app-agenda-item" id="item-(\d+)"', page)]
    first = int(re.search(r'id="pin-button-(\d+)"', page).group(1))  # a commitment's item
    second = items[items.index(first) + 1]
    assert (
        client.post(
            f"{meeting_url}/items/{first}/pin", data={"csrf_token": token, "reference": reference}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"{meeting_url}/items/{first}/actions",
            data={"csrf_token": token, "description": "Write to the venue", "owner": "Clerk"},
        ).status_code
        == 303
    )
    page = client.get(meeting_url).get_data(as_text=True)
    action_id = int(re.search(r'id="action-(\d+)"', page).group(1))

    # The hidden values carry no id (the same field is in a form per item).
    assert page.count('<input name="direction" type="hidden" value="up">') == page.count('id="up-')
    assert f'<input name="feedback_id" type="hidden" value="{quoted_id}">' in page
    select = re.search(
        rf'<select class="govuk-select" id="action-status-{action_id}"[^>]*>.*?</select>',
        page,
        re.S,
    )
    assert select and 'name="status"' in select.group(0)
    options = re.findall(r'<option value="(\w+)"( selected)?>', select.group(0))
    assert [value for value, _ in options] == [status.value for status in ActionStatus]
    assert [value for value, chosen in options if chosen] == ["open"]

    # A status not in the list: the message at the select, nothing changed.
    refused = client.post(
        f"{meeting_url}/actions/{action_id}", data={"csrf_token": token, "status": "finished"}
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="action-status-{action_id}-error"' in html
    assert f'aria-describedby="action-status-{action_id}-error"' in html
    assert "Choose a status for the action" in html
    done = client.post(
        f"{meeting_url}/actions/{action_id}", data={"csrf_token": token, "status": "done"}
    )
    assert done.status_code == 303
    page = client.get(meeting_url).get_data(as_text=True)
    select = re.search(
        rf'<select class="govuk-select" id="action-status-{action_id}".*?</select>', page, re.S
    )
    assert re.findall(r'<option value="(\w+)" selected>', select.group(0)) == ["done"]

    # Move, unpin and remove through their forms.
    moved = client.post(
        f"{meeting_url}/items/{second}/move", data={"csrf_token": token, "direction": "up"}
    )
    assert moved.status_code == 303
    with app.app_context():
        positions = dict(
            db.session.execute(select_positions(int(meeting_url.rsplit("/", 1)[1]))).all()
        )
    index = items.index(first) + 1
    assert positions[second] == index and positions[first] == index + 1
    sideways = client.post(
        f"{meeting_url}/items/{second}/move",
        data={"csrf_token": token, "direction": "sideways"},
        follow_redirects=True,
    )
    assert "That item cannot move further" in sideways.get_data(as_text=True)
    unpinned = client.post(
        f"{meeting_url}/items/{first}/unpin",
        data={"csrf_token": token, "feedback_id": str(quoted_id)},
        follow_redirects=True,
    )
    assert "Quote unpinned" in unpinned.get_data(as_text=True)
    removed = client.post(
        f"{meeting_url}/items/{second}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Removed" in removed.get_data(as_text=True)
    assert f'id="item-{second}"' not in removed.get_data(as_text=True)


def select_positions(meeting_id: int):
    return select(AgendaItem.id, AgendaItem.position).where(AgendaItem.meeting_id == meeting_id)


def test_exports_open(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        factories.feedback(
            commitment="foodbank-collection-points",
            received_at=at(START),
            consent_to_quote=True,
            body='=HYPERLINK("x") is what the foodbank poster said, oddly enough',
        )
        factories.feedback(commitment="transport-user-data", received_at=at(START))
        member = db.session.scalar(select(User))
        meeting = service.create_meeting(member, "Export meeting", MEETING_DAY, START, END)
        db.session.commit()
        meeting_id = meeting.id
        titles = [i.title for i in meeting.items]
        db.session.commit()
    pdf = client.get(f"/meetings/{meeting_id}/agenda.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    text = re.sub(r"\s+", " ", text)
    for title in titles:
        assert title in text
    document = Document(io.BytesIO(client.get(f"/meetings/{meeting_id}/agenda.docx").data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert all(any(t in h for h in headings) for t in titles)
    # Dates in words, the GOV.UK way (no leading zero), in documents too.
    for words in ("8 October 2026", "Received 1 July 2026 to 29 September 2026"):
        assert any(words == p.text for p in document.paragraphs)
        assert words in text
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/meetings/{meeting_id}/agenda.csv").get_data(as_text=True))
        )
    )
    assert {r["title"] for r in rows} >= {
        "More foodbank collection points at travel centres and stations"
    }
    assert any(r["measure"] == "Items in period" and r["value"] == "1" for r in rows)
    printed = client.get(f"/meetings/{meeting_id}/print").get_data(as_text=True)
    assert all(t in printed for t in titles)


# --- progress ----------------------------------------------------------------------------------


def test_officers_report_on_their_own_commitments(app, make_user):
    from portal.auth.service import link_commitments

    with app.app_context():
        officer = db.session.get(User, make_user("officer"))
        link_commitments(officer.email, ["foodbank-collection-points"])
        db.session.commit()
        mine, other = commitment("foodbank-collection-points"), commitment("transport-user-data")
        assert progress_service.may_report(officer, mine)
        assert not progress_service.may_report(officer, other)
        year, quarter = progress_service.quarter_choices()[0]
        data = progress_service.ProgressInput(
            year, quarter, ProgressStatus.AT_RISK, "Two new points", []
        )
        with pytest.raises(progress_service.ProgressError):
            progress_service.post_update(officer, other, data)
        progress_service.post_update(officer, mine, data)
        again = progress_service.ProgressInput(year, quarter, ProgressStatus.ON_TRACK, "Fixed", [])
        progress_service.post_update(officer, mine, again)
        db.session.commit()
        history = progress_service.history(mine)
        assert len(history) == 1 and history[0].status is ProgressStatus.ON_TRACK
        bad = progress_service.ProgressInput(1999, 1, ProgressStatus.ON_TRACK, "", ["ftp://x"])
        assert set(progress_service.validate(bad)) == {"quarter", "narrative", "evidence_links"}
    client = app.test_client()
    from .conftest import login

    login(client, "officer@example.invalid")
    assert client.get("/commitments/transport-user-data/progress/new").status_code == 403
    form = client.get("/commitments/foodbank-collection-points/progress/new")
    assert form.status_code == 200
    token = csrf_for(client)
    refused = client.post(
        "/commitments/foodbank-collection-points/progress/new",
        data={"csrf_token": token, "quarter": f"{year}-Q{quarter}", "narrative": ""},
    )
    assert refused.status_code == 422
    assert "Choose the status" in refused.get_data(as_text=True)
    public = app.test_client().get("/commitments/foodbank-collection-points").get_data(as_text=True)
    assert "On track" in public and "Fixed" in public
    framework = app.test_client().get("/framework").get_data(as_text=True)
    assert "Status: <strong" in framework and "On track" in framework


# --- You said, we did and reports --------------------------------------------------------------


def test_you_said_we_did_shows_only_what_may_be_public(app, member):
    period = financial_quarter(2026, 2)  # July to September 2026
    slug = "foodbank-collection-points"
    approved = factories.feedback(
        commitment=slug,
        received_at=at(period.start),
        consent_to_quote=True,
        body="Call me on 07700 900123 or write to a.person@example.com about the foodbank box",
    )
    approved.quote_approved = True  # a member approved it for quotation (issue 11)
    factories.feedback(
        commitment=slug,
        received_at=at(period.start),
        consent_to_quote=False,
        body="A private comment, never quoted",
    )
    factories.feedback(
        commitment=slug,
        received_at=at(period.start),
        consent_to_quote=True,
        body="Consented, but nobody approved it",
    )
    meeting = service.create_meeting(
        member,
        "Q2 meeting",
        period.end - timedelta(days=1),
        period.start,
        period.end - timedelta(days=2),
    )
    item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
    service.add_decision(member, item, "Double the number of collection points")
    stories = yousaid.build(period)
    story = next(s for s in stories if s.commitment.slug == slug)
    assert story.said == 3
    assert story.decisions == ["Double the number of collection points"]
    assert len(story.quotes) == 1
    assert "07700" not in story.quotes[0] and "example.com" not in story.quotes[0]
    html = app.test_client().get("/you-said-we-did?period=2026-Q2").get_data(as_text=True)
    assert "A private comment" not in html and "a.person@example.com" not in html
    assert "nobody approved it" not in html
    assert "Double the number of collection points" in html
    assert "[removed]" in html
    nonsense = app.test_client().get("/you-said-we-did?period=nonsense")
    assert nonsense.status_code == 422
    # The quarter and commitment are GOV.UK selects from PeriodForm; the refusal is at the
    # quarter's select.
    html = nonsense.get_data(as_text=True)
    assert 'id="period-error"' in html and 'aria-describedby="period-error"' in html
    year, quarter = quarter_of(date.today())
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)  # the one before
    chosen = app.test_client().get(
        "/you-said-we-did",
        query_string={"period": f"{year}-Q{quarter}", "commitment": "foodbank-collection-points"},
    )
    chosen = chosen.get_data(as_text=True)
    period = re.search(r'<select class="govuk-select" id="period".*?</select>', chosen, re.S)
    assert re.findall(r'<option value="([^"]*)" selected>', period.group(0)) == [
        f"{year}-Q{quarter}"
    ]
    commitment = re.search(
        r'<select class="govuk-select" id="commitment".*?</select>', chosen, re.S
    )
    assert re.findall(r'<option value="([^"]*)" selected>', commitment.group(0)) == [
        "foodbank-collection-points"
    ]


def test_quarterly_and_annual_reports(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        period = financial_quarter(2026, 2)
        factories.feedback(
            commitment="foodbank-collection-points",
            received_at=at(period.start),
            sentiment=Sentiment.POSITIVE,
        )
        factories.feedback(
            commitment="foodbank-collection-points",
            received_at=at(period.start),
            stakeholder_type="business",
        )
    page = client.get("/reports/quarterly/2026-Q2").get_data(as_text=True)
    assert "July to September 2026" in page and "More foodbank collection points" in page
    pdf = client.get("/reports/quarterly/2026-Q2.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "More foodbank collection" in re.sub(r"\s+", " ", text)
    Document(io.BytesIO(client.get("/reports/quarterly/2026-Q2.docx").data))
    assert client.get("/reports/quarterly/2026-Q9").status_code == 404
    annual = client.get("/reports/annual/2026").get_data(as_text=True)
    assert "Feedback per stakeholder type" in annual
    workbook = load_workbook(io.BytesIO(client.get("/reports/annual/2026.xlsx").data))
    rows = {r[0].value: r[1].value for r in workbook["Stakeholder types"].iter_rows(min_row=2)}
    assert rows == {"Passenger or service user": 1, "Business": 1}
    commitments = {r[0].value: r[1].value for r in workbook["Commitments"].iter_rows(min_row=2)}
    assert commitments["More foodbank collection points at travel centres and stations"] == 2
    assert client.get("/reports/annual/2026.pdf").mimetype == "application/pdf"
    assert client.get("/reports/annual/nope").status_code == 404


def test_you_said_we_did_claims_a_main_theme_only_when_the_figures_support_it(app, member):
    period = financial_quarter(2026, 2)
    slug = "foodbank-collection-points"
    signage = triage.create_code(member, "Signage at stations")
    lighting = triage.create_code(member, "Lighting")
    items = [
        factories.feedback(
            commitment=slug,
            received_at=at(period.start),
            body=f"Feedback number {n} on the foodbank boxes",
        )
        for n in range(43)
    ]
    for item in items[:2]:
        triage.set_tags(item, member, [], [], [signage.id])
    item = items[2]
    triage.set_tags(item, member, [], [], [lighting.id])
    db.session.commit()
    html = app.test_client().get("/you-said-we-did?period=2026-Q2").get_data(as_text=True)
    assert "43 people gave feedback." in html
    assert "mostly" not in html and "of them about" not in html
    assert "Themes mentioned most:" in html
    assert "Signage at stations: 2 items" in html and "Lighting: 1 item" in html
    for item in items[3:30]:  # now 29 of the 43 carry the code: most of them
        triage.set_tags(item, member, [], [], [signage.id])
    db.session.commit()
    html = app.test_client().get("/you-said-we-did?period=2026-Q2").get_data(as_text=True)
    assert "43 people gave feedback, 29 of them about signage at stations." in html
    assert "Themes mentioned most:" not in html
