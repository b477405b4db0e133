"""Meetings carry what a clerk needs (issue 14): time and place, members and attendance, the
minutes (HTML, PDF, Word) and approving the previous meeting's minutes; the GOV.UK date input
and time fields shared by WTForms forms."""

from __future__ import annotations

import io
import re
from datetime import date, time

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.audit import AuditEntry
from portal.extensions import db
from portal.fields import GovDatePartsField, parse_time
from portal.filters import uktime
from portal.meetings import minutes, service
from portal.models import ActionStatus, Attendance, Meeting, MeetingMember, User

from . import factories
from .conftest import csrf_for

DAY = date(2026, 12, 9)
EARLIER = date(2026, 10, 8)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ISO_OR_PADDED = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b0\d ({MONTHS})\b|\b\d{{2}}/\d{{2}}/\d{{4}}\b"
)


@pytest.fixture
def member(app_ctx, make_user) -> User:
    return db.session.get(User, make_user("member", name="Morgan Member"))


def audit_count(entity_type: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == entity_type)
    )


# --- the shared fields ---------------------------------------------------------------------------


def test_parse_time_and_uktime():
    assert parse_time("14:30") == time(14, 30)
    assert parse_time("2pm") == time(14, 0)
    assert parse_time("9.15am") == time(9, 15)
    assert parse_time("12am") == time(0, 0)
    assert parse_time(" 12:05 PM ") == time(12, 5)
    for bad in ("", "14", "25:00", "13pm", "2:60pm", "noon", "١٢:٣٠"):
        assert parse_time(bad) is None, bad
    assert [uktime(t) for t in (time(14), time(9, 5), time(12), time(0))] == [
        "2pm",
        "9:05am",
        "midday",
        "midnight",
    ]


@pytest.mark.parametrize(
    ("posted", "value", "error"),
    [
        ({"when-day": "9", "when-month": "12", "when-year": "2026"}, date(2026, 12, 9), None),
        ({"when": "2026-12-09"}, date(2026, 12, 9), None),  # a link made before the boxes
        ({"when-day": "9", "when-month": "", "when-year": "2026"}, None, "must include a month"),
        ({"when-day": "31", "when-month": "2", "when-year": "2026"}, None, "must be a real date"),
        ({"when-day": "1", "when-month": "1", "when-year": "9999"}, None, "must be a real date"),
        ({}, None, None),
    ],
)
def test_date_parts_field_reads_and_renders_named_boxes(app, posted, value, error):
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        class Meta:
            csrf = False

        when = GovDatePartsField("When", error_name="the date")

    with app.test_request_context(method="POST", data=posted):
        form = Form(formdata=MultiDict(posted))
        form.validate()
        assert form.when.data == value
        assert (error in form.when.errors[0]) if error else not form.when.errors
        html = str(form.when())
        for part in ("day", "month", "year"):
            assert f'name="when-{part}"' in html and f'id="when-{part}"' in html
        assert form.when.id == "when-day"  # the error summary links to the first box
        if posted.get("when-day") == "9":
            assert 'value="9"' in html


# --- the rules -----------------------------------------------------------------------------------


