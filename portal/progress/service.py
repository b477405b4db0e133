"""Progress rules: who may report on which commitment, one update per quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from .. import audit
from ..core.unitofwork import RuleError
from ..extensions import db
from ..inputs import TEXT_MAX
from ..models import Commitment, ProgressStatus, ProgressUpdate, StaffRole, User, utcnow
from ..outbox import service as outbox
from ..periods import quarter_of


class ProgressError(RuleError):
    """An update was refused; the message is shown to the person."""


@dataclass
class ProgressInput:
    year: int
    quarter: int
    status: ProgressStatus
    narrative: str
    evidence_links: list[str]


def may_report(actor: User, commitment: Commitment) -> bool:
    """Admins report on any commitment; officers on the commitments linked to them."""
    if actor.role is StaffRole.ADMIN:
        return True
    return actor.role is StaffRole.OFFICER and any(c.id == commitment.id for c in actor.commitments)


def quarter_choices(count: int = 6) -> list[tuple[int, int]]:
    """Return the current financial quarter and the ones before it, newest first."""
    year, quarter = quarter_of(utcnow().date())
    choices = []
    for _ in range(count):
        choices.append((year, quarter))
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return choices


def validate(data: ProgressInput) -> dict[str, str]:
    """Return a message per field that is wrong."""
    errors = {}
    if (data.year, data.quarter) not in quarter_choices(12):
        errors["quarter"] = "Choose the quarter the update is for"
    if not data.narrative.strip():
        errors["narrative"] = "Describe the progress made this quarter"
    elif len(data.narrative) > TEXT_MAX:
        errors["narrative"] = f"The narrative must be {TEXT_MAX:,} characters or fewer"
    for link in data.evidence_links:
        if not re.match(r"^https?://[^\s<>\"']+$", link) or len(link) > 500:
            errors["evidence_links"] = "Enter each evidence link on its own line, starting https://"
            break
    return errors


def post_update(actor: User, commitment: Commitment, data: ProgressInput) -> ProgressUpdate:
    """Record (or correct) the update for a commitment and quarter."""
    if not may_report(actor, commitment):
        raise ProgressError("You can only report on the commitments you are responsible for")
    errors = validate(data)
    if errors:
        raise ProgressError(next(iter(errors.values())))
    update = db.session.scalar(
        select(ProgressUpdate).where(
            ProgressUpdate.commitment_id == commitment.id,
            ProgressUpdate.year == data.year,
            ProgressUpdate.quarter == data.quarter,
        )
    )
    if update is None:
        update = ProgressUpdate(commitment=commitment, year=data.year, quarter=data.quarter)
        db.session.add(update)
    before = update.status
    update.status = data.status
    update.narrative = data.narrative.strip()
    update.evidence_links = list(data.evidence_links)
    update.author_id = actor.id
    db.session.flush()
    audit.record(
        actor, "progress", update.id, "update", f"{data.year}-Q{data.quarter}", before, data.status
    )
    outbox.progress_posted(update)  # to the commitment's confirmed followers
    db.session.flush()
    return update


def history(commitment: Commitment) -> list[ProgressUpdate]:
    """Return a commitment's updates, the latest quarter first."""
    return list(
        db.session.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.commitment_id == commitment.id)
            .order_by(ProgressUpdate.year.desc(), ProgressUpdate.quarter.desc())
        )
    )


def latest_by_commitment(up_to: tuple[int, int] | None = None) -> dict[int, ProgressUpdate]:
    """Return each commitment's latest update (up to a financial quarter), in one query."""
    key = ProgressUpdate.year * 10 + ProgressUpdate.quarter
    latest = select(ProgressUpdate.commitment_id, func.max(key).label("k"))
    if up_to is not None:
        latest = latest.where(key <= up_to[0] * 10 + up_to[1])
    latest = latest.group_by(ProgressUpdate.commitment_id).subquery()
    rows = db.session.scalars(
        select(ProgressUpdate).join(
            latest,
            (latest.c.commitment_id == ProgressUpdate.commitment_id) & (key == latest.c.k),
        )
    )
    return {u.commitment_id: u for u in rows}


@dataclass
class CommitmentProgress:
    commitment: Commitment
    latest: ProgressUpdate | None


def commitments_to_report(actor: User) -> list[CommitmentProgress]:
    """Return the commitments a person reports on (an admin: all) with each latest update."""
    if actor.role is StaffRole.ADMIN:
        commitments = list(
            db.session.scalars(select(Commitment).order_by(Commitment.position, Commitment.id))
        )
    else:
        commitments = list(actor.commitments)
    latest = latest_by_commitment()
    return [CommitmentProgress(c, latest.get(c.id)) for c in commitments]
