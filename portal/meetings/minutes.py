"""What a clerk needs: a meeting's time and place, the members invited and their attendance,
the minutes (each item's discussion, with its decisions and actions) and their approval at the
next meeting. Rules only: these functions flush and never commit (the view commits once)."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from .. import audit
from ..auth.permissions import TRIAGE
from ..extensions import db
from ..inputs import TEXT_MAX
from ..models import AgendaItem, Attendance, Meeting, MeetingMember, User, utcnow
from ..periods import uk_date
from .service import MeetingError

VENUE_MAX = 300
NAME_MAX = 200


def set_details(
    actor: User, meeting: Meeting, start_time: time | None, venue: str, joining_details: str
) -> None:
    """Set when and where the meeting is: start time, venue, online joining details."""
    venue = " ".join((venue or "").split())
    joining_details = (joining_details or "").strip()
    if len(venue) > VENUE_MAX:
        raise MeetingError(f"The venue must be {VENUE_MAX} characters or fewer", "venue")
    if len(joining_details) > TEXT_MAX:
        raise MeetingError(
            f"Joining details must be {TEXT_MAX:,} characters or fewer", "joining_details"
        )
    for field, value in (
        ("start_time", start_time),
        ("venue", venue),
        ("joining_details", joining_details),
    ):
        audit.record_change(actor, "meeting", meeting.id, field, getattr(meeting, field), value)
        setattr(meeting, field, value)
    db.session.flush()


def invitable_users() -> list[User]:
    """Staff accounts that can be invited: active members and admins, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(TRIAGE))
            .order_by(User.name, User.email)
        )
    )


def _display_name(user: User) -> str:
    return user.name.strip() or user.email


def invite(
    actor: User, meeting: Meeting, user_ids: list[int], names: list[str]
) -> list[MeetingMember]:
    """Invite staff accounts (by id) and people typed in by name. Refuses an unknown account,
    an empty or over-long name and anyone already invited; nothing is added unless all are."""
    accounts = {u.id: u for u in invitable_users()}
    unknown = [uid for uid in user_ids if uid not in accounts]
    if unknown:
        raise MeetingError("Choose members from the list", "members")
    invited_ids = {m.user_id for m in meeting.members if m.user_id is not None}
    invited_names = {m.name.casefold() for m in meeting.members}
    added: list[MeetingMember] = []
    for uid in dict.fromkeys(user_ids):
        user = accounts[uid]
        if uid in invited_ids:
            raise MeetingError(f"{_display_name(user)} is already invited", "members")
        added.append(MeetingMember(user_id=uid, name=_display_name(user)[:NAME_MAX]))
        invited_names.add(_display_name(user).casefold())
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > NAME_MAX:
            raise MeetingError(f"A name must be {NAME_MAX} characters or fewer", "other_members")
        if name.casefold() in invited_names:
            raise MeetingError(f"{name} is already invited", "other_members")
        invited_names.add(name.casefold())
        added.append(MeetingMember(name=name))
    if not added:
        raise MeetingError("Choose a member or type a name to invite", "members")
    for member in added:
        meeting.members.append(member)
    db.session.flush()
    for member in added:
        audit.record(actor, "meeting_member", member.id, "create", "name", None, member.name)
    db.session.flush()
    return added


def member_in(meeting: Meeting, member_id: int) -> MeetingMember:
    """Return one of this meeting's members, or refuse."""
    for member in meeting.members:
        if member.id == member_id:
            return member
    raise MeetingError("That person is not invited to this meeting")


def record_attendance(actor: User, member: MeetingMember, value: str) -> None:
    """Record whether an invited member came: present, apologies, absent (or not recorded)."""
    try:
        attendance = Attendance(value)
    except ValueError:
        raise MeetingError(
            f"Choose whether {member.name} was present, sent apologies or was absent",
            "attendance",
        ) from None
    audit.record_change(
        actor, "meeting_member", member.id, "attendance", member.attendance, attendance
    )
    member.attendance = attendance
    db.session.flush()


def remove_member(actor: User, meeting: Meeting, member: MeetingMember) -> None:
    """Take someone off the list of members invited."""
    audit.record(actor, "meeting_member", member.id, "delete", "name", member.name, None)
    meeting.members.remove(member)
    db.session.flush()


def record_discussion(actor: User, item: AgendaItem, text: str) -> None:
    """The minutes of an item: a summary of what was discussed."""
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise MeetingError(
            f"A discussion summary must be {TEXT_MAX:,} characters or fewer", "discussion"
        )
    audit.record_change(actor, "agenda_item", item.id, "discussion", item.discussion, text)
    item.discussion = text
    db.session.flush()


def attendance_of(meeting: Meeting) -> dict[Attendance, list[MeetingMember]]:
    """The members invited, grouped by attendance (in the order they were invited)."""
    groups: dict[Attendance, list[MeetingMember]] = {a: [] for a in Attendance}
    for member in meeting.members:
        groups[member.attendance].append(member)
    return groups


def approve_previous_minutes(actor: User, meeting: Meeting) -> Meeting:
    """At this meeting, the members approve the minutes of the meeting before it."""
    previous = meeting.previous_meeting
    if previous is None:
        raise MeetingError("There are no minutes of a previous meeting to approve")
    if previous.minutes_approved_at is not None:
        raise MeetingError(
            f"The minutes of {previous.title} were already approved on "
            f"{uk_date(previous.minutes_approved_at)}"
        )
    previous.minutes_approved_at = utcnow()
    previous.minutes_approved_by_id = actor.id
    previous.minutes_approved_at_meeting_id = meeting.id
    audit.record(actor, "meeting", previous.id, "approve", "minutes", None, meeting.id)
    db.session.flush()
    return previous
