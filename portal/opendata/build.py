"""Write the open-data SQLite file with sqlite-utils, its Datasette metadata and its CSV zip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from ..exports import safe_cell
from . import service
from .service import LICENCE, LICENCE_URL

TITLE = "Liverpool City Region Combined Authority: Social Value Framework open data"
SOURCE = "Social Value Feedback Portal, Liverpool City Region Combined Authority"

# Every table of the file, in the order it is written, with its description and a description
# of every column: the data dictionary of /open-data and Datasette's metadata.json.
TABLES: dict[str, dict] = {
    "roles": {
        "description": "The roles in which the Combined Authority creates social value.",
        "columns": {
            "id": "Identifier of the role in this file",
            "slug": "Short name used in addresses",
            "name": "Name of the role",
            "description": "What the role covers",
            "source": "Section of the 2022 Social Value report that states it (empty for an "
            "example)",
            "example": "1 if this is an example to be replaced by the authority's own framework",
            "active": "1 if the role is in use",
        },
    },
    "themes": {
        "description": "The themes of the vision: Fairer, Stronger, Greener.",
        "columns": {
            "id": "Identifier of the theme in this file",
            "slug": "Short name used in addresses",
            "name": "Name of the theme",
            "description": "What the theme covers",
            "source": "Section of the report that states it (empty for an example)",
            "example": "1 if this is an example to be replaced",
            "active": "1 if the theme is in use",
        },
    },
    "commitments": {
        "description": "The Social Value Framework's commitments.",
        "columns": {
            "id": "Identifier of the commitment in this file",
            "slug": "Short name used in addresses",
            "title": "Title of the commitment",
            "text": "The commitment's words",
            "horizon": "day-one (Day One Commitment) or future-aspiration",
            "transport": "1 if a transport commitment",
            "responsible_team": "The team responsible, where the report states it",
            "source": "Section of the report that states it (empty for an example)",
            "example": "1 if this is an example to be replaced",
            "active": "1 if the commitment is current",
        },
    },
    "commitment_roles": {
        "description": "Which commitment belongs to which role.",
        "columns": {"commitment_id": "The commitment", "role_id": "The role"},
    },
    "commitment_themes": {
        "description": "Which commitment is under which theme.",
        "columns": {"commitment_id": "The commitment", "theme_id": "The theme"},
    },
    "progress_updates": {
        "description": "Responsible Officers' quarterly progress on each commitment.",
        "columns": {
            "id": "Identifier of the update",
            "commitment_id": "The commitment",
            "financial_year": "Financial year starting 1 April of this year",
            "quarter": "Quarter of the financial year (1 = April to June)",
            "period": "Financial year and quarter, like 2026-Q2",
            "status": "not_started, on_track, at_risk, off_track or complete",
            "narrative": "What was done in the quarter",
            "evidence_links": "Links to evidence, one a line",
            "updated_at": "When the update was last changed (UTC)",
        },
    },
    "feedback_counts": {
        "description": "How many pieces of feedback were received, per commitment, financial "
        "quarter, stakeholder type, locality and transport mode. Counts from 1 to 4 are "
        "suppressed (count empty, suppressed 1) so that no cell identifies a person.",
        "columns": {
            "id": "Row number",
            "commitment_id": "The commitment (empty: feedback on the framework as a whole)",
            "financial_year": "Financial year starting 1 April of this year",
            "quarter": "Quarter of the financial year (1 = April to June)",
            "period": "Financial year and quarter, like 2026-Q2",
            "stakeholder_type": "business, transport_provider, passenger, voluntary_community, "
            "resident, employee or other",
            "locality": "Local authority area (halton, knowsley, liverpool, sefton, st-helens, "
            "wirral), outside, or empty when not given",
            "transport_mode": "Transport mode or asset, or empty when not given",
            "count": "Number of pieces of feedback; empty when suppressed",
            "suppressed": "1 if the count was from 1 to 4 and is not published",
        },
    },
    "decisions": {
        "description": "The Implementation Group's decisions on commitments (You said, we did).",
        "columns": {
            "id": "Identifier of the decision",
            "commitment_id": "The commitment",
            "meeting_date": "Date of the meeting",
            "text": "What was decided",
        },
    },
    "outcomes": {
        "description": "Published outcomes of the actions the Implementation Group agreed.",
        "columns": {
            "id": "Identifier of the action",
            "commitment_id": "The commitment",
            "action": "The action agreed",
            "outcome": "What came of it",
            "status": "open, in_progress, done or dropped",
            "published_at": "When the outcome was published (UTC)",
        },
    },
    "notes": {
        "description": "Published best-practice notes by Social Value Champions.",
        "columns": {
            "id": "Identifier of the note",
            "slug": "Short name used in addresses",
            "title": "Title",
            "summary": "Summary",
            "body": "The note (Markdown)",
            "cost": "What it cost",
            "achieved": "What it achieved",
            "version": "Number of the published version",
            "first_published_at": "When the note was first published (UTC)",
            "published_at": "When this version was published (UTC)",
        },
    },
    "note_commitments": {
        "description": "Which note is about which commitment.",
        "columns": {"note_id": "The note", "commitment_id": "The commitment"},
    },
    "quotes": {
        "description": "Feedback quoted with its author's consent and a member's approval, "
        "with anything like contact details removed.",
        "columns": {
            "id": "Row number",
            "commitment_id": "The commitment (empty: the framework as a whole)",
            "period": "Financial year and quarter the feedback was received in",
            "stakeholder_type": "Who gave it (type only)",
            "text": "The quote",
        },
    },
}

# (table, rows, primary key, foreign keys)
_LAYOUT = [
    ("roles", service.roles, "id", []),
    ("themes", service.themes, "id", []),
    ("commitments", service.commitments, "id", []),
    (
        "commitment_roles",
        service.commitment_roles_rows,
        ("commitment_id", "role_id"),
        [("commitment_id", "commitments", "id"), ("role_id", "roles", "id")],
    ),
    (
        "commitment_themes",
        service.commitment_themes_rows,
        ("commitment_id", "theme_id"),
        [("commitment_id", "commitments", "id"), ("theme_id", "themes", "id")],
    ),
    (
        "progress_updates",
        service.progress_updates,
        "id",
        [("commitment_id", "commitments", "id")],
    ),
    ("feedback_counts", service.feedback_counts, "id", [("commitment_id", "commitments", "id")]),
    ("decisions", service.decisions, "id", [("commitment_id", "commitments", "id")]),
    ("outcomes", service.outcomes, "id", [("commitment_id", "commitments", "id")]),
    ("notes", service.notes, "id", []),
    (
        "note_commitments",
        service.note_commitments_rows,
        ("note_id", "commitment_id"),
        [("note_id", "notes", "id"), ("commitment_id", "commitments", "id")],
    ),
    ("quotes", service.quotes, "id", [("commitment_id", "commitments", "id")]),
]
# Column types where a table may be empty (sqlite-utils infers them from rows otherwise).
_TYPES = {
    "count": int,
    "commitment_id": int,
    "locality": str,
    "transport_mode": str,
    "cost": str,
    "achieved": str,
}
INDEXES = {
    "progress_updates": [["commitment_id", "financial_year", "quarter"]],
    "feedback_counts": [["commitment_id", "period"], ["period"], ["stakeholder_type"]],
    "decisions": [["commitment_id"]],
    "outcomes": [["commitment_id"]],
    "quotes": [["commitment_id"]],
    "note_commitments": [["commitment_id"]],
}
FULL_TEXT = {"notes": ["title", "summary", "body"], "quotes": ["text"]}


def default_path(instance_path: str | Path, today: datetime | None = None) -> Path:
    """Return instance/opendata/social-value-YYYY-MM-DD.db for today (UTC)."""
    day = (today or datetime.now(UTC)).date()
    return Path(instance_path) / "opendata" / f"social-value-{day.isoformat()}.db"


def metadata(database: str, source_url: str) -> dict:
    """Return Datasette's metadata for the file named `database` (its stem)."""
    return {
        "title": TITLE,
        "description": "Anonymised open data of the Social Value Feedback Portal: the "
        "framework, quarterly progress, feedback counts (small counts suppressed), decisions "
        "and outcomes, best-practice notes and approved quotes. No personal data.",
        "license": LICENCE,
        "license_url": LICENCE_URL,
        "source": SOURCE,
        "source_url": source_url,
        "databases": {
            database: {
                "tables": {
                    name: {
                        "description": table["description"],
                        "columns": dict(table["columns"]),
                    }
                    for name, table in TABLES.items()
                }
            }
        },
    }


