"""A meeting's agenda as other features see it: the meetings in date order, and the agenda item
that best-practice notes are pinned under. Shared by meetings and notes, so that pinning a note
into an agenda needs nothing from the meetings package."""

from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import AgendaItem, AgendaItemKind, Meeting


def list_meetings() -> list[Meeting]:
    """Return meetings, the most recent first."""
    return list(
        db.session.scalars(select(Meeting).order_by(Meeting.meeting_date.desc(), Meeting.id))
    )


def insert_before_aob(meeting: Meeting, new: AgendaItem) -> None:
    """Put a new item just before any other business, renumbering the rest."""
    ordered = sorted(meeting.items, key=lambda i: i.position)
    at = next((n for n, i in enumerate(ordered) if i.kind is AgendaItemKind.AOB), len(ordered))
    ordered.insert(at, new)
    for position, item in enumerate(ordered, start=1):
        item.position = position
    meeting.items.append(new)


def ensure_notes_item(meeting: Meeting) -> AgendaItem:
    """Return the agenda's best-practice item, adding it before any other business if needed."""
    item = next((i for i in meeting.items if i.kind is AgendaItemKind.NOTES), None)
    if item is None:
        item = AgendaItem(kind=AgendaItemKind.NOTES, title="Best-practice notes", snapshot={})
        insert_before_aob(meeting, item)
    return item
