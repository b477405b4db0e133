"""Note rules: who may write, edit, submit, publish, return, archive, endorse and pin."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, literal_column, select, text
from sqlalchemy.orm import selectinload

from .. import audit, search
from ..core.unitofwork import RuleError
from ..extensions import db
from ..models import (
    Commitment,
    Meeting,
    MeetingNote,
    Note,
    NoteEndorsement,
    NoteStatus,
    NoteVersion,
    Role,
    StaffRole,
    Theme,
    User,
    note_commitments,
    note_roles,
    note_themes,
)
from ..outbox import service as outbox

REVIEWERS = (StaffRole.ADMIN, StaffRole.MEMBER)
AUTHORS = (StaffRole.CHAMPION, StaffRole.ADMIN)
EDITABLE = (NoteStatus.DRAFT, NoteStatus.RETURNED, NoteStatus.PUBLISHED)
LIMITS = {"title": 200, "summary": 1000, "body": 20000, "cost": 2000, "achieved": 2000}


class NoteError(RuleError):
    """A note action was refused; the message is shown to the person."""


class NotAllowed(NoteError):
    """The person's role or relation to the note does not allow this action (a 403)."""


@dataclass
class NoteInput:
    """What the note form collects."""

    title: str
    summary: str
    body: str
    commitment_ids: list[int] = field(default_factory=list)
    role_ids: list[int] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)
    evidence_links: list[str] = field(default_factory=list)
    cost: str = ""
    achieved: str = ""


def validate(data: NoteInput) -> dict[str, str]:
    """Return a message per field that is wrong; nothing is saved when there are any."""
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Enter a title"
    if not data.summary.strip():
        errors["summary"] = "Enter a short summary"
    if not data.body.strip():
        errors["body"] = "Enter what worked and how"
    for name, limit in LIMITS.items():
        if len(getattr(data, name) or "") > limit:
            errors[name] = f"This must be {limit:,} characters or fewer"
    for link in data.evidence_links:
        if not re.match(r"^https?://[^\s<>\"']+$", link) or len(link) > 500:
            errors["evidence_links"] = "Enter each evidence link on its own line, starting https://"
            break
    return errors


def _slugify(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "note"
    slug, n = base, 2
    while db.session.scalar(select(Note.id).where(Note.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(note: Note, data: NoteInput) -> None:
    note.title = data.title.strip()
    note.summary = data.summary.strip()
    note.body = data.body.strip()
    note.cost = data.cost.strip() or None
    note.achieved = data.achieved.strip() or None
    note.evidence_links = list(data.evidence_links)
    taxonomy = {
        "commitment_ids": sorted(set(data.commitment_ids)),
        "role_ids": sorted(set(data.role_ids)),
        "theme_ids": sorted(set(data.theme_ids)),
    }
    if note.published_version_id is None:
        _set_taxonomy(note, taxonomy)
    else:
        note.draft_taxonomy = taxonomy


def _set_taxonomy(note: Note, taxonomy: dict) -> None:
    note.commitments = list(
        db.session.scalars(select(Commitment).where(Commitment.id.in_(taxonomy["commitment_ids"])))
    )
    note.roles = list(db.session.scalars(select(Role).where(Role.id.in_(taxonomy["role_ids"]))))
    note.themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(taxonomy["theme_ids"]))))
    note.draft_taxonomy = None


def working_taxonomy(note: Note) -> dict[str, list[int]]:
    """Return the commitments, roles and themes of the note being worked on."""
    if note.draft_taxonomy:
        return note.draft_taxonomy
    return {
        "commitment_ids": [c.id for c in note.commitments],
        "role_ids": [r.id for r in note.roles],
        "theme_ids": [t.id for t in note.themes],
    }


def create(actor: User, data: NoteInput) -> Note:
    """Start a note as a draft (Social Value Champions, and admins)."""
    if actor.role not in AUTHORS:
        raise NotAllowed("Only Social Value Champions write notes")
    errors = validate(data)
    if errors:
        raise NoteError(next(iter(errors.values())))
    note = Note(slug=_slugify(data.title), author=actor, status=NoteStatus.DRAFT)
    _apply(note, data)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "note", note.id, "create", "title", None, note.title)
    db.session.flush()
    return note


def can_edit(actor: User, note: Note) -> bool:
    """Authors edit their own drafts, returned and published notes; admins any note."""
    if note.status not in EDITABLE:
        return False
    return actor.role is StaffRole.ADMIN or note.author_id == actor.id