def test_details_members_and_attendance(member, make_user):
    other = db.session.get(User, make_user("admin", name="Avery Admin"))
    champion = make_user("champion")
    meeting = factories.meeting(member, "December meeting", DAY)
    minutes.set_details(member, meeting, time(14), "  Mann Island,   Liverpool ", "")
    added = minutes.invite(member, meeting, [other.id, member.id], ["Sam Partner (Merseytravel)"])
    db.session.commit()
    assert meeting.venue == "Mann Island, Liverpool" and meeting.start_time == time(14)
    assert [m.name for m in added] == ["Avery Admin", "Morgan Member", "Sam Partner (Merseytravel)"]
    # Refused, and nothing half-saved: a champion's account, a repeated name or account.
    for ids, names, field in (
        ([champion], [], "members"),
        ([other.id], ["Someone new"], "members"),
        ([], ["Someone new", "sam partner (merseytravel)"], "other_members"),
        ([], ["x" * 201], "other_members"),
        ([], [" "], "members"),
    ):
        with pytest.raises(service.MeetingError) as refused:
            minutes.invite(member, meeting, ids, names)
        assert refused.value.field == field
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(MeetingMember)) == 3
    guest = next(m for m in meeting.members if m.user_id is None)
    minutes.record_attendance(member, guest, "apologies")
    with pytest.raises(service.MeetingError, match="present, sent apologies or was absent"):
        minutes.record_attendance(member, guest, "maybe")
    db.session.commit()
    assert guest.attendance is Attendance.APOLOGIES
    assert minutes.attendance_of(meeting)[Attendance.APOLOGIES] == [guest]
    with pytest.raises(service.MeetingError, match="venue must be 300"):
        minutes.set_details(member, meeting, None, "v" * 301, "")
    assert audit_count("meeting_member") == 4  # three invited, one attendance change


def test_previous_minutes_are_approved_once_at_the_next_meeting(member):
    first = factories.meeting(member, "October meeting", EARLIER)
    with pytest.raises(service.MeetingError, match="no minutes of a previous meeting"):
        minutes.approve_previous_minutes(member, first)
    second = factories.meeting(member, "December meeting", DAY)
    assert second.previous_meeting_id == first.id
    approved = minutes.approve_previous_minutes(member, second)
    db.session.commit()
    assert approved is first
    assert first.minutes_approved_at is not None
    assert first.minutes_approved_at_meeting_id == second.id
    assert first.minutes_approved_by_id == member.id
    with pytest.raises(service.MeetingError, match="already approved"):
        minutes.approve_previous_minutes(member, second)


def test_discussion_summary_is_limited(member):
    meeting = factories.meeting(member, "December meeting", DAY)
    item = meeting.items[0]
    minutes.record_discussion(member, item, "  Members welcomed the new chair.  ")
    assert item.discussion == "Members welcomed the new chair."
    with pytest.raises(service.MeetingError, match="5,000 characters"):
        minutes.record_discussion(member, item, "x" * 5001)


# --- the pages -----------------------------------------------------------------------------------


