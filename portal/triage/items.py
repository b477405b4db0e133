"""One feedback item: tags, assessment, assignment, workflow, notes, public reply, quotes.

Nothing here commits: the view commits once, so a change and its audit entries are one
transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..inputs import TEXT_MAX
from ..models import (
    Code,
    Feedback,
    FeedbackStatus,
    InternalNote,
    Priority,
    Role,
    Sentiment,
    StaffRole,
    Theme,
    TransportMode,
    User,
    utcnow,
)
from ..outbox import service as outbox
from ..search.lookup import get_item  # noqa: F401  (items are found by reference there)
from .workflow import FINAL_STATUSES, TriageError, can_transition


def staff_members() -> list[User]:
    """Return the active accounts feedback can be assigned to (admins and members)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([StaffRole.ADMIN, StaffRole.MEMBER]))
            .order_by(User.name, User.email)
        )
    )


def set_tags(
    item: Feedback,
    actor: User,
    role_ids: Iterable[int],
    theme_ids: Iterable[int],
    code_ids: Iterable[int],
) -> None:
    """Replace an item's role, theme and code tags, recording what changed."""
    roles = list(db.session.scalars(select(Role).where(Role.id.in_(list(role_ids)))))
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(list(theme_ids)))))
    codes = list(
        db.session.scalars(select(Code).where(Code.id.in_(list(code_ids)), Code.retired.is_(False)))
    )
    for name, old, new in (
        ("roles", item.roles, roles),
        ("themes", item.themes, themes),
        ("codes", item.codes, codes),
    ):
        before = sorted(x.name for x in old)
        after = sorted(x.name for x in new)
        if audit.record_change(actor, "feedback", item.id, name, before, after):
            setattr(item, name, new)


def set_transport_mode(item: Feedback, actor: User, mode: TransportMode | None) -> None:
    """Tag the transport mode or asset an item is about (or none), recording the change."""
    if audit.record_change(actor, "feedback", item.id, "transport_mode", item.transport_mode, mode):
        item.transport_mode = mode


def set_assessment(
    item: Feedback, actor: User, sentiment: Sentiment | None, priority: Priority
) -> None:
    """Set an item's sentiment and priority."""
    if audit.record_change(actor, "feedback", item.id, "sentiment", item.sentiment, sentiment):
        item.sentiment = sentiment
    if audit.record_change(actor, "feedback", item.id, "priority", item.priority, priority):
        item.priority = priority


def assign(item: Feedback, actor: User, assignee: User | None) -> None:
    """Assign an item to a member or admin, or to nobody."""
    if assignee is not None and assignee.role not in (StaffRole.ADMIN, StaffRole.MEMBER):
        raise TriageError("Feedback can only be assigned to Implementation Group members")
    before = item.assignee.email if item.assignee else None
    after = assignee.email if assignee else None
    if audit.record_change(actor, "feedback", item.id, "assignee", before, after):
        item.assignee = assignee
        outbox.item_assigned(item, actor, assignee)


def change_status(
    item: Feedback,
    actor: User,
    new: FeedbackStatus,
    duplicate_of: Feedback | None = None,
) -> None:
    """Move an item along the workflow, refusing moves it does not allow."""
    if not can_transition(item.status, new):
        raise TriageError(f"{item.reference} cannot move from {item.status.label} to {new.label}")
    if new is FeedbackStatus.DUPLICATE:
        if duplicate_of is None:
            raise TriageError("Enter the reference of the original item")
        if duplicate_of.id == item.id:
            raise TriageError("An item cannot be a duplicate of itself")
        if duplicate_of.duplicate_of_id == item.id:
            raise TriageError(f"{duplicate_of.reference} is already a duplicate of this item")
        audit.record_change(
            actor, "feedback", item.id, "duplicate_of", None, duplicate_of.reference
        )
        item.duplicate_of = duplicate_of
    elif item.duplicate_of_id is not None:
        audit.record_change(
            actor, "feedback", item.id, "duplicate_of", item.duplicate_of.reference, None
        )
        item.duplicate_of = None
    audit.record_change(actor, "feedback", item.id, "status", item.status, new)
    item.status = new
    # The retention clock starts when an item reaches a final state and stops if it reopens.
    item.closed_at = utcnow() if new in FINAL_STATUSES else None


def add_note(item: Feedback, actor: User, body: str) -> InternalNote:
    """Add an internal note (never shown publicly)."""
    body = body.strip()
    if not body:
        raise TriageError("Enter a note")
    if len(body) > TEXT_MAX:
        raise TriageError("A note must be 5,000 characters or fewer")
    note = InternalNote(feedback=item, author=actor, body=body)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "feedback", item.id, "note", "internal_note", None, f"note {note.id}")
    return note


def set_public_reply(item: Feedback, actor: User | None, reply: str) -> None:
    """Publish (or withdraw, with an empty reply) the reply shown on the tracking page."""
    reply = reply.strip()
    if len(reply) > TEXT_MAX:
        raise TriageError("A reply must be 5,000 characters or fewer")
    new = reply or None
    if audit.record_change(actor, "feedback", item.id, "public_reply", item.public_reply, new):
        item.public_reply = new
        item.public_reply_at = utcnow() if new else None
        outbox.reply_published(item)  # only to an author who consented; nothing if withdrawn


def set_quote_approval(item: Feedback, actor: User | None, approved: bool) -> None:
    """Approve an item's text for quotation on public pages, or withdraw the approval (audited).
    Only text whose author consented to be quoted can be approved."""
    if approved and not item.consent_to_quote:
        raise TriageError("This person did not agree to be quoted, so it cannot be approved")
    if approved and item.status in (FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE):
        raise TriageError("Spam and duplicates cannot be quoted")
    if audit.record_change(
        actor, "feedback", item.id, "quote_approved", item.quote_approved, approved
    ):
        item.quote_approved = approved
        item.quote_approved_at = utcnow() if approved else None
