"""Staff import rules: map a file's columns to fields, check every row, import the valid ones.

Nothing here commits: the view or the command commits the whole import once, so the items,
their link to the source file and the audit entries are written together or not at all.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from .. import audit
from ..exports import safe_cell
from ..extensions import db
from ..inputs import TEXT_MAX
from ..models import (
    Channel,
    Commitment,
    Feedback,
    Locality,
    StakeholderType,
    TransportMode,
    User,
    utcnow,
)
from ..public.service import NewFeedback, build_feedback, generate_reference
from .models import BatchStatus, ImportBatch, feedback_imports
from .reader import FileProblem, Table, kind_of, read_table

# The fields a column can be mapped to: key, label, and other headers that mean the same.
FIELDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("text", "Text", ("feedback", "comment", "comments", "body", "what they said")),
    ("date_received", "Date received", ("date", "received", "received on", "received at")),
    ("channel", "Channel", ("how received", "source")),
    ("stakeholder_type", "Stakeholder type", ("who", "stakeholder", "respondent type")),
    ("organisation", "Organisation", ("organization", "company", "business name")),
    ("locality", "Locality", ("area", "local authority", "borough")),
    ("commitment", "Commitment", ("commitment slug",)),
    ("transport_mode", "Transport mode", ("transport mode or asset", "mode")),
    ("reference", "Reference", ("ref",)),
]
FIELD_LABELS = {key: label for key, label, _ in FIELDS}
REQUIRED = ("text", "date_received")
IGNORE = ""
EARLIEST = date(2022, 4, 1)
ORGANISATION_MAX = 200
REFERENCE = re.compile(r"SVF-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{7}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")
DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


class ImportProblem(FileProblem):
    """The import as a whole was refused (mapping, an upload that is gone, already imported)."""


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def guess_mapping(header: list[str]) -> dict[int, str]:
    """Return {column index: field} for headers that name a field (each field used once)."""
    names = {}
    for key, label, aliases in FIELDS:
        for name in (key.replace("_", " "), label, *aliases):
            names.setdefault(_key(name), key)
    mapping: dict[int, str] = {}
    for index, title in enumerate(header):
        chosen = names.get(_key(title))
        if chosen and chosen not in mapping.values():
            mapping[index] = chosen
    return mapping


def parse_map_options(header: list[str], options: list[str]) -> dict[int, str]:
    """Apply `--map "column=field"` options over the guessed mapping (field "ignore" drops it)."""
    mapping = guess_mapping(header)
    positions = {title: index for index, title in reversed(list(enumerate(header)))}
    for option in options:
        column, sep, target = option.rpartition("=")
        if not sep or not column:
            raise ImportProblem(f"--map {option!r}: write it as COLUMN=FIELD")
        if column not in positions:
            raise ImportProblem(
                f"--map {option!r}: the file has no column {column!r} "
                f"(its columns: {', '.join(header)})"
            )
        target = target.strip()
        if target in ("ignore", "-", IGNORE):
            mapping.pop(positions[column], None)
            continue
        if target not in FIELD_LABELS:
            raise ImportProblem(
                f"--map {option!r}: {target!r} is not a field (fields: {', '.join(FIELD_LABELS)})"
            )
        for index, chosen in list(mapping.items()):
            if chosen == target:
                del mapping[index]
        mapping[positions[column]] = target
    return mapping


def check_mapping(mapping: dict[int, str], default_channel: Channel | None) -> dict[str, str]:
    """Return {field: message} for a mapping that cannot be imported (empty when it can)."""
    errors: dict[str, str] = {}
    used: dict[str, int] = {}
    for index, target in mapping.items():
        if target in used:
            errors[target] = f"Map only one column to {FIELD_LABELS[target]}"
        used[target] = index
    for required in REQUIRED:
        if required not in used:
            errors[required] = f"Choose the column that holds the {FIELD_LABELS[required].lower()}"
    if "channel" not in used and default_channel is None:
        errors["channel"] = (
            "Choose the column that holds the channel, or how the feedback reached us"
        )
    return errors


@dataclass
class Row:
    """One row of the file, checked: the values to store, or what is wrong with it."""

    number: int
    text: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    duplicate_of: str | None = None  # "SVF-..." or "row 7": already imported, not again

    @property
    def ready(self) -> bool:
        return not self.problems and self.duplicate_of is None


@dataclass
class Preview:
    """Every row of a file checked against a mapping."""

    rows: list[Row]

    @property
    def ready(self) -> list[Row]:
        return [r for r in self.rows if r.ready]

    @property
    def with_problems(self) -> list[Row]:
        return [r for r in self.rows if r.problems]

    @property
    def duplicates(self) -> list[Row]:
        return [r for r in self.rows if not r.problems and r.duplicate_of]


def _clean(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = unicodedata.normalize("NFC", _CONTROL.sub("", str(value))).strip()
    # An export writes '=text as text (portal/exports.py); read it back as it was typed.
    if text.startswith("'") and safe_cell(text[1:]) == text:
        text = text[1:]
    return text


def _lookup(enum_cls, value: str):
    wanted = _key(value)
    for member in enum_cls:
        if wanted in (_key(member.value), _key(member.label)):
            return member
    return None


def _choices(enum_cls) -> str:
    return ", ".join(member.label for member in enum_cls)


def parse_received(value: Any) -> tuple[datetime | None, str | None]:
    """Return (when received, in UTC) or (None, message); a date alone means midday."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(12))
    else:
        text = _clean(value)
        if not text:
            return None, "Enter the date received"
        moment = None
        try:
            moment = datetime.fromisoformat(text)
            if len(text) == 10:  # YYYY-MM-DD: a date without a time
                moment = datetime.combine(moment.date(), time(12))
        except ValueError:
            for pattern in DATETIME_FORMATS + DATE_FORMATS:
                try:
                    moment = datetime.strptime(text, pattern)  # noqa: DTZ007  (UTC, below)
                except ValueError:
                    continue
                if pattern in DATE_FORMATS:
                    moment = datetime.combine(moment.date(), time(12))
                break
        if moment is None:
            return None, (
                f"The date received ‘{text[:40]}’ must be a real date, like 27/3/2026 or 2026-03-27"
            )
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment.date() > datetime.now(UTC).date():
        return None, "The date received must be today or in the past"
    if moment.date() < EARLIEST:
        return None, "The date received must be on or after 1 April 2022"
    return moment, None


