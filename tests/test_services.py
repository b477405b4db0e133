"""Service rules: references, tokens, framework loading, configuration, seeding, rate limits."""

from __future__ import annotations

import copy
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from portal import create_app
from portal.config import ConfigurationError
from portal.database import include_object
from portal.demo.seed import seed_feedback
from portal.extensions import db
from portal.framework import DEFAULT_PATH, FrameworkFileError, load_framework
from portal.models import (
    Commitment,
    ContactDetails,
    Feedback,
    Horizon,
    StakeholderType,
    TransportMode,
)
from portal.public import service

from .conftest import hidden_fields, make_app, valid_answers


def test_references_are_unambiguous_random_and_unique():
    """A broken generator fails this; a working one cannot fail it by chance.

    2,000 references from 32**7 (about 3.4e10) values: the expected number of colliding pairs is
    2000**2 / 2 / 32**7, about 6e-5, so three or more collisions (the bound below) happen by chance
    with a probability of about 4e-14. A generator with too little randomness (a shorter code, a
    smaller alphabet, a clock or a counter) collides far more, or breaks the checks on the shape,
    the alphabet and the order.
    """
    samples = 2000
    references = [service.generate_reference() for _ in range(samples)]
    assert len(set(references)) >= samples - 2
    length = service.REFERENCE_LENGTH
    assert length >= 7
    for reference in references:
        assert re.fullmatch(rf"SVF-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{{{length}}}", reference)
    # Every character of the alphabet is used (14,000 draws of 32 symbols: a symbol never drawn
    # has a probability of about 32 * (31/32)**14000, which is 0 to any precision that matters).
    assert set("".join(r[4:] for r in references)) == set(service.REFERENCE_ALPHABET)
    # Not sequential: about half of consecutive pairs go up (the spread is about 0.006 here,
    # so 0.1 is over 15 standard deviations).
    ordered = sum(a < b for a, b in zip(references, references[1:], strict=False))
    assert 0.4 < ordered / len(references) < 0.6


def test_tracking_tokens_carry_at_least_128_bits(app_ctx):
    submission = service.submit_feedback(
        service.NewFeedback(body="A sensible piece of feedback", stakeholder_type="passenger")
    )
    assert len(submission.token) * 6 >= 128
    stored = db.session.get(Feedback, submission.feedback.id)
    assert stored.tracking_token_hash != submission.token
    assert service.find_by_token(submission.token).id == stored.id


