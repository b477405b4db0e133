"""Issue 16, open data: the file opened with sqlite-utils and with Datasette, scanned cell by
cell for personal data; counts under 5 suppressed; the CSV zip; `flask opendata build`; the
public page, its downloads and the admin's publish action."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils
from sqlalchemy import func, select

from portal.anonymise import EMAIL, PHONE, POSTCODE
from portal.extensions import db
from portal.models import AuditEntry, ContactDetails, Feedback, FeedbackStatus
from portal.opendata import build as builder
from portal.opendata import service
from portal.opendata.models import OpenDataRelease

from .conftest import hidden_fields
from .opendata_data import FORMULA, UNAPPROVED, populate

DATASETTE = Path(sys.executable).parent / "datasette"


@pytest.fixture
def built(app, tmp_path):
    """Populate the database and build the open data into a temporary folder."""
    with app.app_context():
        facts = populate()
        result = builder.build(tmp_path / "social-value-2026-11-29.db", "https://portal.test")
    return result, facts


def every_cell(path: Path):
    """Yield (table, column, value) for every cell of every table, FTS tables included."""
    database = sqlite_utils.Database(path)
    for name in database.table_names():
        for row in database.query(f"select * from [{name}]"):  # noqa: S608  (a table name)
            for column, value in row.items():
                yield name, column, value


def test_file_opens_with_sqlite_utils_with_keys_indexes_and_search(built):
    result, _ = built
    database = sqlite_utils.Database(result.database)
    tables = set(database.table_names())
    assert set(builder.TABLES) <= tables
    assert not {"contact_details", "users", "feedback", "audit_entries"} & tables
    assert result.rows["quotes"] >= 2 and result.rows["notes"] == 1
    # Foreign keys declared and intact, indexes made.
    keys = {(fk.column, fk.other_table) for fk in database["feedback_counts"].foreign_keys}
    assert ("commitment_id", "commitments") in keys
    assert not list(database.query("PRAGMA foreign_key_check"))
    assert any(
        index.columns == ["commitment_id", "period"]
        for index in database["feedback_counts"].indexes
    )
    # Full-text search on notes and quotes, through sqlite-utils.
    assert database["notes"].detect_fts() == "notes_fts"
    assert database["quotes"].detect_fts() == "quotes_fts"
    assert [row["slug"] for row in database["notes"].search("lighting")] == ["safer-stations"]
    assert list(database["quotes"].search("bus stop"))


def test_counts_match_the_database_and_small_ones_are_suppressed(app, built):
    result, _ = built
    database = sqlite_utils.Database(result.database)
    rows = list(database["feedback_counts"].rows)
    suppressed = [row for row in rows if row["suppressed"]]
    shown = [row for row in rows if not row["suppressed"]]
    assert suppressed and shown
    assert all(row["count"] is None for row in suppressed)
    assert all(row["count"] >= 5 for row in shown)
    with app.app_context():
        expected: Counter = Counter()
        query = select(
            Feedback.commitment_id,
            Feedback.received_at,
            Feedback.stakeholder_type,
            Feedback.locality,
            Feedback.transport_mode,
        ).where(Feedback.status.not_in([FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE]))
        for commitment_id, received, stakeholder, locality, mode in db.session.execute(query):
            year, quarter = service.financial_period(received)
            expected[
                (
                    commitment_id,
                    f"{year}-Q{quarter}",
                    stakeholder.value,
                    locality.value if locality else None,
                    mode.value if mode else None,
                )
            ] += 1
    published = {
        (
            r["commitment_id"],
            r["period"],
            r["stakeholder_type"],
            r["locality"],
            r["transport_mode"],
        ): r
        for r in rows
    }
    assert set(published) == set(expected)
    for key, n in expected.items():
        assert published[key]["count"] == (None if n < 5 else n), key


def test_no_personal_data_in_any_cell(app, built):
    result, _ = built
    with app.app_context():
        emails = set(db.session.scalars(select(ContactDetails.email)))
        names = {n for n in db.session.scalars(select(ContactDetails.name)) if n}
        organisations = {
            o for o in db.session.scalars(select(Feedback.organisation)) if o and len(o) > 3
        }
    assert emails and names and organisations
    scanned = 0
    for table, column, value in every_cell(result.database):
        if not isinstance(value, str):
            continue
        scanned += 1
        where = f"{table}.{column}: {value[:80]!r}"
        assert not EMAIL.search(value), where
        assert not PHONE.search(value), where
        assert not POSTCODE.search(value), where
        assert "UNAPPROVED-SECRET" not in value, where
        assert "Owner Person-Name" not in value, where
        assert value not in emails | names | organisations, where
    assert scanned > 100
    # The zip of CSVs holds the same cells.
    with zipfile.ZipFile(result.zip) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode()
            assert not EMAIL.search(text) and not PHONE.search(text), name
            assert UNAPPROVED not in text


def test_metadata_and_csv_zip(built):
    result, _ = built
    document = json.loads(result.metadata.read_text())
    assert document["license"] == "Open Government Licence v3.0"
    assert document["source"] and document["title"] and document["license_url"]
    tables = document["databases"]["social-value-2026-11-29"]["tables"]
    database = sqlite_utils.Database(result.database)
    for name, table in tables.items():
        # Every column of the file is described, and nothing that is not there.
        assert set(table["columns"]) == {c.name for c in database[name].columns}, name
        assert table["description"]
    assert result.database.with_suffix(".metadata.json").read_text() == result.metadata.read_text()
    with zipfile.ZipFile(result.zip) as archive:
        assert {f"{name}.csv" for name in builder.TABLES} <= set(archive.namelist())
        quotes = list(csv.DictReader(io.StringIO(archive.read("quotes.csv").decode())))
    texts = [row["text"] for row in quotes]
    assert "'" + FORMULA in texts  # a formula in a quote is text in a spreadsheet
    assert FORMULA not in texts


def test_datasette_serves_the_file_with_its_metadata_and_search(built):
    result, _ = built
    command = [str(DATASETTE), str(result.database), "-m", str(result.metadata)]
    served = subprocess.run(  # noqa: S603  (our own venv's datasette)
        [*command, "--get", "/-/metadata.json"], capture_output=True, text=True, check=True
    )
    assert json.loads(served.stdout) == json.loads(result.metadata.read_text())
    search = subprocess.run(  # noqa: S603
        [*command, "--get", "/social-value-2026-11-29/notes.json?_search=lighting&_shape=array"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [row["slug"] for row in json.loads(search.stdout)] == ["safer-stations"]
    quotes = subprocess.run(  # noqa: S603
        [*command, "--get", "/social-value-2026-11-29/quotes.json?_search=nothing-matches-this"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(quotes.stdout)["rows"] == []


def test_build_command_default_path_and_publish(app, tmp_path):
    app.config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["opendata", "build", "--publish"])
        assert result.exit_code == 0, result.output
        files = sorted(p.name for p in (tmp_path / "opendata").iterdir())
        stem = f"social-value-{datetime.now(UTC).date().isoformat()}"
        assert {f"{stem}.db", f"{stem}.zip", "metadata.json", f"{stem}.metadata.json"} == set(files)
        with app.app_context():
            release = db.session.scalar(select(OpenDataRelease))
            assert release.filename == f"{stem}.db" and release.published_by_id is None
            assert db.session.scalar(
                select(AuditEntry).where(AuditEntry.entity_type == "opendata_release")
            )
        # The same day again: the published file is left as it is.
        checksum = builder.sha256(tmp_path / "opendata" / f"{stem}.db")
        again = runner.invoke(args=["opendata", "build", "--publish"])
        assert again.exit_code == 1 and "already published" in again.output
        assert builder.sha256(tmp_path / "opendata" / f"{stem}.db") == checksum == release.sha256
        elsewhere = runner.invoke(args=["opendata", "build", str(tmp_path / "x" / "od.db")])
        assert elsewhere.exit_code == 0, elsewhere.output
        assert (tmp_path / "x" / "od.db").exists() and (tmp_path / "x" / "metadata.json").exists()
    finally:
        app.config.pop("OPENDATA_DIR")


def test_admin_publishes_and_the_public_page_lists_and_serves(app, staff_client, tmp_path):
    app.config["OPENDATA_DIR"] = str(tmp_path)
    try:
        with app.app_context():
            builder.build(tmp_path / "social-value-2026-11-28.db", "https://portal.test")
        public = app.test_client()
        assert "No files have been published yet" in public.get("/open-data").get_data(True)
        assert public.get("/open-data/files/social-value-2026-11-28.db").status_code == 404
        assert public.get("/admin/open-data").status_code == 302  # to the login page
        member = staff_client("member")
        assert member.get("/admin/open-data").status_code == 403
        admin = staff_client("admin")
        page = admin.get("/admin/open-data").get_data(as_text=True)
        assert "social-value-2026-11-28.db" in page
        token = hidden_fields(page)["csrf_token"]
        refused = member.post(
            "/admin/open-data/publish",
            data={"csrf_token": token, "filename": "social-value-2026-11-28.db"},
        )
        assert refused.status_code in (400, 403)
        bad = admin.post(
            "/admin/open-data/publish",
            data={"csrf_token": token, "filename": "../portal.db"},
            follow_redirects=True,
        )
        assert "Choose a build from the list" in bad.get_data(as_text=True)
        missing = admin.post(
            "/admin/open-data/publish",
            data={"csrf_token": token, "filename": "social-value-2020-01-01.db"},
            follow_redirects=True,
        )
        assert "There is no build called" in missing.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(OpenDataRelease)) == 0
        done = admin.post(
            "/admin/open-data/publish",
            data={"csrf_token": token, "filename": "social-value-2026-11-28.db"},
        )
        assert done.status_code == 303
        twice = admin.post(
            "/admin/open-data/publish",
            data={"csrf_token": token, "filename": "social-value-2026-11-28.db"},
            follow_redirects=True,
        )
        assert "already published" in twice.get_data(as_text=True)
        with app.app_context():
            release = db.session.scalar(select(OpenDataRelease))
            assert release.sha256 == builder.sha256(tmp_path / "social-value-2026-11-28.db")
            entry = db.session.scalar(
                select(AuditEntry).where(AuditEntry.entity_type == "opendata_release")
            )
            assert entry.actor_id == release.published_by_id and entry.after == release.filename
        listing = public.get("/open-data").get_data(as_text=True)
        assert "social-value-2026-11-28.db" in listing and "Open Government Licence v3.0" in listing
        assert "feedback_counts" in listing and "Counts from 1 to 4 are suppressed" in listing
        for name in ("social-value-2026-11-28.db", "social-value-2026-11-28.zip"):
            download = public.get(f"/open-data/files/{name}")
            assert download.status_code == 200
            assert download.data == (tmp_path / name).read_bytes()
        meta = public.get("/open-data/files/social-value-2026-11-28.metadata.json")
        assert meta.status_code == 200
        for name in ("metadata.json", "..%2Fportal.db", "social-value-2026-11-27.db"):
            assert public.get(f"/open-data/files/{name}").status_code == 404
    finally:
        app.config.pop("OPENDATA_DIR")
