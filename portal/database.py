"""Database engine settings: SQLite in WAL mode with a busy timeout; PostgreSQL sessions' settings
and the check of a pooled connection before each use."""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 15000
# Read the database file through a memory map of up to this size rather than a read() system
# call and a copy per page: a quarter's agenda reads most of the feedback table three times
# (about 100 MB at 100,000 items), and the reads' system time was as much as the queries' own.
# Writes still go through the journal as before (bench/README.md, "Agenda").
SQLITE_MMAP_BYTES = 1 << 30


def postgresql_idle_and_open(dbapi_connection: Any) -> bool:
    """Whether a pooled psycopg connection can be handed out without asking the server: psycopg
    knows it open, outside any transaction, and nothing has arrived on its socket since it was
    last used. A server that ends the connection (restarted, or the session terminated) says so
    on the socket before closing it, which makes the socket readable; so does anything else the
    server sends unasked. Either way the caller asks the server (`SELECT 1`)."""
    from psycopg.pq import TransactionStatus

    if dbapi_connection.closed or dbapi_connection.broken:
        return False
    pgconn = dbapi_connection.pgconn
    if pgconn.transaction_status != TransactionStatus.IDLE:
        return False
    readable, _, _ = select.select([pgconn.socket], [], [], 0)
    return not readable


def configure_engine_events(engine: Engine) -> None:
    """Set SQLite pragmas, or PostgreSQL session settings, on every new connection."""
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # Many short requests at once: parallel workers for one query only take cores from
            # the others (measured in bench/: p95 of a search rose from 60 to 260 ms).
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            # psycopg prepares a statement run five times on one connection, and PostgreSQL
            # then plans it once for any values ("generic" plan) if that looks no dearer. A
            # search's plan depends on its words (a rare word from the search index, a common
            # one by walking the newest items: seconds apart at a million items), so every
            # statement is planned for its own values; the prepared statement still saves the
            # parsing.
            cursor.execute("SET plan_cache_mode = force_custom_plan")
            cursor.close()
            dbapi_connection.commit()

        @event.listens_for(engine, "checkout")
        def _postgresql_alive(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            # Instead of the pool's pre-ping (`SELECT 1` in a transaction of its own, a round
            # trip to the server on every request), look at the connection: only one that is
            # not plainly open and idle is pinged, and one that fails is replaced (the pool
            # retries the checkout with a new connection on DisconnectionError).
            if postgresql_idle_and_open(dbapi_connection):
                return
            try:
                dbapi_connection.execute("SELECT 1")
                dbapi_connection.rollback()
            except Exception as error:
                raise exc.DisconnectionError(str(error)) from error

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
