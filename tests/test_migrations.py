"""The migrations: they match the models (`flask db check`), the database enforces the models'
CHECK constraints, and `flask db downgrade base` + `flask db upgrade` keeps data and search."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, Enum, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from portal import create_app
from portal.auth.service import create_user
from portal.database import include_object
from portal.extensions import db
from portal.framework import load_framework
from portal.models import (
    Commitment,
    Meeting,
    Note,
    ProgressStatus,
    ProgressUpdate,
    Survey,
    SurveyVersion,
)
from portal.public import service as public

from . import factories
from .conftest import DATABASES, TEST_DATA_KEY, login

# The migration that adds the CHECK constraints (and, on SQLite, rebuilds the tables).
CHECKS_REVISION = "0011a"
SQLITE_TRIGGERS = {
    "feedback_fts_ai",
    "feedback_fts_ad",
    "feedback_fts_au",
    "feedback_status_counts_ai",
    "feedback_status_counts_ad",
    "feedback_status_counts_au",
    "note_versions_fts_ai",
    "note_versions_fts_ad",
    *(
        f"feedback_{link}_fts_{when}"
        for link in ("codes", "roles", "themes")
        for when in ("ai", "ad", "au")
    ),
}
POSTGRES_SEARCH = {"ix_feedback_search_vector", "ix_note_versions_search_vector"}
# The revision that makes each trigger (SQLite) or search index (PostgreSQL).
MADE_BY = {
    "feedback_fts_ai": "0002",
    "feedback_fts_ad": "0002",
    "feedback_fts_au": "0002",
    "ix_feedback_search_vector": "0002",
    "note_versions_fts_ai": "0005",
    "note_versions_fts_ad": "0005",
    "ix_note_versions_search_vector": "0005",
    "feedback_status_counts_ai": "0008",
    "feedback_status_counts_ad": "0008",
    "feedback_status_counts_au": "0008",
    **{
        f"feedback_{link}_fts_{when}": "0013g"
        for link in ("codes", "roles", "themes")
        for when in ("ai", "ad", "au")
    },
}


# --- `flask db check` ------------------------------------------------------------------------


@pytest.mark.commits  # migrations/env.py commits and rolls back its own connection on SQLite
def test_flask_db_check_finds_nothing_to_change(app: Flask) -> None:
    """`flask db check` on the migrated database: no operation to add (it exits 1 if any)."""
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_the_migrated_schema_is_what_the_models_describe(app_ctx: Flask) -> None:
    """The comparison `flask db check` makes, with nothing left out on either database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        assert compare_metadata(context, db.metadata) == []


def _model_checks() -> dict[str, set[str]]:
    checks: dict[str, set[str]] = {}
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                checks.setdefault(table.name, set()).add(constraint.name)
    return checks


def test_every_check_constraint_of_the_models_is_in_the_database(app_ctx: Flask) -> None:
    """Autogenerate does not compare CHECK constraints: this does, by name, table by table."""
    expected = _model_checks()
    # What the issue names, so that a model losing one of them fails here too.
    assert {"ck_feedback_rating", "ck_feedback_feedback_status"} <= expected["feedback"]
    assert "ck_progress_updates_quarter" in expected["progress_updates"]
    assert "ck_meetings_period_in_order" in expected["meetings"]
    assert "ck_survey_versions_opens_before_closes" in expected["survey_versions"]
    inspector = inspect(db.engine)
    found = {
        table: {c["name"] for c in inspector.get_check_constraints(table)} for table in expected
    }
    assert found == expected


def test_every_enum_column_is_limited_to_its_values_in_the_database(app_ctx: Flask) -> None:
    """An enum column is a short string: a CHECK constraint in the database names its values."""
    inspector = inspect(db.engine)
    enum_columns = 0
    for table in db.metadata.tables.values():
        rules = [c["sqltext"] for c in inspector.get_check_constraints(table.name)]
        for column in table.columns:
            if isinstance(column.type, Enum):
                enum_columns += 1
                values = [f"'{value}'" for value in column.type.enums]
                assert any(
                    column.name in rule and all(value in rule for value in values) for rule in rules
                ), f"{table.name}.{column.name}"
    assert enum_columns >= 15


# --- The database refuses what the app would never write -----------------------------------


