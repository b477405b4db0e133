"""Rules of the public journey: listing the framework, storing feedback, tracking it."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..crypto import blind_index
from ..database import savepoint
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
    return tuple(n for n in sa_inspect(Feedback).attrs.keys() if n not in {"id", "reference"})


def submit_feedback(data: NewFeedback, *, offer_equality: bool = False) -> Submission:
    """Store one feedback item (and contact details, only with consent) in one transaction.

    A second submission with the same one-time key returns the first item instead of a copy:
    the key is unique in the database, so the second INSERT fails (in its savepoint) and the
    first item is looked up then. A first submission, the usual case, costs no lookup.

    With `offer_equality`, a new item also gets a one-time token for the equality questions
    (kept apart from it: only the token's hash is stored, with no link to the item), written in
    the same flush as the item; a second send of the same form gets none.
    """
    for attempt in range(_MAX_REFERENCE_ATTEMPTS):
        feedback, token = build_feedback(data)
        equality_token = None
        try:
            # In a savepoint: a collision undoes this attempt only. The caller commits the item
            # and its acknowledgement (queued here) together.
            with savepoint():
                db.session.add(feedback)
                outbox.feedback_received(feedback, token)
                if offer_equality:
                    equality_token = privacy.issue_equality_token()
        except OperationalError as error:
            # SQLite's busy timeout already waited; a bounded retry covers a long checkpoint.
            if "locked" not in str(error).lower() or attempt == _MAX_REFERENCE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2**attempt)
            continue
        except IntegrityError:
            # Either a concurrent double submit (same key) or a reference collision.
            if data.submission_key:
                existing = find_by_submission_key(data.submission_key)
                if existing is not None:
                    return Submission(existing, token=None, duplicate=True)
            continue
        # Read back as stored (enums, defaults), as after a commit; the reference and id are
        # already what is stored, so showing the reference costs no SELECT.
        db.session.expire(feedback, _reloaded())
        return Submission(feedback, token=token, equality_token=equality_token)
    raise RuntimeError("Could not allocate a unique reference")


def find_by_token(token: str) -> Feedback | None:
    """Return the feedback this private tracking token belongs to."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(
        select(Feedback).where(Feedback.tracking_token_hash == hash_token(token))
    )
