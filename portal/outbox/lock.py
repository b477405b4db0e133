"""The outbox worker's lock: one `flask outbox send` runs at a time.

Process coordination, not data: a PostgreSQL advisory lock on a connection of its own
(autocommit, outside the request's unit of work), or a file lock beside the SQLite database.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from ..extensions import db

WORKER_LOCK_KEY = 0x5F0B0C5  # the PostgreSQL advisory lock held by the one running worker


@contextlib.contextmanager
def worker_lock() -> Iterator[bool]:
    """Hold the lock that lets one worker run at a time; yields False if another has it.

    The operating system (a file lock, SQLite) or the database (an advisory lock, PostgreSQL)
    drops it when the process dies, even by SIGKILL, so a restarted worker never waits."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        # A session-level lock on a connection of its own, outside any unit of work.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": WORKER_LOCK_KEY}
            ).scalar()
            try:
                yield bool(got)
            finally:
                if got:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": WORKER_LOCK_KEY}
                    )
        return
    database = engine.url.database or "memory"
    path = Path(current_app.instance_path) / "outbox-worker.lock"
    if database not in ("", ":memory:", "memory"):
        path = Path(database + ".outbox-worker.lock")
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