def test_migrations_match_the_models(app_ctx):
    """The schema built by the migrations is exactly what the models describe (more in
    tests/test_migrations.py)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"feedback", "contact_details", "commitments", "roles", "themes"} <= tables


def test_migrations_upgrade_an_empty_sqlite_file(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Commitment)) >= 8


def test_framework_has_the_six_transport_day_one_commitments_verbatim(app_ctx):
    texts = {c.text for c in db.session.scalars(select(Commitment))}
    for sentence in [
        "Establish a minimum percentage weighting for Social Value considerations in procurement "
        "decisions on all new contracts by March 2023.",
        "Increase the number of foodbank collection points at our travel centres and rail "
        "stations.",
        "Develop and improve our data collection for users of the public transport network and "
        "use this to align services.",
    ]:
        assert sentence in texts
    day_one_transport = db.session.scalar(
        select(func.count())
        .select_from(Commitment)
        .where(Commitment.horizon == Horizon.DAY_ONE, Commitment.transport.is_(True))
    )
    assert day_one_transport >= 6
    assert db.session.scalar(select(func.count()).select_from(Commitment)) >= 8


def test_framework_load_is_idempotent_and_picks_up_edits(app_ctx, tmp_path):
    load_framework()  # the starter codes come back after the previous test's clean-up
    assert not load_framework().any_change
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["commitments"][0]["title"] = "An edited title"
    data["commitments"][0]["themes"] = ["greener"]
    removed = data["commitments"].pop()
    edited = tmp_path / "framework.yaml"
    edited.write_text(yaml.safe_dump(data))
    report = load_framework(edited)
    slug = data["commitments"][0]["slug"]
    assert report.changed == [f"commitment {slug}: title, themes"]
    assert report.retired == [f"commitment {removed['slug']}: {removed['title']}"]
    commitment = db.session.scalar(select(Commitment).where(Commitment.slug == slug))
    assert commitment.title == "An edited title"
    assert [t.slug for t in commitment.themes] == ["greener"]
    restored = load_framework()
    assert restored.any_change
    assert not load_framework().any_change
    assert service.get_commitment(removed["slug"]) is not None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["commitments"][0].update(horizon="someday"), "unknown horizon"),
        (lambda d: d["commitments"][0].update(roles=["wizard"]), "unknown roles"),
        (lambda d: d["commitments"].append(copy.deepcopy(d["commitments"][0])), "duplicate slug"),
        (lambda d: d["commitments"][1].pop("text"), "missing text"),
    ],
)
def test_framework_file_errors_are_reported(tmp_path, mutate, message):
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(FrameworkFileError, match=message):
        from portal.framework import read_framework

        read_framework(path)


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app({"ENV_NAME": "production", "SECRET_KEY": None})


def test_settings_come_from_flask_prefixed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "env.db"))
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")


def test_development_secret_is_generated_into_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "dev.db"))
    app = create_app(instance_path=tmp_path / "instance")
    secret_file = tmp_path / "instance" / "secret_key"
    assert Path(app.instance_path) == tmp_path / "instance"  # never the repository's instance/
    assert secret_file.exists()
    assert app.config["SECRET_KEY"] == secret_file.read_text().strip()


def test_engine_settings_sqlite_wal_and_busy_timeout_or_postgresql_pool(app_ctx):
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    else:
        assert db.engine.dialect.name == "postgresql"
        assert db.engine.pool.size() == 5


def test_demo_seed_spreads_realistic_feedback_over_18_months(app_ctx):
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert seed_feedback(600, seed=7, now=now) == 600
    rows = list(db.session.scalars(select(Feedback)))
    assert len(rows) == 600
    assert len({r.reference for r in rows}) == 600
    assert len({r.commitment_id for r in rows}) >= 10
    assert len({r.stakeholder_type for r in rows}) == len(StakeholderType)
    assert len({r.locality for r in rows}) >= 7
    # Transport modes only on transport commitments, every mode used, many items without one.
    assert {r.transport_mode for r in rows} == set(TransportMode) | {None}
    assert all(r.commitment.transport for r in rows if r.transport_mode)
    dates = [r.received_at.replace(tzinfo=UTC) for r in rows]
    assert min(dates) >= now - timedelta(days=549)
    assert max(dates) - min(dates) > timedelta(days=365)
    assert len({r.body for r in rows}) > 400
    assert "lorem" not in " ".join(r.body.lower() for r in rows)
    assert db.session.scalar(select(func.count()).select_from(ContactDetails)) > 20
    # New submissions after a bulk seed still get fresh ids.
    submission = service.submit_feedback(
        service.NewFeedback(body="Feedback after the seed", stakeholder_type="resident")
    )
    assert submission.feedback.id > max(r.id for r in rows)


def test_rate_limit_stops_a_flood_of_submissions(tmp_path_factory):
    app = make_app(
        "sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, FEEDBACK_RATE_LIMIT="3 per minute"
    )
    client = app.test_client()
    statuses = []
    for _ in range(5):
        page = client.get("/feedback").get_data(as_text=True)
        data = hidden_fields(page) | valid_answers()
        statuses.append(client.post("/feedback", data=data).status_code)
    assert statuses[:3] == [303, 303, 303]
    assert statuses[3:] == [429, 429]
    # Reading pages is not limited.
    assert client.get("/feedback").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 3


def test_a_flood_without_form_tokens_is_refused_with_429_not_a_server_error(tmp_path_factory):
    # A post without its token is answered by showing the form again (the view runs once more
    # inside the token-error handler), where the route's rate limit is checked too.
    app = make_app(
        "sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, FEEDBACK_RATE_LIMIT="3 per minute"
    )
    client = app.test_client()
    statuses = [client.post("/feedback", data=valid_answers()).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_framework_copy_in_repo_is_loadable(tmp_path):
    copy = tmp_path / "framework.yaml"
    shutil.copy(DEFAULT_PATH, copy)
    from portal.framework import read_framework

    data = read_framework(copy)
    assert len(data["commitments"]) >= 8