def _commitments() -> dict[str, int]:
    found: dict[str, int] = {}
    for identifier, slug, title in db.session.execute(
        select(Commitment.id, Commitment.slug, Commitment.title)
    ):
        found.setdefault(_key(slug), identifier)
        found.setdefault(_key(title), identifier)
    return found


def check_rows(
    table: Table, mapping: dict[int, str], default_channel: Channel | None = None
) -> Preview:
    """Check every row against the mapping: its problems, or its values; flag duplicates."""
    commitments = _commitments()
    rows: list[Row] = []
    for number, cells in zip(table.numbers, table.rows, strict=True):
        raw = {target: cells[index] for index, target in mapping.items() if index < len(cells)}
        rows.append(_check_row(number, raw, commitments, default_channel))
    _flag_duplicates(rows)
    _check_references(rows)
    return Preview(rows)


def _check_row(
    number: int, raw: dict[str, Any], commitments: dict[str, int], default: Channel | None
) -> Row:
    row = Row(number)
    problems = row.problems
    text = _clean(raw.get("text", ""))
    row.text = text
    if not text:
        problems.append("Enter the feedback text")
    elif len(text) > TEXT_MAX:
        problems.append(f"The text must be {TEXT_MAX:,} characters or fewer (it has {len(text):,})")
    received, message = parse_received(raw.get("date_received", ""))
    if message:
        problems.append(message)
    values: dict[str, Any] = {"body": text, "received_at": received}
    for key, enum_cls, name in (
        ("channel", Channel, "channel"),
        ("stakeholder_type", StakeholderType, "stakeholder type"),
        ("locality", Locality, "locality"),
        ("transport_mode", TransportMode, "transport mode"),
    ):
        given = _clean(raw.get(key, ""))
        member = _lookup(enum_cls, given) if given else None
        if given and member is None:
            problems.append(f"The {name} ‘{given[:40]}’ is not one of: {_choices(enum_cls)}")
        values[key] = member
    if values["channel"] is None:
        values["channel"] = default or Channel.IN_PERSON
        if default is None and "channel" in raw and not _clean(raw["channel"]):
            problems.append("Enter the channel")
    values["stakeholder_type"] = values["stakeholder_type"] or StakeholderType.OTHER
    organisation = _clean(raw.get("organisation", ""))
    if len(organisation) > ORGANISATION_MAX:
        problems.append(f"The organisation must be {ORGANISATION_MAX} characters or fewer")
    values["organisation"] = organisation or None
    commitment = _clean(raw.get("commitment", ""))
    values["commitment_id"] = None
    if commitment and _key(commitment) not in ("", "none", "general"):
        values["commitment_id"] = commitments.get(_key(commitment))
        if values["commitment_id"] is None:
            problems.append(f"The commitment ‘{commitment[:60]}’ is not in the framework")
    reference = _clean(raw.get("reference", "")).upper()
    values["reference"] = None
    if reference:
        if REFERENCE.fullmatch(reference):
            values["reference"] = reference
        else:
            problems.append(f"The reference ‘{reference[:20]}’ must look like SVF-ABC2345")
    row.values = values
    return row