@pytest.fixture
def rows(app_ctx: Flask) -> Iterator[dict[str, int]]:
    """One valid row of each checked kind, never committed (rolled back after the test)."""
    submission = public.submit_feedback(
        public.NewFeedback(body="A rating the database checks", stakeholder_type="passenger")
    )
    commitment = db.session.query(Commitment).first()
    meeting = Meeting(
        title="Implementation Group",
        meeting_date=date(2026, 7, 1),
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
    )
    survey = Survey(slug=f"check-{uuid.uuid4().hex[:8]}")
    version = SurveyVersion(
        survey=survey,
        version=1,
        content_hash="0" * 64,
        title="A survey",
        opens_on=date(2026, 4, 1),
        closes_on=date(2026, 4, 30),
        definition={},
    )
    update = ProgressUpdate(
        commitment_id=commitment.id,
        year=2026,
        quarter=1,
        status=ProgressStatus.ON_TRACK,
        narrative="On track",
    )
    note = Note(slug=f"check-{uuid.uuid4().hex[:8]}", title="A note", summary="S", body="B")
    db.session.add_all([meeting, survey, version, update, note])
    db.session.flush()
    ids = {
        "feedback": submission.feedback.id,
        "meetings": meeting.id,
        "survey_versions": version.id,
        "progress_updates": update.id,
        "notes": note.id,
    }
    yield ids
    db.session.rollback()
    db.session.execute(text("DELETE FROM feedback WHERE id = :id"), {"id": ids["feedback"]})
    db.session.commit()


REFUSED = [
    ("feedback", "rating = 0", "ck_feedback_rating"),
    ("feedback", "rating = 6", "ck_feedback_rating"),
    ("feedback", "status = 'lost'", "ck_feedback_feedback_status"),
    ("feedback", "stakeholder_type = 'robot'", "ck_feedback_stakeholder_type"),
    ("feedback", "locality = 'manchester'", "ck_feedback_locality"),
    ("feedback", "priority = 'whenever'", "ck_feedback_priority"),
    ("feedback", "transport_mode = 'hovercraft'", "ck_feedback_transport_mode"),
    ("progress_updates", "quarter = 0", "ck_progress_updates_quarter"),
    ("progress_updates", "quarter = 5", "ck_progress_updates_quarter"),
    ("progress_updates", "status = 'finished'", "ck_progress_updates_progress_status"),
    ("meetings", "period_end = '2026-03-31'", "ck_meetings_period_in_order"),
    ("survey_versions", "closes_on = '2026-03-31'", "ck_survey_versions_opens_before_closes"),
    ("notes", "status = 'lost'", "ck_notes_note_status"),
]


@pytest.mark.parametrize(("table", "change", "constraint"), REFUSED)
def test_the_database_refuses_a_value_the_rules_forbid(
    rows: dict[str, int], table: str, change: str, constraint: str
) -> None:
    statement = text(f"UPDATE {table} SET {change} WHERE id = :id")  # noqa: S608 (constants)
    with pytest.raises(IntegrityError) as refused, db.session.begin_nested():
        db.session.execute(statement, {"id": rows[table]})
    assert constraint in str(refused.value)


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("feedback", "rating = 1"),
        ("feedback", "rating = 5"),
        ("feedback", "rating = NULL"),
        ("progress_updates", "quarter = 4"),
        ("meetings", "period_end = period_start"),
        ("survey_versions", "closes_on = opens_on"),
    ],
)
def test_the_database_accepts_the_limits_themselves(
    rows: dict[str, int], table: str, change: str
) -> None:
    statement = text(f"UPDATE {table} SET {change} WHERE id = :id")  # noqa: S608 (constants)
    with db.session.begin_nested():
        assert db.session.execute(statement, {"id": rows[table]}).rowcount == 1


def test_a_staff_role_outside_the_four_is_refused(app_ctx: Flask, make_user) -> None:
    user_id = make_user("member", email="role-check@example.invalid")
    with pytest.raises(IntegrityError) as refused, db.session.begin_nested():
        db.session.execute(text("UPDATE users SET role = 'owner' WHERE id = :id"), {"id": user_id})
    assert "ck_users_staff_role" in str(refused.value)
    db.session.rollback()


# --- `flask db downgrade base` and `flask db upgrade` --------------------------------------

ROUND_TRIP_SCHEMA = "migration_round_trip"