def edit(actor: User, note: Note, data: NoteInput) -> None:
    """Change a note. Editing a published note starts a new draft version; the published
    version stays public until the new one is published."""
    if not can_edit(actor, note):
        raise NotAllowed("You can only edit your own notes that are drafts, returned or published")
    errors = validate(data)
    if errors:
        raise NoteError(next(iter(errors.values())))
    before = note.status
    _apply(note, data)
    if note.status is NoteStatus.PUBLISHED:
        note.status = NoteStatus.DRAFT
    audit.record(actor, "note", note.id, "edit", "status", before, note.status)
    db.session.flush()


def _transition(actor: User, note: Note, new: NoteStatus) -> None:
    audit.record_change(actor, "note", note.id, "status", note.status, new)
    note.status = new


def submit(actor: User, note: Note) -> None:
    """Send a draft or returned note for review (its author)."""
    if note.author_id != actor.id and actor.role is not StaffRole.ADMIN:
        raise NotAllowed("Only the author can submit a note")
    if note.status not in (NoteStatus.DRAFT, NoteStatus.RETURNED):
        raise NoteError(f"A note that is {note.status.label.lower()} cannot be submitted")
    _transition(actor, note, NoteStatus.SUBMITTED)
    outbox.note_submitted(note)  # to the Implementation Group members
    db.session.flush()


def publish(actor: User, note: Note) -> NoteVersion:
    """Publish a submitted note as a new version (members and admins, never the author)."""
    if actor.role not in REVIEWERS:
        raise NotAllowed("Only Implementation Group members publish notes")
    if note.author_id == actor.id:
        raise NotAllowed("You cannot publish your own note: another member must review it")
    if note.status is not NoteStatus.SUBMITTED:
        raise NoteError("Only a note submitted for review can be published")
    version = NoteVersion(
        number=len(note.versions) + 1,
        title=note.title,
        summary=note.summary,
        body=note.body,
        evidence_links=list(note.evidence_links or []),
        cost=note.cost,
        achieved=note.achieved,
        published_by=actor,
    )
    note.versions.append(version)
    if note.draft_taxonomy:
        _set_taxonomy(note, note.draft_taxonomy)
    db.session.flush()
    note.published_version = version
    note.first_published_at = note.first_published_at or version.published_at
    note.review_comment = None
    _transition(actor, note, NoteStatus.PUBLISHED)
    audit.record(actor, "note", note.id, "publish", "version", None, version.number)
    db.session.flush()
    return version


def return_note(actor: User, note: Note, comment: str) -> None:
    """Return a submitted note to its author with a comment (members and admins)."""
    if actor.role not in REVIEWERS:
        raise NotAllowed("Only Implementation Group members review notes")
    if note.status is not NoteStatus.SUBMITTED:
        raise NoteError("Only a note submitted for review can be returned")
    comment = (comment or "").strip()
    if not comment:
        raise NoteError("Enter a comment for the author")
    if len(comment) > 2000:
        raise NoteError("The comment must be 2,000 characters or fewer")
    note.review_comment = comment
    _transition(actor, note, NoteStatus.RETURNED)
    audit.record(actor, "note", note.id, "return", "review_comment", None, comment)
    outbox.note_returned(note)  # to its author
    db.session.flush()


def archive(actor: User, note: Note) -> None:
    """Take a note out of use: out of the public library (members, admins, or its author)."""
    if actor.role not in REVIEWERS and note.author_id != actor.id:
        raise NotAllowed("You cannot archive this note")
    if note.status is NoteStatus.ARCHIVED:
        raise NoteError("The note is already archived")
    _transition(actor, note, NoteStatus.ARCHIVED)
    db.session.flush()


def endorse(actor: User, note: Note) -> None:
    """Endorse a published note (members and admins), once each."""
    if actor.role not in REVIEWERS:
        raise NotAllowed("Only Implementation Group members endorse notes")
    if note.published_version_id is None:
        raise NoteError("Only published notes can be endorsed")
    if any(e.user_id == actor.id for e in note.endorsements):
        raise NoteError("You have already endorsed this note")
    note.endorsements.append(NoteEndorsement(user=actor))
    audit.record(actor, "note", note.id, "endorse", None, None, actor.email)
    db.session.flush()


def pin_to_meeting(actor: User, note: Note, meeting: Meeting) -> None:
    """Pin a published note into a meeting's agenda (members and admins)."""
    if actor.role not in REVIEWERS:
        raise NotAllowed("Only Implementation Group members change agendas")
    if note.published_version_id is None:
        raise NoteError("Only published notes can be pinned into an agenda")
    already = db.session.scalar(
        select(MeetingNote).where(
            MeetingNote.meeting_id == meeting.id, MeetingNote.note_id == note.id
        )
    )
    if already is not None:
        raise NoteError(f"The note is already on the agenda of {meeting.title}")
    from ..agenda import ensure_notes_item

    db.session.add(MeetingNote(meeting_id=meeting.id, note_id=note.id, pinned_by_id=actor.id))
    ensure_notes_item(meeting)
    audit.record(actor, "meeting", meeting.id, "pin", "note", None, note.title)
    db.session.flush()


