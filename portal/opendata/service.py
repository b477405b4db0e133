"""What the public may have of the portal's data, as plain rows: the open-data file and the
public API both read from here, so they publish exactly the same things.

Nothing personal leaves through these functions: no contact details, no staff names, no
feedback text unless its author consented and a member approved it for quotation, every text
scrubbed of anything that looks like an email address, phone number or postcode, and feedback
counts under 5 suppressed as the equality report does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import extract, func, select

from .. import audit
from ..anonymise import public_quote, scrub
from ..core.unitofwork import RuleError
from ..extensions import db
from ..models import (
    Action,
    AgendaItem,
    Commitment,
    Decision,
    Feedback,
    FeedbackStatus,
    Meeting,
    Note,
    NoteStatus,
    NoteVersion,
    ProgressUpdate,
    Role,
    Theme,
    User,
    commitment_roles,
    commitment_themes,
    note_commitments,
)
from ..privacy.service import SUPPRESS_BELOW
from .models import OpenDataRelease

# Feedback that is not a person's point (spam) or is counted elsewhere (duplicates).
NOT_COUNTED = (FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE)
LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def _clean(text: str | None) -> str | None:
    return None if text is None else scrub(text)


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def financial_period(moment: datetime) -> tuple[int, int]:
    """Return (financial year, quarter) of a moment: 2026-Q1 is April to June 2026."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    day = moment.astimezone(UTC).date()
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1


def roles() -> list[dict]:
    """Return the roles of the framework."""
    return [
        {
            "id": r.id,
            "slug": r.slug,
            "name": r.name,
            "description": _clean(r.description),
            "source": r.source,
            "example": r.example,
            "active": r.active,
        }
        for r in db.session.scalars(select(Role).order_by(Role.position, Role.id))
    ]


def themes() -> list[dict]:
    """Return the themes of the framework."""
    return [
        {
            "id": t.id,
            "slug": t.slug,
            "name": t.name,
            "description": _clean(t.description),
            "source": t.source,
            "example": t.example,
            "active": t.active,
        }
        for t in db.session.scalars(select(Theme).order_by(Theme.position, Theme.id))
    ]


def commitment_row(c: Commitment) -> dict:
    """Return a commitment as the public sees it."""
    return {
        "id": c.id,
        "slug": c.slug,
        "title": c.title,
        "text": _clean(c.text),
        "horizon": c.horizon.value,
        "transport": bool(c.transport),
        "responsible_team": c.responsible_team or "",
        "source": c.source or "",
        "example": bool(c.example),
        "active": bool(c.active),
    }


def commitments() -> list[dict]:
    """Return every commitment of the framework."""
    query = select(Commitment).order_by(Commitment.position, Commitment.id)
    return [commitment_row(c) for c in db.session.scalars(query)]


def links(table) -> list[dict]:
    """Return the rows of a commitment link table (roles or themes)."""
    return [dict(row._mapping) for row in db.session.execute(select(table).order_by(*table.c))]


def commitment_roles_rows() -> list[dict]:
    """Return which commitment is in which role."""
    return links(commitment_roles)


def commitment_themes_rows() -> list[dict]:
    """Return which commitment is under which theme."""
    return links(commitment_themes)


def progress_row(u: ProgressUpdate) -> dict:
    """Return a progress update without its author."""
    return {
        "id": u.id,
        "commitment_id": u.commitment_id,
        "financial_year": u.year,
        "quarter": u.quarter,
        "period": f"{u.year}-Q{u.quarter}",
        "status": u.status.value,
        "narrative": _clean(u.narrative),
        "evidence_links": "\n".join(scrub(str(link)) for link in (u.evidence_links or [])),
        "updated_at": _iso(u.updated_at),
    }


def progress_updates() -> list[dict]:
    """Return every quarterly progress update, oldest first."""
    query = select(ProgressUpdate).order_by(
        ProgressUpdate.year, ProgressUpdate.quarter, ProgressUpdate.id
    )
    return [progress_row(u) for u in db.session.scalars(query)]


@dataclass(frozen=True)
class CountKey:
    commitment_id: int | None
    financial_year: int
    quarter: int
    stakeholder_type: str
    locality: str | None
    transport_mode: str | None


def _enum_value(value) -> str | None:
    return None if value is None else getattr(value, "value", value)


