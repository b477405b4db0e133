"""Database engine settings: SQLite in WAL mode with a busy timeout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 15000
# Read the database file through a memory map of up to this size rather than a read() system
# call and a copy per page: a quarter's agenda reads most of the feedback table three times
# (about 100 MB at 100,000 items), and the reads' system time was as much as the queries' own.
# Writes still go through the journal as before (bench/README.md, "Agenda").
SQLITE_MMAP_BYTES = 1 << 30


def configure_engine_events(engine: Engine) -> None:
    """Set SQLite pragmas, or PostgreSQL session settings, on every new connection."""
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
            # Many short requests at once: parallel workers for one query only take cores from
            # the others (measured in bench/: p95 of a search rose from 60 to 260 ms).
            cursor = dbapi_connection.cursor()
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.close()
            dbapi_connection.commit()

        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.close()


SEARCH_INDEXES = {
    "ix_feedback_search_vector",
    "ix_feedback_search_faceted",
    "ix_note_versions_search_vector",
}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any):
    """Leave the full-text search objects, made by raw SQL in a migration, out of autogenerate."""
    if type_ == "table" and name and name.startswith(("feedback_fts", "note_versions_fts")):
        return False
    if type_ == "column" and name in ("search_vector", "search_facets"):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


@contextmanager
def savepoint() -> Iterator[None]:
    """A savepoint inside the request's transaction: what it wraps is undone alone if it fails,
    and otherwise committed with the rest of the transaction by the view (never before).

    On SQLite, Python's sqlite3 driver opens a transaction only before its first write; a
    SAVEPOINT issued before that would be a transaction of its own, and releasing it would
    commit. So the transaction is begun first (a deferred BEGIN: the write lock is still taken
    only at the first write).
    """
    from .extensions import db

    connection = db.session.connection()
    if (
        connection.dialect.name == "sqlite"
        and not connection.connection.dbapi_connection.in_transaction
    ):
        connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested():
        yield


INSERTED = "inserted_without_flush"


def note_inserted(session: Any, item: Any) -> None:
    """Note an object whose row was written by a Core INSERT rather than the ORM's flush, so
    that the commit hooks acting on new rows (auto-tagging new feedback) see it too."""
    session.info.setdefault(INSERTED, []).append(item)
