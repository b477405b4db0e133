"""Staff export of the filtered inbox as CSV or XLSX, streamed in bounded memory.

Rows are read from the database in partitions (a server-side cursor on PostgreSQL), the
roles, themes and codes of each partition in one query each, and written out as they come:
CSV through a generator, XLSX through openpyxl's write-only workbook into a temporary file
that is then streamed. Every cell goes through portal.exports.safe_cell (never a formula).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from .. import audit
from ..exports import safe_cell
from ..extensions import db
from ..models import (
    Channel,
    Code,
    Commitment,
    ContactDetails,
    Feedback,
    FeedbackStatus,
    Locality,
    Priority,
    Role,
    Sentiment,
    StakeholderType,
    Theme,
    TransportMode,
    User,
    feedback_codes,
    feedback_roles,
    feedback_themes,
)
from ..triage.inbox import InboxFilters, inbox_query

PARTITION = 1000
# A worksheet holds 1,048,576 rows; one is the header.
XLSX_MAX_ROWS = 1_048_575
CHUNK_BYTES = 64 * 1024

# The columns the import reads back (same headers, so a round trip needs no mapping) ...
HEADER = [
    "Reference",
    "Date received",
    "Channel",
    "Stakeholder type",
    "Organisation",
    "Locality",
    "Commitment",
    "Transport mode",
    "Text",
    # ... and what triage added.
    "Commitment title",
    "Status",
    "Sentiment",
    "Priority",
    "Rating",
    "Roles",
    "Themes",
    "Codes",
    "Assigned to",
]
CONTACT_HEADER = ["Contact name", "Contact email"]


def _label(value: Any) -> str:
    return value.label if value is not None else ""


def export_query(filters: InboxFilters, user: User | None, contact: bool) -> Select:
    """Return the select of every filtered item, newest first: the inbox's own query."""
    assignee = aliased(User)
    columns = [
        Feedback.id,
        Feedback.reference,
        Feedback.received_at,
        Feedback.channel,
        Feedback.stakeholder_type,
        Feedback.organisation,
        Feedback.locality,
        Commitment.slug,
        Feedback.transport_mode,
        Feedback.body,
        Commitment.title,
        Feedback.status,
        Feedback.sentiment,
        Feedback.priority,
        Feedback.rating,
        assignee.name,
        assignee.email,
    ]
    if contact:
        columns += [ContactDetails.name, ContactDetails.email]
    query = (
        select(*columns)
        .select_from(Feedback)
        .outerjoin(Commitment, Commitment.id == Feedback.commitment_id)
        .outerjoin(assignee, assignee.id == Feedback.assignee_id)
    )
    if contact:
        query = query.outerjoin(ContactDetails, ContactDetails.feedback_id == Feedback.id)
    return inbox_query(filters, user, query)


def _tags(ids: Sequence[int]) -> dict[str, dict[int, list[str]]]:
    """Return the role, theme and code names of these items (one query each)."""
    found: dict[str, dict[int, list[str]]] = {}
    for key, link, model, column, order in (
        ("roles", feedback_roles, Role, feedback_roles.c.role_id, Role.position),
        ("themes", feedback_themes, Theme, feedback_themes.c.theme_id, Theme.position),
        ("codes", feedback_codes, Code, feedback_codes.c.code_id, Code.name),
    ):
        names: dict[int, list[str]] = defaultdict(list)
        rows = db.session.execute(
            select(link.c.feedback_id, model.name)
            .join(model, model.id == column)
            .where(link.c.feedback_id.in_(ids))
            .order_by(order)
        )
        for feedback_id, name in rows:
            names[feedback_id].append(name)
        found[key] = names
    return found


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored in UTC); PostgreSQL aware ones.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def export_rows(filters: InboxFilters, user: User | None, contact: bool) -> Iterator[list[Any]]:
    """Yield the export's rows (without the header), reading the database in partitions."""
    query = export_query(filters, user, contact).execution_options(yield_per=PARTITION)
    result = db.session.execute(query)
    for partition in result.partitions():
        tags = _tags([row[0] for row in partition])
        for row in partition:
            (identifier, reference, received, channel, who, organisation, locality, slug) = row[:8]
            (mode, body, title, status, sentiment, priority, rating, a_name, a_email) = row[8:17]
            out = [
                reference,
                _utc(received).replace(tzinfo=None),
                _label(Channel(channel) if channel else None),
                _label(StakeholderType(who) if who else None),
                organisation or "",
                _label(Locality(locality) if locality else None),
                slug or "",
                _label(TransportMode(mode) if mode else None),
                body,
                title or "",
                _label(FeedbackStatus(status) if status else None),
                _label(Sentiment(sentiment) if sentiment else None),
                _label(Priority(priority) if priority else None),
                rating if rating is not None else "",
                "; ".join(tags["roles"].get(identifier, [])),
                "; ".join(tags["themes"].get(identifier, [])),
                "; ".join(tags["codes"].get(identifier, [])),
                a_name or a_email or "",
            ]
            if contact:
                out += [row[17] or "", row[18] or ""]
            yield out


def header(contact: bool) -> list[str]:
    """Return the export's header row."""
    return HEADER + (CONTACT_HEADER if contact else [])


def _csv_value(value: Any) -> Any:
    # Fast path: text starting with a letter or digit can never be read as a formula.
    if isinstance(value, str) and value[:1].isalnum():
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return safe_cell(value)


class _Lines:
    """A write target for csv.writer that hands back what was written since the last call."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def csv_stream(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Yield UTF-8 CSV (with a byte-order mark, so spreadsheets read it as UTF-8) in chunks."""
    lines = _Lines()
    writer = csv.writer(lines)
    writer.writerow([safe_cell(h) for h in head])
    yield ("\ufeff" + lines.take()).encode()
    size = 0
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        size += 1
        if size == 500:
            yield lines.take().encode()
            size = 0
    rest = lines.take()
    if rest:
        yield rest.encode()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    safe = value if isinstance(value, str) and value[:1].isalnum() else safe_cell(value)
    if isinstance(safe, str):
        # Characters XML 1.0 cannot hold would stop the workbook being written.
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", safe)
    return safe


def xlsx_stream(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Write a write-only workbook to a temporary file, then yield it in chunks."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Feedback")
    sheet.append([_xlsx_value(h) for h in head])
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="portal-export-")
    os.close(handle)
    try:
        written = 0
        for row in rows:
            if written == XLSX_MAX_ROWS - 1:
                sheet.append(["More items than one worksheet holds: download the CSV for all"])
                break
            sheet.append([_xlsx_value(v) for v in row])
            written += 1
        workbook.save(path)
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def record_contact_export(user: User, fmt: str, filters: InboxFilters) -> None:
    """Write the audit entry for an export with contact details (the caller commits)."""
    args = "&".join(f"{k}={v}" for k, v in sorted(filters.to_args().items()))
    audit.record(
        user,
        "feedback_export",
        user.id,
        "export",
        "contact_details",
        None,
        f"{fmt}: {args or 'all items'}",
    )
