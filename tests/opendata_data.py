"""Test data for the open-data and API tests: seeded feedback with contact details, plus every
kind of public record, each carrying text that looks like personal data."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from portal.demo.seed import seed_feedback
from portal.extensions import db
from portal.models import (
    Action,
    AgendaItem,
    AgendaItemKind,
    Commitment,
    Decision,
    Feedback,
    FeedbackStatus,
    Locality,
    Meeting,
    Note,
    NoteStatus,
    NoteVersion,
    ProgressStatus,
    ProgressUpdate,
    StakeholderType,
    note_commitments,
)

CONTACT = "ring Jo on 0151 234 5678, jo.bloggs@example.org, L1 8JQ"
UNAPPROVED = "UNAPPROVED-SECRET this text was never approved for quotation"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _feedback(body: str, commitment_id: int, **changes) -> Feedback:
    token = hashlib.sha256(body.encode() + str(changes).encode()).hexdigest()
    item = Feedback(
        reference="SVF-T" + token[:7].upper(),
        tracking_token_hash=token,
        commitment_id=commitment_id,
        body=body,
        stakeholder_type=StakeholderType.PASSENGER,
        received_at=datetime(2026, 5, 10, tzinfo=UTC),
        **changes,
    )
    db.session.add(item)
    return item


def populate() -> dict[str, object]:
    """Fill the database with feedback and public records; return what the tests look for."""
    seed_feedback(400, seed=16)
    # Approve some of the quotes people consented to.
    db.session.execute(
        update(Feedback)
        .where(Feedback.consent_to_quote.is_(True), Feedback.id % 3 == 0)
        .values(quote_approved=True)
    )
    commitment = db.session.scalars(select(Commitment).order_by(Commitment.id)).first()
    quoted = _feedback(f"Please {CONTACT} about the bus stop", commitment.id, consent_to_quote=True)
    quoted.quote_approved = True
    _feedback(FORMULA, commitment.id, consent_to_quote=True, quote_approved=True)
    for number in range(6):  # one cell big enough to publish
        _feedback(f"The bus was late ({number})", commitment.id, locality=Locality.LIVERPOOL)
    _feedback(UNAPPROVED, commitment.id, consent_to_quote=True, quote_approved=False)
    _feedback(UNAPPROVED + " spam", commitment.id, status=FeedbackStatus.SPAM)
    db.session.add(
        ProgressUpdate(
            commitment_id=commitment.id,
            year=2026,
            quarter=1,
            status=ProgressStatus.ON_TRACK,
            narrative=f"Bus stop audit done; {CONTACT}",
            evidence_links=["mailto:jo.bloggs@example.org", "https://example.org/report"],
        )
    )
    note = Note(
        slug="safer-stations",
        status=NoteStatus.PUBLISHED,
        title="Safer stations",
        summary="What we learnt about lighting at bus stations",
        body=f"Lighting helped. Questions: {CONTACT}",
        first_published_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    db.session.add(note)
    db.session.flush()
    version = NoteVersion(
        note_id=note.id,
        number=1,
        title=note.title,
        summary=note.summary,
        body=note.body,
        published_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    db.session.add(version)
    db.session.flush()
    note.published_version_id = version.id
    db.session.execute(
        note_commitments.insert().values(note_id=note.id, commitment_id=commitment.id)
    )
    meeting = Meeting(
        title="Implementation Group",
        meeting_date=date(2026, 6, 15),
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
    )
    item = AgendaItem(
        meeting=meeting,
        position=1,
        kind=AgendaItemKind.COMMITMENT,
        title=commitment.title,
        commitment_id=commitment.id,
    )
    db.session.add_all([meeting, item])
    db.session.add(Decision(item=item, text=f"Improve lighting; {CONTACT}"))
    db.session.add(
        Action(
            item=item,
            description="Survey the lighting",
            owner="Owner Person-Name",
            outcome=f"Lighting fixed; {CONTACT}",
            outcome_published_at=datetime(2026, 6, 20, tzinfo=UTC),
            closed_at=datetime(2026, 6, 20, tzinfo=UTC),
        )
    )
    db.session.commit()
    return {"commitment": commitment.slug, "since": datetime.now(UTC) - timedelta(days=1)}
