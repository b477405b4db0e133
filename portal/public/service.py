"""Rules of the public journey: listing the framework, storing feedback, tracking it."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..crypto import blind_index
from ..database import note_inserted
from ..extensions import db
from ..framework_lists import (  # noqa: F401  (moved there; the names stay here too)
    FrameworkCounts,
    FrameworkFilters,
    commitment_choices,
    commitment_query,
    framework_counts,
    get_commitment,
    group_by_primary_role,
    list_commitments,
    list_roles,
    list_themes,
)
from ..models import (
    Channel,
    ContactDetails,
    Feedback,
    Locality,
    StakeholderType,
    TransportMode,
    utcnow,
)
from ..outbox import service as outbox
from ..privacy import service as privacy

# No 0/O or 1/I: a reference read out over the phone cannot be misheard as another.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 7
TRACKING_TOKEN_BYTES = 24  # 192 bits
CONSENT_VERSION = "2026-11-contact-v1"
QUOTE_CONSENT_VERSION = "2026-11-quote-v1"
_MAX_REFERENCE_ATTEMPTS = 8


@dataclass(frozen=True)
class NewFeedback:
    """Validated input for one feedback item."""

    body: str
    stakeholder_type: StakeholderType
    commitment_id: int | None = None
    organisation: str | None = None
    locality: Locality | None = None
    rating: int | None = None
    consent_to_quote: bool = False
    consent_to_contact: bool = False
    name: str | None = None
    email: str | None = None
    submission_key: str | None = None
    channel: Channel = Channel.WEB
    received_at: datetime | None = None
    transport_mode: TransportMode | None = None


@dataclass(frozen=True)
class Submission:
    """What the person is shown after submitting: a reference and, once, the tracking token."""

    feedback: Feedback
    token: str | None
    duplicate: bool = False
    equality_token: str | None = None  # with `offer_equality`, for a new item only


def generate_reference() -> str:
    """Return a random reference such as SVF-7KQ2M9X (not sequential, unambiguous letters)."""
    return "SVF-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def hash_token(token: str) -> str:
    """Return the stored form of a tracking token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_submission_key() -> str:
    """Return a fresh one-time key for a feedback form."""
    return secrets.token_urlsafe(24)


def find_by_submission_key(key: str) -> Feedback | None:
    """Return the feedback already stored under this one-time form key."""
    return db.session.scalar(select(Feedback).where(Feedback.submission_key == key))


def build_feedback(data: NewFeedback) -> tuple[Feedback, str]:
    """Return a new, unsaved feedback item (with contact details only with consent) and its
    private tracking token."""
    token = secrets.token_urlsafe(TRACKING_TOKEN_BYTES)
    feedback = Feedback(
        reference=generate_reference(),
        tracking_token_hash=hash_token(token),
        submission_key=data.submission_key,
        commitment_id=data.commitment_id,
        body=data.body,
        stakeholder_type=data.stakeholder_type,
        organisation=data.organisation or None,
        locality=data.locality,
        transport_mode=data.transport_mode,
        rating=data.rating,
        consent_to_quote=data.consent_to_quote,
        channel=data.channel,
    )
    if data.received_at is not None:
        feedback.received_at = data.received_at
    if data.consent_to_quote:
        feedback.quote_consent_version = QUOTE_CONSENT_VERSION
        feedback.quote_consented_at = utcnow()
    if data.consent_to_contact and data.email:
        feedback.contact = ContactDetails(
            name=data.name or None,
            email=data.email,
            email_index=blind_index(data.email),
            consent_to_contact=True,
            consent_version=CONSENT_VERSION,
        )
    return feedback, token


@cache
def _reloaded() -> tuple[str, ...]:
    """Every attribute but the ones the INSERT already made final (see `submit_feedback`)."""
    final = {"id", "reference", "contact"}  # the contact details are the ones to be written
    return tuple(n for n in sa_inspect(Feedback).attrs.keys() if n not in final)