def date_boxes(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def test_plan_a_meeting_with_time_venue_and_members(app, staff_client, make_user):
    client = staff_client("member")
    admin_id = make_user("admin", name="Avery Admin")
    token = csrf_for(client, "/meetings/new")
    form = client.get("/meetings/new").get_data(as_text=True)
    assert 'name="meeting_date-day"' in form and "Avery Admin" in form
    bad = client.post(
        "/meetings/new",
        data={"csrf_token": token, "title": "December meeting", "start_time": "quarter past"}
        | date_boxes("meeting_date", DAY),
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Enter the time like 2pm or 14:30" in html and 'value="quarter past"' in html
    assert 'href="#start_time"' in html
    missing = client.post("/meetings/new", data={"csrf_token": token, "title": "No date"})
    assert 'href="#meeting_date-day"' in missing.get_data(as_text=True)
    created = client.post(
        "/meetings/new",
        data=MultiDict(
            [
                ("csrf_token", token),
                ("title", "December meeting"),
                ("start_time", "2pm"),
                ("venue", "Mann Island, Liverpool"),
                ("joining_details", "https://meet.example/abc"),
                ("members", str(admin_id)),
                ("other_members", "Sam Partner (Merseytravel)\n\n"),
                *date_boxes("meeting_date", DAY).items(),
            ]
        ),
    )
    assert created.status_code == 303
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "2pm" in page and "Mann Island, Liverpool" in page and "https://meet.example/abc" in page
    assert "Avery Admin" in page and "Sam Partner (Merseytravel)" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
        assert db.session.scalar(select(func.count()).select_from(MeetingMember)) == 2


def test_clerk_forms_on_the_meeting_page(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        actor = db.session.scalar(select(User))
        first = factories.meeting(actor, "October meeting", EARLIER)
        meeting = factories.meeting(actor, "December meeting", DAY)
        minutes.invite(actor, meeting, [], ["Sam Partner"])
        db.session.commit()
        ids = (first.id, meeting.id, meeting.members[0].id, meeting.items[0].id)
    first_id, meeting_id, member_id, item_id = ids
    token = csrf_for(client, f"/meetings/{meeting_id}")
    base = f"/meetings/{meeting_id}"

    refused = client.post(
        f"{base}/details", data={"csrf_token": token, "start_time": "25:00", "venue": "Room 1"}
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Enter the time like 2pm or 14:30" in html and 'value="Room 1"' in html
    saved = client.post(
        f"{base}/details", data={"csrf_token": token, "start_time": "10am", "venue": "Room 1"}
    )
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#meeting-details")

    attendance = client.post(
        f"{base}/members/{member_id}/attendance",
        data={"csrf_token": token, f"member-{member_id}-attendance": "present"},
    )
    assert attendance.status_code == 303
    wrong = client.post(
        f"{base}/members/{member_id}/attendance",
        data={"csrf_token": token, f"member-{member_id}-attendance": "asleep"},
    )
    assert wrong.status_code == 422
    assert "Choose whether Sam Partner was present" in wrong.get_data(as_text=True)
    duplicate = client.post(
        f"{base}/members", data={"csrf_token": token, "other_members": "sam partner"}
    )
    assert duplicate.status_code == 422 and "already invited" in duplicate.get_data(as_text=True)
    assert (
        client.post(f"{base}/members/999999/attendance", data={"csrf_token": token}).status_code
        == 422
    )

    long = client.post(
        f"{base}/items/{item_id}/discussion",
        data={"csrf_token": token, f"item-{item_id}-discussion": "y" * 5001},
    )
    assert long.status_code == 422 and "5,000 characters" in long.get_data(as_text=True)
    said = client.post(
        f"{base}/items/{item_id}/discussion",
        data={
            "csrf_token": token,
            f"item-{item_id}-discussion": "The chair welcomed <b>everyone</b>.",
        },
    )
    assert said.status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "The chair welcomed &lt;b&gt;everyone&lt;/b&gt;." in page

    approve = client.post(f"{base}/approve-previous-minutes", data={"csrf_token": token})
    assert approve.status_code == 303
    again = client.post(f"{base}/approve-previous-minutes", data={"csrf_token": token})
    assert again.status_code == 422 and "already approved" in again.get_data(as_text=True)
    no_previous = client.post(
        f"/meetings/{first_id}/approve-previous-minutes", data={"csrf_token": token}
    )
    assert no_previous.status_code == 422
    with app.app_context():
        stored = db.session.get(Meeting, meeting_id)
        assert stored.start_time == time(10) and stored.venue == "Room 1"
        assert stored.members[0].attendance is Attendance.PRESENT
        assert db.session.get(Meeting, first_id).minutes_approved_at_meeting_id == meeting_id
    # Without a token the form is refused and nothing changes.
    assert client.post(f"{base}/details", data={"venue": "Elsewhere"}).status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).venue == "Room 1"


def test_only_members_and_admins_reach_the_clerk_pages(app, staff_client, client):
    officer = staff_client("officer")
    with app.app_context():
        creator = db.session.scalar(select(User))
        meeting_id = factories.meeting(creator, "December meeting", DAY).id
    for url in (
        f"/meetings/{meeting_id}/minutes",
        f"/meetings/{meeting_id}/minutes.pdf",
        f"/meetings/{meeting_id}/minutes.docx",
    ):
        assert officer.get(url).status_code == 403
        assert client.get(url).status_code in (302, 303)
    token = csrf_for(officer)
    assert (
        officer.post(
            f"/meetings/{meeting_id}/details", data={"csrf_token": token, "venue": "x"}
        ).status_code
        == 403
    )
    assert client.get("/meetings/999999/minutes").status_code in (302, 303)


def test_minutes_documents(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        actor = db.session.scalar(select(User))
        first = factories.meeting(actor, "October meeting", EARLIER)
        meeting = factories.meeting(actor, "December meeting", DAY)
        minutes.set_details(actor, meeting, time(14, 30), "Mann Island, Liverpool", "")
        minutes.invite(actor, meeting, [actor.id], ["Sam Partner", "Jo Apologies"])
        minutes.record_attendance(actor, meeting.members[0], "present")
        minutes.record_attendance(actor, meeting.members[2], "apologies")
        item = meeting.items[-1]
        minutes.record_discussion(actor, item, "Members discussed the foodbank posters.")
        service.add_decision(actor, item, "Ask stations to put up posters")
        action = service.add_action(
            actor, item, "Put up posters", "Stations team", date(2027, 1, 5)
        )
        service.update_action(actor, action, ActionStatus.IN_PROGRESS)
        minutes.approve_previous_minutes(actor, meeting)
        db.session.commit()
        meeting_id, titles = meeting.id, [i.title for i in meeting.items]
        first_id = first.id

    page = client.get(f"/meetings/{meeting_id}/minutes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<title>Minutes: December meeting</title>" in html
    assert "2:30pm, Mann Island, Liverpool" in html
    assert "The minutes of October meeting, held on 8 October 2026, were approved" in html

    pdf = client.get(f"/meetings/{meeting_id}/minutes.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="minutes-{meeting_id}.pdf"'
    reader = PdfReader(io.BytesIO(pdf.data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB" and "/StructTreeRoot" in root
    assert reader.metadata.title == "Minutes: December meeting"
    for each in reader.pages:
        assert (round(float(each.mediabox.width)), round(float(each.mediabox.height))) == (595, 842)
    text = re.sub(r"\s+", " ", " ".join(each.extract_text() for each in reader.pages))
    cover = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    for title in titles:
        assert title in cover  # the contents list names every item
    for expected in (
        "Present member",
        "Apologies Jo Apologies",
        "Put up posters",
        "Stations team",
        "5 January 2027",
        "In progress",
        "Ask stations to put up posters",
        "9 December 2026",
    ):
        assert expected in text, expected
    assert not ISO_OR_PADDED.search(text)
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text

    word = client.get(f"/meetings/{meeting_id}/minutes.docx")
    document = docx.Document(io.BytesIO(word.data))
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    words = " ".join(paragraphs + cells)
    assert "Members discussed the foodbank posters." in words and "5 January 2027" in cells
    assert not ISO_OR_PADDED.search(words)
    assert document.core_properties.title == "Minutes: December meeting"

    # The earlier meeting's own minutes say where they were approved.
    earlier = client.get(f"/meetings/{first_id}/minutes").get_data(as_text=True)
    assert "Approved at December meeting on" in earlier


def test_agenda_forms_render_from_their_wtforms_fields_and_keep_what_was_typed(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        meeting = factories.meeting(db.session.scalar(select(User)), "December meeting", DAY)
        meeting_id, item_id = meeting.id, meeting.items[-1].id
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    for name, box in (
        ("title", "new-item-title"),
        ("text", f"decision-{item_id}"),
        ("owner", f"action-owner-{item_id}"),
        ("references", f"action-links-{item_id}"),
    ):
        assert re.search(rf'id="{box}" name="{name}"', page), box
    assert 'name="due_date-day"' in page
    token = csrf_for(client, f"/meetings/{meeting_id}")
    refused = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/actions",
        data={
            "csrf_token": token,
            "description": "Write to <the> operators",
            "owner": "Bus team",
            "due_date-day": "31",
            "due_date-month": "2",
            "due_date-year": "2027",
        },
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Due date must be a real date, like 27 3 2026" in html
    assert f'href="#action-due-{item_id}"' in html
    assert "Write to &lt;the&gt; operators</textarea>" in html
    assert 'value="Bus team"' in html and 'value="31"' in html
    iso = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/actions",
        data={
            "csrf_token": token,
            "description": "Do it",
            "owner": "Bus team",
            "due_date": "2027-01-05",
        },
    )
    assert iso.status_code == 303
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).items[-1].actions[0].due_date == date(2027, 1, 5)