@dataclass
class Build:
    database: Path
    metadata: Path
    zip: Path
    rows: dict[str, int]


def write_database(path: Path) -> dict[str, int]:
    """Write every table into a new SQLite file at `path` and return their row counts."""
    if path.exists():
        path.unlink()
    db = sqlite_utils.Database(path)
    counts: dict[str, int] = {}
    for name, rows_of, pk, foreign_keys in _LAYOUT:
        rows = rows_of()
        columns = {c: _TYPES.get(c, str) for c in TABLES[name]["columns"]}
        for key in ("id", "financial_year", "quarter", "version", "role_id", "theme_id"):
            if key in columns:
                columns[key] = int
        for key in ("example", "active", "transport", "suppressed"):
            if key in columns:
                columns[key] = bool
        for key in ("commitment_id", "note_id"):
            if key in columns:
                columns[key] = int
        db[name].create(columns, pk=pk, foreign_keys=foreign_keys, not_null=None)
        db[name].insert_all(rows)
        counts[name] = len(rows)
    for name, indexes in INDEXES.items():
        for columns in indexes:
            db[name].create_index(columns)
    for name, columns in FULL_TEXT.items():
        db[name].enable_fts(columns, create_triggers=True, tokenize="porter")
    db.conn.execute("PRAGMA foreign_keys = ON")
    problems = list(db.conn.execute("PRAGMA foreign_key_check"))
    if problems:
        raise RuntimeError(f"open data: broken links {problems[:5]}")
    db.vacuum()
    db.close()
    return counts


def write_zip(database: Path, target: Path) -> None:
    """Write one CSV per table of the file into a zip (formula-safe, like every export)."""
    db = sqlite_utils.Database(database)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in TABLES:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            columns = [c.name for c in db[name].columns]
            writer.writerow(columns)
            for row in db[name].rows:
                writer.writerow([safe_cell(row[c]) for c in columns])
            archive.writestr(f"{name}.csv", buffer.getvalue())
        archive.writestr("metadata.json", (database.with_suffix(".metadata.json")).read_text())
    db.close()


def build(path: Path, source_url: str) -> Build:
    """Build the open data at `path`: the .db, metadata.json (and <stem>.metadata.json) beside
    it, and <stem>.zip of CSVs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = write_database(path)
    document = json.dumps(metadata(path.stem, source_url), indent=2, ensure_ascii=False) + "\n"
    own = path.with_suffix(".metadata.json")
    own.write_text(document)
    beside = path.parent / "metadata.json"
    beside.write_text(document)
    archive = path.with_suffix(".zip")
    write_zip(path, archive)
    return Build(path, beside, archive, counts)


def sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
