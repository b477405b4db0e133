"""Fill a development database with realistic synthetic feedback, in bulk."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text

from ..crypto import blind_index
from ..extensions import db
from ..models import (
    Channel,
    Commitment,
    ContactDetails,
    Feedback,
    FeedbackStatus,
    Locality,
    Priority,
    Sentiment,
    StakeholderType,
    TransportMode,
)
from ..public.service import (
    CONSENT_VERSION,
    QUOTE_CONSENT_VERSION,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
)
from . import texts

BATCH_SIZE = 5000
DEMO_REPLY = (
    "Thank you. The Social Value Implementation Group discussed this and passed it to the "
    "responsible team, who will report progress in the next quarterly update."
)
SPAN_DAYS = 548  # about 18 months

STAKEHOLDER_WEIGHTS = {
    StakeholderType.PASSENGER: 40,
    StakeholderType.RESIDENT: 15,
    StakeholderType.BUSINESS: 15,
    StakeholderType.TRANSPORT_PROVIDER: 8,
    StakeholderType.VOLUNTARY_COMMUNITY: 8,
    StakeholderType.EMPLOYEE: 9,
    StakeholderType.OTHER: 5,
}
CHANNEL_WEIGHTS = {
    Channel.WEB: 75,
    Channel.SURVEY: 10,
    Channel.EMAIL: 7,
    Channel.PHONE: 4,
    Channel.IN_PERSON: 4,
}
LOCALITY_WEIGHTS = {
    None: 20,
    Locality.LIVERPOOL: 30,
    Locality.WIRRAL: 13,
    Locality.SEFTON: 11,
    Locality.KNOWSLEY: 7,
    Locality.ST_HELENS: 7,
    Locality.HALTON: 6,
    Locality.OUTSIDE: 6,
}


def _status_for(age_days: float, rng: random.Random) -> FeedbackStatus:
    """Older items are further along the workflow, as they would be in real use."""
    roll = rng.random()
    if roll < 0.02:
        return FeedbackStatus.SPAM
    if roll < 0.05:
        return FeedbackStatus.DUPLICATE
    if age_days < 14:
        return FeedbackStatus.NEW if roll < 0.8 else FeedbackStatus.IN_REVIEW
    if age_days < 60:
        return rng.choice(
            [FeedbackStatus.NEW, FeedbackStatus.IN_REVIEW, FeedbackStatus.REFERRED]
            + [FeedbackStatus.ACTIONED]
        )
    return rng.choice(
        [FeedbackStatus.CLOSED] * 4 + [FeedbackStatus.ACTIONED, FeedbackStatus.REFERRED]
    )


def _weighted(rng: random.Random, weights: dict) -> list:
    return list(weights.keys()), list(weights.values())


STATION_COMMITMENTS = {
    "safe-spaces-at-stations-and-travel-centres",
    "foodbank-collection-points",
    "transport-hubs-as-community-assets",
}


def _transport_mode(rng: random.Random, slug: str | None) -> TransportMode | None:
    """Return a plausible mode for demo feedback on a transport commitment (often none)."""
    if rng.random() < 0.5:
        return None
    if slug in STATION_COMMITMENTS and rng.random() < 0.7:
        return TransportMode.STATIONS
    return rng.choice(list(TransportMode))


def seed_feedback(
    count: int,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    span_days: int = SPAN_DAYS,
) -> int:
    """Insert `count` synthetic feedback items spread over the last `span_days` (18 months by
    default); return how many were made."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    commitments = list(
        db.session.execute(select(Commitment.id, Commitment.slug).where(Commitment.active))
    )
    if not commitments:
        raise RuntimeError("Load the framework first: flask framework load")
    references = set(db.session.scalars(select(Feedback.reference)))
    next_id = (db.session.scalar(select(func.max(Feedback.id))) or 0) + 1
    next_contact_id = (db.session.scalar(select(func.max(ContactDetails.id))) or 0) + 1

    # Its own generator, so adding transport modes left every other seeded value as it was.
    mode_rng = random.Random(None if seed is None else f"{seed}-transport-modes")
    transport_ids = set(
        db.session.scalars(select(Commitment.id).where(Commitment.transport.is_(True)))
    )
    stakeholders, stakeholder_w = _weighted(rng, STAKEHOLDER_WEIGHTS)
    channels, channel_w = _weighted(rng, CHANNEL_WEIGHTS)
    localities, locality_w = _weighted(rng, LOCALITY_WEIGHTS)
    alphabet = REFERENCE_ALPHABET

    done = 0
    while done < count:
        size = min(BATCH_SIZE, count - done)
        rows: list[dict] = []
        contacts: list[dict] = []
        for _ in range(size):
            while True:
                reference = "SVF-" + "".join(rng.choices(alphabet, k=REFERENCE_LENGTH))
                if reference not in references:
                    references.add(reference)
                    break
            # Weighted towards recent months: feedback grows as the portal becomes known.
            age_days = span_days * (rng.random() ** 1.6)
            received = now - timedelta(days=age_days, seconds=rng.randrange(86400))
            general = rng.random() < 0.12
            commitment_id, slug = (None, None) if general else rng.choice(commitments)
            stakeholder = rng.choices(stakeholders, stakeholder_w)[0]
            status = _status_for(age_days, rng)
            row = {
                "id": next_id,
                "reference": reference,
                "tracking_token_hash": hashlib.sha256(rng.randbytes(24)).hexdigest(),
                "submission_key": None,
                "commitment_id": commitment_id,
                "body": texts.feedback_text(rng, slug, stakeholder.value),
                "stakeholder_type": stakeholder,
                "organisation": texts.organisation_name(rng, stakeholder.value),
                "locality": rng.choices(localities, locality_w)[0],
                "transport_mode": _transport_mode(mode_rng, slug)
                if commitment_id in transport_ids
                else None,
                "rating": rng.choice([None, None, 1, 2, 3, 3, 4, 4, 5]),
                "consent_to_quote": rng.random() < 0.45,
                "channel": rng.choices(channels, channel_w)[0],
                "status": status,
                "public_reply": None,
                "public_reply_at": None,
                "received_at": received,
                "closed_at": received + timedelta(days=30)
                if status in (FeedbackStatus.CLOSED, FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE)
                else None,
                "quote_consent_version": None,
                "quote_consented_at": None,
                "anonymised_at": None,
                "sentiment": None
                if status is FeedbackStatus.NEW
                else rng.choice(
                    [
                        Sentiment.NEGATIVE,
                        Sentiment.NEGATIVE,
                        Sentiment.MIXED,
                        Sentiment.NEUTRAL,
                        Sentiment.POSITIVE,
                    ]
                ),
                "priority": Priority.HIGH if rng.random() < 0.05 else Priority.NORMAL,
                "created_at": received,
                "updated_at": received,
            }
            if row["consent_to_quote"]:
                row["quote_consent_version"] = QUOTE_CONSENT_VERSION
                row["quote_consented_at"] = received
            if status in (FeedbackStatus.ACTIONED, FeedbackStatus.CLOSED) and rng.random() < 0.3:
                row["public_reply"] = DEMO_REPLY
                row["public_reply_at"] = received + timedelta(days=rng.randint(7, 50))
            rows.append(row)
            if rng.random() < 0.1:
                contacts.append(
                    {
                        "id": next_contact_id,
                        "feedback_id": next_id,
                        "name": texts.contact_name(rng),
                        "email": f"demo{next_contact_id}@example.invalid",
                        "email_index": blind_index(f"demo{next_contact_id}@example.invalid"),
                        "consent_to_contact": True,
                        "consent_version": CONSENT_VERSION,
                        "consented_at": received,
                    }
                )
                next_contact_id += 1
            next_id += 1
        db.session.execute(insert(Feedback), rows)
        if contacts:
            db.session.execute(insert(ContactDetails), contacts)
        db.session.commit()
        done += size
        if progress:
            progress(size)
    _reset_sequences()
    return done


def _reset_sequences() -> None:
    """Move PostgreSQL id sequences past the explicit ids the bulk insert used."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("feedback", "contact_details"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )
    db.session.commit()
