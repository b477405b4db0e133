"""Issue 11: contact details and survey email answers are encrypted at rest (AES-GCM), found
through a keyed blind index, shown decrypted to the roles that may see them, and re-encrypted
by `flask privacy rotate-key`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from portal import create_app, crypto
from portal.extensions import db
from portal.models import Commitment, ContactDetails, SurveyResponse
from portal.outbox import service as outbox
from portal.outbox.models import OutboxMessage
from portal.privacy import service as privacy
from portal.public.service import NewFeedback, submit_feedback

from .conftest import TEST_DATA_KEY, csrf_for, make_app, submit
from .test_surveys import BASE_ANSWERS, submit_directly, survey_file, synced  # noqa: F401

EMAIL = "jo.secret-person@example.org"
NAME = "Jo Secretname"


def raw_files(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_the_database_file_and_its_backup_reveal_no_address(tmp_path_factory, tmp_path):
    app = make_app("sqlite", tmp_path_factory)
    client = app.test_client()
    response = submit(client, "/feedback", consent_to_contact="y", email=EMAIL, name=NAME)
    assert response.status_code == 303
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        # The acknowledgement and a follow keep the address too: both are encrypted at rest.
        commitment = db.session.scalar(select(Commitment).where(Commitment.active.is_(True)))
        outbox.request_follow(commitment, EMAIL)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    for needle in (EMAIL.encode(), b"secret-person", NAME.encode(), b"Secretname"):
        assert needle not in raw_files(url)
    backup = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["db", "backup", str(backup)])
    assert result.exit_code == 0, result.output
    data = backup.read_bytes()
    assert b"secret-person" not in data and b"Secretname" not in data
    assert b"enc1:" in data  # the ciphertext is there, only unreadable


def test_stored_values_are_ciphertext_and_read_back_in_clear(app_ctx):
    submit_feedback(
        NewFeedback(
            body="Please contact me about the lift",
            stakeholder_type="resident",
            consent_to_contact=True,
            email=EMAIL,
            name=NAME,
        )
    )
    raw = db.session.execute(text("SELECT name, email, email_index FROM contact_details")).one()
    assert raw.email.startswith("enc1:") and raw.name.startswith("enc1:")
    assert "secret" not in raw.email.lower() and "secret" not in raw.name.lower()
    assert raw.email_index == crypto.blind_index(EMAIL) and len(raw.email_index) == 64
    db.session.expire_all()
    contact = db.session.scalar(select(ContactDetails))
    assert (contact.email, contact.name) == (EMAIL, NAME)


def test_subject_access_finds_by_blind_index_case_insensitively(app_ctx):
    submit_feedback(
        NewFeedback(
            body="Please contact me about the lift",
            stakeholder_type="resident",
            consent_to_contact=True,
            email=EMAIL,
        )
    )
    found = privacy.subject_access("  JO.Secret-Person@Example.ORG ")
    assert [f["email"] for f in found["feedback"]] == [EMAIL]
    assert privacy.subject_access("someone.else@example.org")["feedback"] == []


def test_staff_see_contact_details_decrypted(app, staff_client):
    with app.app_context():
        reference = submit_feedback(
            NewFeedback(
                body="Please contact me about the lift",
                stakeholder_type="resident",
                consent_to_contact=True,
                email=EMAIL,
                name=NAME,
            )
        ).feedback.reference
        db.session.commit()
    html = staff_client("member").get(f"/triage/{reference}").get_data(as_text=True)
    assert EMAIL in html and NAME in html


def test_admins_export_decrypted_data(app, make_user):
    from .conftest import login

    make_user("admin")
    with app.app_context():
        submit_feedback(
            NewFeedback(
                body="Please contact me",
                stakeholder_type="resident",
                consent_to_contact=True,
                email=EMAIL,
            )
        )
        db.session.commit()
    client = app.test_client()
    login(client, "admin@example.invalid")
    response = client.post(
        "/admin/privacy",
        data={"csrf_token": csrf_for(client, "/admin/privacy"), "email": EMAIL, "format": "json"},
    )
    assert EMAIL in response.get_data(as_text=True)


def test_survey_email_answers_are_encrypted_and_found(app, synced):  # noqa: F811
    answers = BASE_ANSWERS | {"follow_up": "yes", "email": EMAIL}
    reference = submit_directly(app, answers, "k" * 32)
    with app.app_context():
        raw = db.session.execute(
            text("SELECT answers FROM survey_responses WHERE reference = :r"), {"r": reference}
        ).scalar_one()
        raw = raw if isinstance(raw, str) else json.dumps(raw)
        assert "secret-person" not in raw and "enc1:" in raw
        found = privacy.subject_access(EMAIL)
        assert [r["reference"] for r in found["survey_responses"]] == [reference]
        assert found["survey_responses"][0]["answers"]["email"] == EMAIL
        report = privacy.erase(None, EMAIL)
        db.session.commit()
        assert report.survey_responses == 1
        response = db.session.scalar(select(SurveyResponse))
        assert "email" not in response.answers and response.email_index is None
        db.session.commit()


NEW_KEY = crypto.new_key()


def test_rotate_key_re_encrypts_everything_under_the_new_key(app, synced):  # noqa: F811
    with app.app_context():
        submit_feedback(
            NewFeedback(
                body="Please contact me",
                stakeholder_type="resident",
                consent_to_contact=True,
                email=EMAIL,
                name=NAME,
            )
        )
        db.session.commit()
    submit_directly(app, BASE_ANSWERS | {"follow_up": "yes", "email": EMAIL}, "r" * 32)
    old_key = app.config["DATA_KEY"]
    app.config["DATA_KEY"] = f"{NEW_KEY},{old_key}"
    try:
        result = app.test_cli_runner().invoke(args=["privacy", "rotate-key"])
        assert result.exit_code == 0, result.output
        # The emails: the feedback's and the survey response's acknowledgements.
        assert (
            "Re-encrypted 1 contact details, 1 survey responses and 2 follows and emails"
            in result.output
        )
        again = app.test_cli_runner().invoke(args=["privacy", "rotate-key"])
        assert (
            "Re-encrypted 0 contact details, 0 survey responses and 0 follows and emails"
            in again.output
        )
        app.config["DATA_KEY"] = NEW_KEY  # the old key is gone: everything still reads
        with app.app_context():
            db.session.expire_all()
            contact = db.session.scalar(select(ContactDetails))
            assert (contact.email, contact.name) == (EMAIL, NAME)
            found = privacy.subject_access(EMAIL)
            assert len(found["feedback"]) == 1 and len(found["survey_responses"]) == 1
            rows = db.session.execute(text("SELECT to_address, text_body FROM outbox")).all()
            new_id = crypto.ring()[0].id
            assert len(rows) == 2
            for raw in rows:
                assert raw.to_address.startswith(f"enc1:{new_id}:")
                assert raw.text_body.startswith(f"enc1:{new_id}:")
            assert db.session.scalar(select(OutboxMessage)).to_address == EMAIL
        # A lost key: nothing can be read back.
        app.config["DATA_KEY"] = crypto.new_key()
        with app.app_context():
            db.session.expire_all()
            with pytest.raises(crypto.DataKeyError):
                db.session.scalar(select(ContactDetails)).email  # noqa: B018
    finally:
        app.config["DATA_KEY"] = old_key
        with app.app_context():
            db.session.rollback()
            db.session.execute(text("DELETE FROM contact_details"))
            db.session.commit()


def test_the_migration_encrypts_rows_stored_in_clear(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATA_KEY": TEST_DATA_KEY,
        }
    )
    with app.app_context():
        upgrade(revision="0009c-1")  # the schema just before the encryption migration
        db.session.execute(
            text(
                "INSERT INTO feedback (id, reference, tracking_token_hash, body, stakeholder_type,"
                " consent_to_quote, channel, status, priority, received_at, created_at,"
                " updated_at) VALUES (1, 'SVF-AAAAAAA', 'h', 'Old feedback', 'resident', 0,"
                " 'web', 'new', 'normal', '2026-01-01', '2026-01-01', '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO contact_details (feedback_id, name, email, consent_to_contact,"
                " consent_version, consented_at) VALUES (1, :n, :e, 1, 'v1', '2026-01-01')"
            ),
            {"n": NAME, "e": EMAIL},
        )
        db.session.commit()
        upgrade()
        raw = db.session.execute(text("SELECT name, email, email_index FROM contact_details")).one()
        assert raw.email.startswith("enc1:") and raw.name.startswith("enc1:")
        assert raw.email_index == crypto.blind_index(EMAIL)
        assert db.session.scalar(select(ContactDetails)).email == EMAIL


def test_a_malformed_key_stops_the_app(tmp_path):
    with pytest.raises(crypto.DataKeyError):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                "DATA_KEY": "too-short",
            }
        )