def pinned_to(meeting: Meeting) -> list[Note]:
    """Return the notes members pinned into a meeting."""
    return list(
        db.session.scalars(
            select(Note)
            .join(MeetingNote, MeetingNote.note_id == Note.id)
            .where(MeetingNote.meeting_id == meeting.id)
            .order_by(MeetingNote.id)
        )
    )


# ---------------------------------------------------------------------------------------------
# Reading


def get(note_id: int) -> Note | None:
    """Return a note with its versions."""
    return db.session.scalar(
        select(Note).where(Note.id == note_id).options(selectinload(Note.versions))
    )


def get_published(slug: str) -> Note | None:
    """Return a note the public may see (published at least once, not archived)."""
    return db.session.scalar(
        select(Note).where(
            Note.slug == slug,
            Note.published_version_id.is_not(None),
            Note.status != NoteStatus.ARCHIVED,
        )
    )


def notes_for(actor: User) -> list[Note]:
    """Return the notes a person works with: champions their own, reviewers all of them."""
    query = select(Note).order_by(Note.updated_at.desc())
    if actor.role not in REVIEWERS and actor.role is not StaffRole.ADMIN:
        query = query.where(Note.author_id == actor.id)
    return list(db.session.scalars(query))


def published_between(start: datetime, end_before: datetime) -> list[Note]:
    """Return notes first published in a period (for the agenda's best-practice section)."""
    return list(
        db.session.scalars(
            select(Note)
            .where(
                Note.first_published_at >= start,
                Note.first_published_at < end_before,
                Note.status != NoteStatus.ARCHIVED,
            )
            .order_by(Note.first_published_at)
        )
    )


def published_for_commitment(commitment_id: int) -> list[Note]:
    """Return published notes related to a commitment, newest first."""
    return list(
        db.session.scalars(
            select(Note)
            .join(note_commitments, note_commitments.c.note_id == Note.id)
            .where(
                note_commitments.c.commitment_id == commitment_id,
                Note.published_version_id.is_not(None),
                Note.status != NoteStatus.ARCHIVED,
            )
            .order_by(Note.first_published_at.desc())
        )
    )


@dataclass
class LibraryFilters:
    q: search.SearchQuery
    commitment: str | None = None
    role: str | None = None
    theme: str | None = None


def _library_query(filters: LibraryFilters) -> Select:
    query = (
        select(Note, NoteVersion)
        .join(NoteVersion, NoteVersion.id == Note.published_version_id)
        .where(Note.status != NoteStatus.ARCHIVED)
    )
    for table, model, column, value in (
        (note_commitments, Commitment, "commitment_id", filters.commitment),
        (note_roles, Role, "role_id", filters.role),
        (note_themes, Theme, "theme_id", filters.theme),
    ):
        if value:
            target = select(model.id).where(model.slug == value).scalar_subquery()
            query = query.where(
                exists().where(and_(table.c.note_id == Note.id, table.c[column] == target))
            )
    return query


def library(filters: LibraryFilters) -> list[tuple[Note, NoteVersion]]:
    """Return published notes, best match first when searching, else newest first."""
    query = _library_query(filters)
    if filters.q:
        if db.engine.dialect.name == "sqlite":
            expression = " ".join('"' + " ".join(words) + '"' for words in filters.q.phrases)
            matches = (
                select(
                    literal_column("note_versions_fts.rowid").label("id"),
                    literal_column("bm25(note_versions_fts, 3.0, 2.0, 1.0)").label("rank"),
                )
                .select_from(text("note_versions_fts"))
                .where(text("note_versions_fts MATCH :nq").bindparams(nq=expression))
                .subquery()
            )
        else:
            tsquery = func.to_tsquery("english", search._tsquery_sql(filters.q))
            vector = literal_column("note_versions.search_vector")
            matches = (
                select(
                    NoteVersion.id.label("id"), (-func.ts_rank_cd(vector, tsquery)).label("rank")
                )
                .where(vector.op("@@")(tsquery))
                .subquery()
            )
        query = query.join(matches, matches.c.id == NoteVersion.id).order_by(matches.c.rank)
    else:
        query = query.order_by(NoteVersion.published_at.desc())
    return [(row[0], row[1]) for row in db.session.execute(query.limit(200))]


def reviewers_can_publish(actor: User, note: Note) -> bool:
    """Say whether this person may publish this note now."""
    return (
        actor.role in REVIEWERS
        and note.author_id != actor.id
        and note.status is NoteStatus.SUBMITTED
    )