def feedback_counts() -> list[dict]:
    """Count feedback per commitment × financial quarter × stakeholder type × locality ×
    transport mode; a count from 1 to 4 is published as suppressed (no number), so that no
    cell can point at a person."""
    counter: Counter[CountKey] = Counter()
    # Counted in the database per calendar month (a few thousand groups, however many items),
    # then folded into financial quarters here. Months are taken in UTC on both databases.
    moment = Feedback.received_at
    if db.engine.dialect.name == "postgresql":
        moment = func.timezone("UTC", Feedback.received_at)
    year, month = extract("year", moment), extract("month", moment)
    columns = (
        Feedback.commitment_id,
        year,
        month,
        Feedback.stakeholder_type,
        Feedback.locality,
        Feedback.transport_mode,
    )
    query = (
        select(*columns, func.count()).where(Feedback.status.not_in(NOT_COUNTED)).group_by(*columns)
    )
    for commitment_id, y, m, stakeholder, locality, mode, n in db.session.execute(query):
        y, m = int(y), int(m)
        key = CountKey(
            commitment_id,
            y if m >= 4 else y - 1,
            (m - 4) % 12 // 3 + 1,
            _enum_value(stakeholder),
            _enum_value(locality),
            _enum_value(mode),
        )
        counter[key] += n
    rows = []
    ordered = sorted(
        counter.items(),
        key=lambda item: (
            item[0].financial_year,
            item[0].quarter,
            item[0].commitment_id or 0,
            item[0].stakeholder_type,
            item[0].locality or "",
            item[0].transport_mode or "",
        ),
    )
    for number, (key, n) in enumerate(ordered, start=1):
        suppressed = n < SUPPRESS_BELOW
        rows.append(
            {
                "id": number,
                "commitment_id": key.commitment_id,
                "financial_year": key.financial_year,
                "quarter": key.quarter,
                "period": f"{key.financial_year}-Q{key.quarter}",
                "stakeholder_type": key.stakeholder_type,
                "locality": key.locality,
                "transport_mode": key.transport_mode,
                "count": None if suppressed else n,
                "suppressed": suppressed,
            }
        )
    return rows


def decisions() -> list[dict]:
    """Return the Implementation Group's decisions on commitments ("You said, we did")."""
    query = (
        select(Decision, AgendaItem.commitment_id, Meeting.meeting_date)
        .join(Decision.item)
        .join(AgendaItem.meeting)
        .where(AgendaItem.commitment_id.is_not(None))
        .order_by(Meeting.meeting_date, Decision.id)
    )
    return [
        {
            "id": decision.id,
            "commitment_id": commitment_id,
            "meeting_date": _iso(meeting_date),
            "text": _clean(decision.text),
        }
        for decision, commitment_id, meeting_date in db.session.execute(query)
    ]


def outcomes() -> list[dict]:
    """Return the published outcomes of agreed actions (never who owns the action)."""
    query = (
        select(Action, AgendaItem.commitment_id)
        .join(Action.item)
        .where(AgendaItem.commitment_id.is_not(None), Action.outcome_published_at.is_not(None))
        .order_by(Action.outcome_published_at, Action.id)
    )
    return [
        {
            "id": action.id,
            "commitment_id": commitment_id,
            "action": _clean(action.description),
            "outcome": _clean(action.outcome),
            "status": action.status.value,
            "published_at": _iso(action.outcome_published_at),
        }
        for action, commitment_id in db.session.execute(query)
    ]


def published_notes() -> Iterator[tuple[Note, NoteVersion]]:
    """Yield the published, unarchived notes with the version the public sees."""
    query = (
        select(Note, NoteVersion)
        .join(NoteVersion, NoteVersion.id == Note.published_version_id)
        .where(Note.status != NoteStatus.ARCHIVED)
        .order_by(Note.id)
    )
    yield from db.session.execute(query)


def note_row(note: Note, version: NoteVersion) -> dict:
    """Return a published note without its author."""
    return {
        "id": note.id,
        "slug": note.slug,
        "title": _clean(version.title),
        "summary": _clean(version.summary),
        "body": _clean(version.body),
        "cost": _clean(version.cost),
        "achieved": _clean(version.achieved),
        "version": version.number,
        "first_published_at": _iso(note.first_published_at),
        "published_at": _iso(version.published_at),
    }


