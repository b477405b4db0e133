"""Fixtures: the app on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

The schema always comes from the Alembic migrations, never from create_all.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections.abc import Iterator

import pytest
from flask import Flask, current_app, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Connection, Engine, event, func, select, text

from portal import create_app
from portal.auth import service as accounts
from portal.extensions import db
from portal.framework import load_framework

from . import factories

# Password hashes are memoised for the whole run: scrypt is deliberately slow (a tenth of a second
# or more each) and almost every test makes an account and signs in with the same password. The
# stored hash is still a real scrypt hash and every check still runs werkzeug's check the first
# time a (hash, password) pair is seen; only repeats are answered from memory.
accounts.hash_password = functools.cache(accounts.hash_password)
accounts.check_password_hash = functools.cache(accounts.check_password_hash)

# A fixed AES-GCM data key (base64url of 32 bytes) for contact details encrypted at rest.
TEST_DATA_KEY = "dGVzdC1kYXRhLWtleS0wMDAwMDAwMDAwMDAwMDAwMDA"
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def pytest_configure(config: pytest.Config) -> None:
    """In CI the PostgreSQL run is required: refuse to start without it."""
    config.addinivalue_line(
        "markers", "commits: the test's data must reach other threads or processes (see conftest)"
    )
    required = os.environ.get("PORTAL_REQUIRE_POSTGRES") or os.environ.get("CI")
    if required and not os.environ.get("TEST_DATABASE_URL"):
        raise pytest.UsageError("TEST_DATABASE_URL must point at PostgreSQL in CI")


def reset_postgresql(url: str) -> None:
    """Drop everything in the test database's public schema."""
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(database: str, tmp_path_factory: pytest.TempPathFactory, **overrides) -> Flask:
    """Build an app on a freshly migrated database with the framework loaded."""
    if database == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal.db")
    else:
        url = os.environ["TEST_DATABASE_URL"]
        reset_postgresql(url)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "portal.test",
        "DATA_KEY": TEST_DATA_KEY,
    }
    config.update(overrides)
    # Each app keeps its files (survey drafts, secrets) in its own folder, never the checkout's.
    app = create_app(config, instance_path=tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
        load_framework()
        db.session.commit()
    return app


@pytest.fixture(scope="session", params=DATABASES)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = make_app(request.param, tmp_path_factory)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            begin_explicitly(db.engine)
        BASELINE[app] = row_counts()
    return app


# --- one rolled-back transaction per test ---------------------------------------------------
#
# Every test that uses `app` runs inside one transaction on one connection, rolled back at the
# end: nothing a test writes reaches the next test, whatever tables it touches. The code under
# test keeps committing and rolling back as it does in production: the session joins the test's
# transaction with a SAVEPOINT (join_transaction_mode="create_savepoint"), so its commit releases
# the savepoint and its rollback returns to it. Code that takes its own connection from
# `db.engine` (the sign-in throttle, the rate-limit counters, the outbox worker's lock) is given
# the same connection, its `begin()` a savepoint too (see SharedConnection).
#
# One limit: work the code commits on its own through `db.engine.begin()` is a savepoint nested in
# whatever savepoint the session has open at that moment, so a later `db.session.rollback()`
# undoes it, where in production it stays committed (the sign-in lock is written this way and
# the next attempt begins with a rollback). A test that relies on such work outliving a session
# rollback is marked `@pytest.mark.commits` too.
#
# A test whose data must be seen by another thread or process (concurrency tests, a worker in a
# subprocess) cannot share one uncommitted connection: mark it `@pytest.mark.commits`. It then
# commits for real and, afterwards, every table that was empty when the app was built is
# emptied (found from the models' metadata, so no list of tables to keep up to date), and the
# tables filled by the migrations and the framework must hold what they held.

BASELINE: dict[Flask, dict[str, int]] = {}
db.session.session_factory.configure(join_transaction_mode="create_savepoint")


def begin_explicitly(engine: Engine) -> None:
    """Let SAVEPOINT work with SQLite: pysqlite begins (and ends) transactions by itself, which
    breaks savepoints; turn that off and emit BEGIN when SQLAlchemy begins a transaction (the
    workaround in SQLAlchemy's SQLite dialect documentation, "Serializable isolation /
    Savepoints / Transactional DDL")."""

    @event.listens_for(engine, "connect")
    def _no_pysqlite_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN")

    engine.dispose()  # connections made before the listeners are closed, not reused


def row_counts() -> dict[str, int]:
    """Rows in every table the models describe."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


class SharedConnection(Connection):
    """The test's one connection, standing in for `db.engine` while the test runs.

    `begin()` inside the test's transaction is a SAVEPOINT (released on success, rolled back on
    error), so `with db.engine.begin() as connection:` behaves as it does on an engine;
    `connect()` hands out this connection, and closing or committing it leaves the test's
    transaction alone. Only the thread that began the test may use it."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.owner = threading.get_ident()
        self.strangers: list[str] = []
        event.listen(self, "before_cursor_execute", self._same_thread)

    def _same_thread(self, _connection, _cursor, statement, *_args) -> None:
        if threading.get_ident() != self.owner:
            self.strangers.append(statement)
            raise RuntimeError(
                "The database was used from another thread inside a rolled-back test: "
                "mark the test @pytest.mark.commits"
            )

    @property
    def url(self):
        return self.engine.url

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def pool(self):
        return self.engine.pool

    def begin(self):  # type: ignore[override]
        if not self.in_transaction():
            return super().begin()
        return self._savepoint()

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[SharedConnection]:
        with self.begin_nested():
            yield self

    def connect(self) -> SharedConnection:
        return self

    def execution_options(self, **options):  # type: ignore[override]
        """An AUTOCOMMIT connection (the outbox worker's advisory lock) is this connection as it
        is: its isolation level cannot change inside the test's transaction."""
        options.pop("isolation_level", None)
        return super().execution_options(**options) if options else self

    def commit(self) -> None:
        """Work done through `connect()` stays in the test's transaction."""

    def rollback(self) -> None:
        raise RuntimeError("Use `with db.engine.begin():` to undo work inside a test")

    def close(self) -> None:
        """Closed by the test, never by the code under test."""

    def raw_connection(self):
        return self.engine.raw_connection()

    def dispose(self, close: bool = True) -> None:
        """The engine outlives the test."""

    def end(self) -> None:
        """Roll back everything the test did and give the connection back to the pool."""
        transaction = self.get_transaction()
        if transaction is not None:
            transaction.rollback()
        super().close()


