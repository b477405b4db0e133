"""Find one feedback item by its reference, as a person types it (any case), with its tags,
assignee and internal notes loaded: the triage item page and the privacy redaction page both
start from a reference."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Feedback


def item_options():
    """Loader options for showing items with their tags and assignee (no query per row)."""
    return (
        selectinload(Feedback.roles),
        selectinload(Feedback.themes),
        selectinload(Feedback.codes),
        selectinload(Feedback.assignee),
    )


def item_query(reference: str) -> Select[tuple[Feedback]]:
    """The feedback item with this reference, with its tags and notes loaded (for
    `db.first_or_404`, or `get_item`)."""
    return (
        select(Feedback)
        .where(Feedback.reference == reference.upper())
        .options(*item_options(), selectinload(Feedback.notes))
    )


def get_item(reference: str) -> Feedback | None:
    """Return the feedback item with this reference, with its tags loaded."""
    return db.session.scalar(item_query(reference))