def _insert_row(feedback: Feedback) -> int | None:
    """INSERT a new item's row unless its one-time key (or reference, or tracking hash) is
    taken; return its id, or None when it was taken. One statement, no savepoint: a taken key
    is not an error, so nothing in the transaction has to be undone. Core, not the ORM's bulk
    INSERT (which cost twice as much for one row)."""
    given = feedback.__dict__
    values = {column: given[attribute] for attribute, column in _columns() if attribute in given}
    connection = db.session.connection()
    return connection.execute(_insert_statement(connection.dialect.name), values).scalar()


@cache
def _columns() -> tuple[tuple[str, str], ...]:
    """(attribute, column) of every column of the feedback table."""
    return tuple((p.key, p.columns[0].key) for p in sa_inspect(Feedback).column_attrs)


@cache
def _insert_statement(dialect: str) -> Insert:
    """The INSERT of `_insert_row`, built once (its columns are the parameters given)."""
    table = Feedback.__table__
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing().returning(table.c.id)


def _as_stored(feedback: Feedback, new_id: int) -> Feedback:
    """Return the session's object for the row just inserted from `feedback`, as if loaded:
    its id and reference known, the rest read back as stored (enums, defaults) when used; its
    contact details, if any, pending (written by the commit)."""
    contact = feedback.contact
    feedback.contact = None  # added on its own below: it is not stored yet
    feedback.id = new_id
    make_transient_to_detached(feedback)
    # The object itself joins the session as the row's (no copy, as merge made): nothing else
    # holds it. Merged only if the session still holds an object of the same id (one a
    # rolled-back transaction had inserted: SQLite gives its id again).
    if db.session.identity_key(Feedback, new_id) in db.session.identity_map:
        stored = db.session.merge(feedback, load=False)
    else:
        db.session.add(feedback)
        stored = feedback
    db.session.expire(stored, _reloaded())
    if contact is not None:
        contact.feedback_id = new_id
        set_committed_value(contact, "feedback", stored)
        db.session.add(contact)
    set_committed_value(stored, "contact", contact)  # known: no query for it
    return stored


def submit_feedback(data: NewFeedback, *, offer_equality: bool = False) -> Submission:
    """Store one feedback item (and contact details, only with consent) in one transaction.

    A second submission with the same one-time key returns the first item instead of a copy:
    the key is unique in the database, so the second INSERT does nothing (ON CONFLICT DO
    NOTHING) and the first item is looked up then. A first submission, the usual case, costs
    no lookup. The item's row is written at once; its contact details, acknowledgement (the
    outbox) and equality token go with the caller's commit, in the same transaction.

    With `offer_equality`, a new item also gets a one-time token for the equality questions
    (kept apart from it: only the token's hash is stored, with no link to the item); a second
    send of the same form gets none.
    """
    for attempt in range(_MAX_REFERENCE_ATTEMPTS):
        feedback, token = build_feedback(data)
        try:
            new_id = _insert_row(feedback)
        except OperationalError as error:
            # SQLite's busy timeout already waited; a bounded retry covers a long checkpoint.
            if "locked" not in str(error).lower() or attempt == _MAX_REFERENCE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2**attempt)
            continue
        if new_id is None:
            # Either a double submit (same key, perhaps concurrent) or a reference collision.
            if data.submission_key:
                existing = find_by_submission_key(data.submission_key)
                if existing is not None:
                    return Submission(existing, token=None, duplicate=True)
            continue
        stored = _as_stored(feedback, new_id)
        note_inserted(db.session(), stored)  # auto-tagged with the commit, like any new item
        outbox.feedback_received(stored, token)
        equality_token = privacy.issue_equality_token() if offer_equality else None
        return Submission(stored, token=token, equality_token=equality_token)
    raise RuntimeError("Could not allocate a unique reference")


def find_by_token(token: str) -> Feedback | None:
    """Return the feedback this private tracking token belongs to."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(
        select(Feedback).where(Feedback.tracking_token_hash == hash_token(token))
    )
