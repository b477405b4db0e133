"""The engine's own settings: PostgreSQL sessions plan each statement for its values and run no
parallel workers; a pooled connection is checked before use without a round trip to the server,
and one the server has ended is replaced (SQLite: its pragmas, no ping)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, event, text

from portal import database
from portal.extensions import db


def test_every_connection_has_the_portal_s_settings(app):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        else:
            show = lambda name: db.session.execute(text(f"SHOW {name}")).scalar()  # noqa: E731
            assert show("plan_cache_mode") == "force_custom_plan"
            assert show("max_parallel_workers_per_gather") == "0"
        # No `SELECT 1` before every request on either database.
        assert db.engine.pool._pre_ping is False


@pytest.fixture
def small_engine(app):
    """An engine like the app's, on the same database, with a pool of one connection."""
    with app.app_context():
        url = db.engine.url
    engine = create_engine(url, pool_size=1, max_overflow=0)
    database.configure_engine_events(engine)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    yield engine, statements
    engine.dispose()


def test_a_connection_is_checked_without_a_query_and_replaced_when_the_server_ended_it(
    small_engine,
):
    engine, statements = small_engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        return
    import psycopg

    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        raw = connection.connection.dbapi_connection
    assert database.postgresql_idle_and_open(raw)
    statements.clear()
    with engine.connect() as connection:  # the same connection again: nothing sent to check it
        assert connection.connection.dbapi_connection is raw
    assert statements == []
    # The server ends that session (as a restart would).
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    for _ in range(100):  # the server says so on the socket as it closes it
        if not database.postgresql_idle_and_open(raw):
            break
        time.sleep(0.05)
    assert not database.postgresql_idle_and_open(raw)
    with engine.connect() as connection:  # replaced, not an error
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        assert connection.connection.dbapi_connection is not raw