def _rolled_back(app: Flask) -> Iterator[None]:
    engines = db._app_engines[app]
    engine = engines[None]
    connection = SharedConnection(engine)
    connection.begin()
    engines[None] = connection
    try:
        yield
    finally:
        engines[None] = engine
        connection.end()
    assert connection.strangers == [], (
        "The database was used from another thread: mark the test @pytest.mark.commits"
    )


def restore_baseline(app: Flask, keep: frozenset[str] = frozenset()) -> None:
    """Empty, for real, every table that was empty when the app was built (all but `keep`): what
    a test marked `commits`, or a fixture wider than one test, wrote. The tables come from the
    models' metadata, so there is no list of tables to keep up to date; the tables filled by the
    migrations and the framework must hold what they held."""
    baseline = BASELINE[app]
    with app.app_context():
        db.session.rollback()
        emptied = [
            t
            for t in reversed(db.metadata.sorted_tables)
            if baseline[t.name] == 0 and t.name not in keep
        ]
        for table in emptied:  # first break the cycles (a note and its published version)
            for key in table.foreign_keys:
                if key.parent.nullable and key.column.table in emptied:
                    db.session.execute(table.update().values({key.parent.name: None}))
        for table in emptied:
            db.session.execute(table.delete())
        db.session.commit()
        counts = {name: n for name, n in row_counts().items() if name not in keep}
        assert counts == {name: n for name, n in baseline.items() if name not in keep}, (
            "a test marked `commits` changed the framework's rows"
        )


def _committed(app: Flask) -> Iterator[None]:
    yield
    restore_baseline(app)


@pytest.fixture(autouse=True)
def _database_per_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roll back what each test using `app` wrote (see above)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    if request.node.get_closest_marker("commits"):
        yield from _committed(app)
    else:
        yield from _rolled_back(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')


def hidden_fields(html: str) -> dict[str, str]:
    """Return the hidden inputs (CSRF token, submission key) of a page's form."""
    fields = {}
    for tag in HIDDEN.findall(html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def valid_answers(**changes: str) -> dict[str, str]:
    """Return a complete, valid feedback form submission, with changes applied."""
    data = {
        "body": "The travel centre at Liverpool Lime Street was a real help when I felt unsafe.",
        "stakeholder_type": "passenger",
        "organisation": "",
        "locality": "liverpool",
        "rating": "4",
        "name": "",
        "email": "",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def submit(client: FlaskClient, url: str, headers: dict | None = None, **changes: str):
    """Open the form at `url`, fill it in and post it, as a browser would."""
    page = client.get(url)
    assert page.status_code == 200
    data = hidden_fields(page.get_data(as_text=True))
    data.update(valid_answers(**changes))
    return client.post(url, data=data, headers=headers or {})


PASSWORD = factories.PASSWORD


@pytest.fixture
def make_user(app: Flask):
    """Create a staff account with a role; returns its id."""

    def _make(role: str, email: str | None = None, name: str = "") -> int:
        if has_app_context() and current_app._get_current_object() is app:
            # In the test's own app context: commit its session, so that no savepoint it has
            # open (which a sign-in's rollback returns to) swallows the new account.
            return factories.user(role, email, name).id
        with app.app_context():
            return factories.user(role, email, name).id

    return _make


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    """Sign in through the real login form."""
    page = client.get("/login").get_data(as_text=True)
    data = hidden_fields(page) | {"email": email, "password": password}
    return client.post("/login", data=data)


@pytest.fixture
def staff_client(app: Flask, make_user):
    """Return a function giving a test client signed in with the given role."""

    def _client(role: str = "member") -> FlaskClient:
        make_user(role)
        client = app.test_client()
        response = login(client, f"{role}@example.invalid")
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return _client


def csrf_for(client: FlaskClient, url: str = "/feedback") -> str:
    """Return a valid CSRF token for this client's session."""
    return hidden_fields(client.get(url).get_data(as_text=True))["csrf_token"]


@pytest.fixture
def plain(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """Call `plain(fn)` to run fn with the fast path off ("plain rendering": FRAGMENT_CACHE
    False), to compare kept pages and fragments with what the templates render."""

    def _run(fn):
        monkeypatch.setitem(app.config, "FRAGMENT_CACHE", False)
        try:
            return fn()
        finally:
            monkeypatch.setitem(app.config, "FRAGMENT_CACHE", True)

    return _run