def _flag_duplicates(rows: list[Row]) -> None:
    """Flag rows whose text and date match an item already stored, or an earlier row."""
    candidates = [r for r in rows if not r.problems]
    if not candidates:
        return
    days = [r.values["received_at"].date() for r in candidates]
    start = datetime.combine(min(days), time.min, tzinfo=UTC)
    end = datetime.combine(max(days) + timedelta(1), time.min, tzinfo=UTC)
    stored: dict[tuple[str, date], str] = {}
    texts = sorted({r.text for r in candidates})
    for chunk in range(0, len(texts), 200):
        query = select(Feedback.body, Feedback.received_at, Feedback.reference).where(
            Feedback.received_at >= start,
            Feedback.received_at < end,
            Feedback.body.in_(texts[chunk : chunk + 200]),
        )
        for body, received, reference in db.session.execute(query):
            day = (received.replace(tzinfo=UTC) if received.tzinfo is None else received).date()
            stored.setdefault((body, day), reference)
    seen: dict[tuple[str, date], int] = {}
    for row in candidates:
        key = (row.text, row.values["received_at"].date())
        if key in stored:
            row.duplicate_of = stored[key]
        elif key in seen:
            row.duplicate_of = f"row {seen[key]}"
        else:
            seen[key] = row.number


def _check_references(rows: list[Row]) -> None:
    """A reference kept from the file must be new (unless the row is a duplicate anyway)."""
    wanted = [r for r in rows if r.ready and r.values.get("reference")]
    taken: set[str] = set()
    references = [r.values["reference"] for r in wanted]
    for chunk in range(0, len(references), 500):
        taken.update(
            db.session.scalars(
                select(Feedback.reference).where(
                    Feedback.reference.in_(references[chunk : chunk + 500])
                )
            )
        )
    used: set[str] = set()
    for row in wanted:
        reference = row.values["reference"]
        if reference in taken or reference in used:
            row.problems.append(f"The reference {reference} is already used by another item")
        used.add(reference)


# ---------------------------------------------------------------------------------------------
# Batches: an upload kept between preview and import


def new_batch(
    user: User | None, filename: str, content: bytes, default_channel: Channel | None = None
) -> tuple[ImportBatch, Table]:
    """Read an upload and keep it as a pending batch; raise FileProblem for a file it cannot."""
    name = _safe_filename(filename)
    table = read_table(content, kind_of(name))
    batch = ImportBatch(
        token=secrets.token_urlsafe(24),
        filename=name,
        sha256=hashlib.sha256(content).hexdigest(),
        status=BatchStatus.PENDING,
        content=content,
        uploaded_by_id=user.id if user is not None else None,
    )
    save_mapping(batch, guess_mapping(table.header), default_channel)
    _forget_old_uploads()
    db.session.add(batch)
    db.session.flush()
    return batch, table