@pytest.fixture(params=DATABASES)
def empty_app(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Flask]:
    """An app on an empty database of its own: a SQLite file, or on PostgreSQL a schema of the
    test database, so that the session's migrated database is left alone."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("roundtrip") / "portal.db")
    else:
        base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        admin = create_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {ROUND_TRIP_SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {ROUND_TRIP_SCHEMA}"))
        url = (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={ROUND_TRIP_SCHEMA}"})
            .render_as_string(hide_password=False)
        )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "portal.test",
            "DATA_KEY": TEST_DATA_KEY,
        },
        instance_path=tmp_path_factory.mktemp("instance"),
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if request.param != "sqlite":
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {ROUND_TRIP_SCHEMA} CASCADE"))
        admin.dispose()


def _search_objects() -> set[str]:
    """The triggers (SQLite) or indexes (PostgreSQL) that keep full-text search up to date."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        else:
            rows = connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            )
        return {name for (name,) in rows}


def _expected_search_objects() -> set[str]:
    return SQLITE_TRIGGERS if db.engine.dialect.name == "sqlite" else POSTGRES_SEARCH


def _feedback(body: str, **extra) -> str:
    return factories.feedback(body, **extra).reference


def _inbox(app: Flask, query: str) -> str:
    client = app.test_client()
    assert login(client, "roundtrip@example.invalid").status_code == 303
    response = client.get("/triage", query_string={"q": query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_checks_migration_keeps_every_row_and_search(empty_app: Flask) -> None:
    """Upgrading a database with data to the CHECK constraints (a rebuild of each table on
    SQLite) keeps the rows, their contact details and links, and the search triggers."""
    with empty_app.app_context():
        before = ScriptDirectory.from_config(
            empty_app.extensions["migrate"].migrate.get_config()
        ).get_revision(CHECKS_REVISION)
        upgrade(revision=before.down_revision)
        load_framework()
        db.session.commit()
        reference = _feedback(
            "The ferry terminal ramp was too steep for my wheelchair",
            consent_to_contact=True,
            email="ramp@example.invalid",
            rating=2,
        )
        counts = {
            table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in ("feedback", "contact_details", "outbox", "commitments", "roles")
        }
        assert counts["contact_details"] == 1
        db.session.remove()

        upgrade()

        assert _search_objects() >= _expected_search_objects()
        for table, n in counts.items():
            assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) == n  # noqa: S608
        create_user("roundtrip@example.invalid", "member", "correct horse battery staple")
        db.session.commit()
    page = _inbox(empty_app, "wheelchair")
    assert reference in page


def test_downgrade_to_base_and_upgrade_again_keeps_search(empty_app: Flask) -> None:
    """`flask db downgrade base` then `flask db upgrade`: the search triggers (SQLite) or
    indexes (PostgreSQL) are back, nothing is left to change, and a new item is found."""
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with empty_app.app_context():
        assert _search_objects() >= _expected_search_objects()

    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        assert not _search_objects() & _expected_search_objects()

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["db", "check"]).exit_code == 0
    with empty_app.app_context():
        assert _search_objects() >= _expected_search_objects()
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                # The migrations switch foreign keys off for their table rebuilds: back on after.
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        load_framework()
        db.session.commit()
        create_user("roundtrip@example.invalid", "member", "correct horse battery staple")
        db.session.commit()
        found = _feedback("The lifts at Moorfields station were out of order all week")
        other = _feedback("More seats on the Mersey ferry, please")
    page = _inbox(empty_app, "lifts")
    assert found in page
    assert other not in page


def test_each_downgrade_keeps_the_triggers_of_the_revisions_still_applied(
    empty_app: Flask,
) -> None:
    """One revision at a time from the head down: a downgrade that rebuilds `feedback` on
    SQLite puts back the search and count triggers of the revisions below it."""
    with empty_app.app_context():
        upgrade()
        script = ScriptDirectory.from_config(empty_app.extensions["migrate"].migrate.get_config())
        chain = [revision.revision for revision in script.walk_revisions()]  # head first
        expected_here = _expected_search_objects()
        for position, revision in enumerate(chain):
            applied = set(chain[position:])
            expected = {name for name in expected_here if MADE_BY[name] in applied}
            assert _search_objects() & expected_here == expected, f"at {revision}"
            db.session.remove()
            downgrade(revision=script.get_revision(revision).down_revision or "base")
        assert not _search_objects() & expected_here
