"""Shared test data: feedback, staff users, meetings and notes, made through the portal's own
services (so every rule, audit entry and outbox message is as in production) and committed.

Call them inside an app context. In tests that use the `app` fixture the commit only releases a
savepoint of the test's rolled-back transaction (see conftest.py); in the browser tests it makes
the data visible to the live server.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Channel,
    Commitment,
    Feedback,
    FeedbackStatus,
    Meeting,
    Note,
    Priority,
    Sentiment,
    StakeholderType,
    User,
)

PASSWORD = "correct horse battery staple"  # every factory-made user's password
BODY = "A perfectly ordinary piece of feedback"


def commitment(slug: str) -> Commitment:
    """The framework commitment with this slug."""
    found = db.session.scalar(select(Commitment).where(Commitment.slug == slug))
    assert found is not None, f"no commitment {slug!r} in the framework"
    return found


def feedback(
    body: str = BODY,
    *,
    commitment: str | int | Commitment | None = None,
    stakeholder_type: str | StakeholderType = StakeholderType.PASSENGER,
    channel: str | Channel = Channel.WEB,
    received_at: datetime | None = None,
    status: FeedbackStatus | None = None,
    sentiment: Sentiment | None = None,
    priority: Priority | None = None,
    quote_approved: bool | None = None,
    **fields,
) -> Feedback:
    """Store one feedback item as the public form does (`submit_feedback`), then set what only
    staff set (status, sentiment, priority, an approved quote). `commitment` is a slug, an id or
    a Commitment; the other keywords are `NewFeedback` fields (consent_to_quote, email, ...).
    The tracking token is on `item.token`."""
    from portal.public.service import NewFeedback, submit_feedback

    if isinstance(commitment, str):
        commitment = _commitment(commitment)
    commitment_id = commitment.id if isinstance(commitment, Commitment) else commitment
    submission = submit_feedback(
        NewFeedback(
            body=body,
            stakeholder_type=StakeholderType(stakeholder_type),
            commitment_id=commitment_id,
            channel=Channel(channel),
            received_at=received_at,
            **fields,
        )
    )
    item = submission.feedback
    for name, value in (
        ("status", status),
        ("sentiment", sentiment),
        ("priority", priority),
        ("quote_approved", quote_approved),
    ):
        if value is not None:
            setattr(item, name, value)
    db.session.commit()
    item.token = submission.token
    return item


_commitment = commitment


def user(
    role: str = "member", email: str | None = None, name: str = "", password: str = PASSWORD
) -> User:
    """A staff account with a role (email `<role>@example.invalid` unless given)."""
    from portal.auth.service import create_user

    account = create_user(email or f"{role}@example.invalid", role, password, name or role)
    db.session.commit()
    return account


def meeting(
    by: User,
    title: str = "Implementation Group",
    on: date = date(2026, 10, 8),
    period_start: date | None = None,
    period_end: date | None = None,
) -> Meeting:
    """An Implementation Group meeting planned by `by` (the period defaults as the form's)."""
    from portal.meetings import service

    planned = service.create_meeting(by, title, on, period_start, period_end)
    db.session.commit()
    return planned


def note(
    author: User,
    title: str = "Foodbank points that staff look after",
    body: str = "## How\n\n- ask the station team\n- empty it weekly",
    commitments: tuple[str | int, ...] = ("foodbank-collection-points",),
    *,
    submit: bool = False,
    publisher: User | None = None,
    **fields,
) -> Note:
    """A best-practice note written by `author` (a champion); submitted for review if `submit`,
    published by `publisher` (a member) if given. `commitments` are slugs or ids."""
    from portal.notes import service

    fields.setdefault("summary", f"What worked: {title.lower()}.")
    written = service.create(
        author,
        service.NoteInput(
            title=title,
            body=body,
            commitment_ids=[c if isinstance(c, int) else _commitment(c).id for c in commitments],
            **fields,
        ),
    )
    if submit or publisher:
        service.submit(author, written)
    if publisher:
        service.publish(publisher, written)
    db.session.commit()
    return written