def notes() -> list[dict]:
    """Return the published best-practice notes."""
    return [note_row(note, version) for note, version in published_notes()]


def note_commitments_rows() -> list[dict]:
    """Return which published note is about which commitment."""
    published = {row["id"] for row in notes()}
    return [row for row in links(note_commitments) if row["note_id"] in published]


def quotes() -> list[dict]:
    """Return approved public quotes: consented, approved by a member, scrubbed; only the
    financial quarter they were received in, never the day or who sent them."""
    query = (
        select(Feedback)
        .where(
            Feedback.consent_to_quote.is_(True),
            Feedback.quote_approved.is_(True),
            Feedback.status.not_in(NOT_COUNTED),
        )
        .order_by(Feedback.received_at, Feedback.id)
    )
    rows = []
    for item in db.session.scalars(query):
        text = public_quote(item)
        if not text:
            continue
        year, quarter = financial_period(item.received_at)
        rows.append(
            {
                "id": len(rows) + 1,
                "commitment_id": item.commitment_id,
                "period": f"{year}-Q{quarter}",
                "stakeholder_type": item.stakeholder_type.value,
                "text": text,
            }
        )
    return rows


# --- publishing -----------------------------------------------------------------------------

BUILD_NAME = re.compile(r"social-value-[0-9]{4}-[0-9]{2}-[0-9]{2}\.db")


class OpenDataError(RuleError):
    """A build that cannot be published."""


@dataclass
class BuildFile:
    path: Path
    size: int
    built_at: datetime
    release: OpenDataRelease | None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def zip(self) -> Path | None:
        archive = self.path.with_suffix(".zip")
        return archive if archive.exists() else None

    @property
    def metadata(self) -> Path | None:
        document = self.path.with_suffix(".metadata.json")
        return document if document.exists() else None


def directory() -> Path:
    """Return the folder builds are written to (OPENDATA_DIR, default instance/opendata)."""
    configured = current_app.config.get("OPENDATA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "opendata"


def _releases() -> dict[str, OpenDataRelease]:
    return {r.filename: r for r in db.session.scalars(select(OpenDataRelease))}


def builds() -> list[BuildFile]:
    """Return the builds on disk, newest first, each with its release if published."""
    folder = directory()
    releases = _releases()
    found = []
    for path in folder.glob("social-value-*.db") if folder.is_dir() else []:
        if not BUILD_NAME.fullmatch(path.name):
            continue
        stat = path.stat()
        built_at = datetime.fromtimestamp(stat.st_mtime, UTC)
        found.append(BuildFile(path, stat.st_size, built_at, releases.get(path.name)))
    return sorted(found, key=lambda b: b.name, reverse=True)


def published() -> list[BuildFile]:
    """Return the published builds whose files are still there, newest first."""
    return [b for b in builds() if b.release is not None]


def published_file(name: str) -> Path | None:
    """Return the path of a published build's file (.db, .zip or .metadata.json), or None."""
    for build in published():
        for path in (build.path, build.zip, build.metadata):
            if path is not None and path.name == name:
                return path
    return None


def is_published(path: Path) -> bool:
    """Say whether this file is a published build in the open-data folder."""
    if path.parent.resolve() != directory().resolve():
        return False
    query = select(OpenDataRelease.id).where(OpenDataRelease.filename == path.name)
    return db.session.scalar(query) is not None


def publish(actor: User | None, filename: str) -> OpenDataRelease:
    """Publish a build: list it on /open-data and record who did it in the audit trail."""
    from .build import sha256

    if not BUILD_NAME.fullmatch(filename or ""):
        raise OpenDataError("Choose a build from the list")
    path = directory() / filename
    if not path.is_file():
        raise OpenDataError(f"There is no build called {filename}")
    if db.session.scalar(select(OpenDataRelease).where(OpenDataRelease.filename == filename)):
        raise OpenDataError(f"{filename} is already published")
    release = OpenDataRelease(
        filename=filename,
        size=path.stat().st_size,
        sha256=sha256(path),
        published_by_id=actor.id if actor is not None else None,
    )
    db.session.add(release)
    db.session.flush()
    audit.record(actor, "opendata_release", release.id, "publish", "filename", None, filename)
    return release
