"""Fixtures: the app on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

The schema always comes from the Alembic migrations, never from create_all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from portal.framework import load_framework

# A fixed AES-GCM data key (base64url of 32 bytes) for contact details encrypted at rest.
TEST_DATA_KEY = "dGVzdC1kYXRhLWtleS0wMDAwMDAwMDAwMDAwMDAwMDA"
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def pytest_configure(config: pytest.Config) -> None:
    """In CI the PostgreSQL run is required: refuse to start without it."""
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
    return make_app(request.param, tmp_path_factory)


CLEANED_TABLES = (
    "feedback_imports",
    "import_batches",
    "outbox",
    "commitment_follows",
    "staff_email_preferences",
    "meeting_notes",
    "note_endorsements",
    "note_commitments",
    "note_roles",
    "note_themes",
    "action_feedback",
    "agenda_quotes",
    "decisions",
    "actions",
    "agenda_items",
    "meetings",
    "progress_updates",
    "notes",
    "note_versions",
    "internal_notes",
    "feedback_codes",
    "feedback_roles",
    "feedback_themes",
    "contact_details",
    "feedback",
    "audit_entries",
    "codes",
    "officer_commitments",
    "login_throttle",
    "opendata_releases",
    "annual_reviews",
    "users",
    "website_feedback",
    "equality_tokens",
    "equality_responses",
    "rate_limit_counters",
)


@pytest.fixture(autouse=True)
def _clean_feedback(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        db.session.execute(text("UPDATE notes SET published_version_id = NULL"))
        for table in CLEANED_TABLES:
            db.session.execute(text(f"DELETE FROM {table}"))  # noqa: S608
        db.session.commit()


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


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app: Flask):
    """Create a staff account with a role; returns its id."""

    def _make(role: str, email: str | None = None, name: str = "") -> int:
        from portal.auth.service import create_user

        with app.app_context():
            user = create_user(email or f"{role}@example.invalid", role, PASSWORD, name or role)
            db.session.commit()
            return user.id

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