def _safe_filename(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    name = _CONTROL.sub("", unicodedata.normalize("NFC", name)).strip()
    return name[-255:] or "upload"


def _forget_old_uploads() -> None:
    """Drop the bytes of uploads left pending for more than a day."""
    db.session.execute(
        delete(ImportBatch).where(
            ImportBatch.status == BatchStatus.PENDING,
            ImportBatch.created_at < utcnow() - timedelta(days=1),
        )
    )


def pending_batch(token: str | None, user: User) -> ImportBatch | None:
    """Return this person's upload with this token (pending or imported), or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(ImportBatch).where(ImportBatch.token == token, ImportBatch.uploaded_by_id == user.id)
    )


def batch_table(batch: ImportBatch) -> Table:
    """Return the stored upload's table."""
    if batch.content is None:
        raise ImportProblem("This file has already been imported")
    return read_table(batch.content, kind_of(batch.filename))


def save_mapping(batch: ImportBatch, mapping: dict[int, str], channel: Channel | None) -> None:
    """Keep the chosen mapping and default channel on the batch."""
    batch.mapping = {
        "columns": {str(k): v for k, v in mapping.items()},
        "channel": channel.value if channel else None,
    }


def stored_mapping(batch: ImportBatch) -> tuple[dict[int, str], Channel | None]:
    """Return the batch's mapping (integer column indexes) and default channel."""
    saved = batch.mapping or {}
    columns = {
        int(k): v
        for k, v in (saved.get("columns") or {}).items()
        if v in FIELD_LABELS and str(k).isdigit()
    }
    channel = saved.get("channel")
    return columns, Channel(channel) if channel in {c.value for c in Channel} else None


@dataclass
class ImportResult:
    batch: ImportBatch
    imported: list[Feedback]
    preview: Preview


def import_batch(
    batch: ImportBatch,
    mapping: dict[int, str],
    default_channel: Channel | None,
    user: User | None,
) -> ImportResult:
    """Import the valid rows of a pending batch (rows with problems or duplicates are left).

    Claims the batch first with a conditional UPDATE, so a double submit imports once.
    """
    errors = check_mapping(mapping, default_channel)
    if errors:
        raise ImportProblem(next(iter(errors.values())))
    table = batch_table(batch)
    claimed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == BatchStatus.PENDING)
        .values(status=BatchStatus.IMPORTED)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ImportProblem("This file has already been imported")
    preview = check_rows(table, mapping, default_channel)
    ready = preview.ready
    items = _build_items(ready)
    db.session.add_all(items)
    db.session.flush()
    if items:
        db.session.execute(
            insert(feedback_imports),
            [
                {"feedback_id": item.id, "batch_id": batch.id, "source_row": row.number}
                for item, row in zip(items, ready, strict=True)
            ],
        )
    for item in items:
        audit.record(user, "feedback", item.id, "create", "channel", None, item.channel)
    db.session.refresh(batch)
    batch.status = BatchStatus.IMPORTED
    batch.content = None
    save_mapping(batch, mapping, default_channel)
    batch.imported_count = len(items)
    batch.skipped_count = len(preview.rows) - len(items)
    batch.imported_at = utcnow()
    audit.record(user, "import_batch", batch.id, "import", "file", None, batch.filename)
    return ImportResult(batch, items, preview)


def _build_items(rows: list[Row]) -> list[Feedback]:
    items = []
    for row in rows:
        values = row.values
        feedback, _token = build_feedback(
            NewFeedback(
                body=values["body"],
                stakeholder_type=values["stakeholder_type"],
                commitment_id=values["commitment_id"],
                organisation=values["organisation"],
                locality=values["locality"],
                channel=values["channel"],
                received_at=values["received_at"],
                transport_mode=values["transport_mode"],
            )
        )
        if values.get("reference"):
            feedback.reference = values["reference"]
        items.append(feedback)
    _unique_references([i for i, r in zip(items, rows, strict=True) if not r.values["reference"]])
    return items


def _unique_references(items: list[Feedback]) -> None:
    """Replace any new random reference that is already taken (rare, but one would fail all)."""
    for _attempt in range(5):
        references = [i.reference for i in items]
        taken: set[str] = set()
        for chunk in range(0, len(references), 500):
            taken.update(
                db.session.scalars(
                    select(Feedback.reference).where(
                        Feedback.reference.in_(references[chunk : chunk + 500])
                    )
                )
            )
        seen: set[str] = set()
        clash = False
        for item in items:
            if item.reference in taken or item.reference in seen:
                item.reference = generate_reference()
                clash = True
            seen.add(item.reference)
        if not clash:
            return
