"""Issue 11: public quotes only after approval, one equality answer per submission, an atomic
lockout, an HMAC throttle key and a validated submission key."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.auth import service as accounts
from portal.extensions import db
from portal.models import AuditEntry, EqualityResponse, Feedback, LoginThrottle
from portal.public.service import NewFeedback, submit_feedback

from . import factories
from .conftest import PASSWORD, csrf_for, hidden_fields, make_app, submit, valid_answers

# --- quotes on public pages -------------------------------------------------------------------


def _quotable_item(app, body: str) -> str:
    with app.app_context():
        return factories.feedback(
            body, commitment="foodbank-collection-points", consent_to_quote=True
        ).reference


def _label() -> str:
    today = datetime.now(UTC).date()
    year = today.year if today.month >= 4 else today.year - 1
    quarter = ((today.month - 4) % 12) // 3 + 1
    return f"{year}-Q{quarter}"


def test_consented_text_is_public_only_after_a_member_approves_it(app, staff_client):
    words = "The new foodbank box at Lime Street is brilliant, thank you all"
    reference = _quotable_item(app, words)
    public = app.test_client()
    url = f"/you-said-we-did?period={_label()}"
    assert words not in public.get(url).get_data(as_text=True)  # consented, untouched: not shown

    member = staff_client("member")
    page = member.get(f"/triage/{reference}").get_data(as_text=True)
    assert "Approve for quotation" in page
    response = member.post(
        f"/triage/{reference}/quote-approval",
        data={"csrf_token": csrf_for(member), "approve": "yes"},
    )
    assert response.status_code == 303
    assert words in public.get(url).get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        assert item.quote_approved and item.quote_approved_at is not None
        entry = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_id == item.id, AuditEntry.field == "quote_approved"
            )
        )
        assert entry is not None and entry.actor_id is not None

    member.post(
        f"/triage/{reference}/quote-approval",
        data={"csrf_token": csrf_for(member), "approve": "no"},
    )
    assert words not in public.get(url).get_data(as_text=True)


def test_text_without_consent_cannot_be_approved(app, staff_client):
    with app.app_context():
        reference = submit_feedback(
            NewFeedback(body="Please do not quote me on this one", stakeholder_type="resident")
        ).feedback.reference
        db.session.commit()
    member = staff_client("member")
    member.post(
        f"/triage/{reference}/quote-approval",
        data={"csrf_token": csrf_for(member), "approve": "yes"},
    )
    with app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        assert item.quote_approved is False


@pytest.mark.parametrize("role", ["champion", "officer"])
def test_only_members_and_admins_approve_quotes(app, staff_client, role):
    reference = _quotable_item(app, "Quotable text that only a member may approve")
    client = staff_client(role)
    response = client.post(
        f"/triage/{reference}/quote-approval",
        data={"csrf_token": csrf_for(client), "approve": "yes"},
    )
    assert response.status_code == 403


# --- equality monitoring: one answer per submission -----------------------------------------


def _equality_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EqualityResponse))


def test_the_same_cookie_cannot_post_equality_answers_twice(app, client):
    submit(client, "/feedback")
    client.get("/feedback/confirmation")
    saved = client.get_cookie("session", domain="portal.test").value
    token = csrf_for(client, "/feedback/equality")
    statuses = []
    for _ in range(25):
        client.set_cookie("session", saved, domain="portal.test")  # replay the same cookie
        response = client.post(
            "/feedback/equality", data={"csrf_token": token, "age_band": "25 to 34"}
        )
        statuses.append(response.status_code)
    assert _equality_count(app) == 1
    assert statuses[0] == 303
    assert all(status in (302, 303, 422) for status in statuses)


def test_each_submission_may_answer_once(app, client):
    for _ in range(2):
        submit(client, "/feedback")
        token = csrf_for(client, "/feedback/equality")
        client.post("/feedback/equality", data={"csrf_token": token, "sex": "Female"})
    assert _equality_count(app) == 2


def test_a_duplicate_submit_gets_no_second_equality_token(app, client):
    page = client.get("/feedback").get_data(as_text=True)
    data = hidden_fields(page) | valid_answers()
    client.post("/feedback", data=data)
    token = csrf_for(client, "/feedback/equality")
    client.post("/feedback/equality", data={"csrf_token": token, "sex": "Male"})
    client.post("/feedback", data=data)  # the same one-time form again
    assert client.get("/feedback/equality").status_code == 302
    assert _equality_count(app) == 1


def test_equality_answers_are_rate_limited(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True)
    app.config["FEEDBACK_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    token = csrf_for(client)
    statuses = [
        client.post("/feedback/equality", data={"csrf_token": token}).status_code for _ in range(3)
    ]
    assert statuses[-1] == 429


# --- sign-in lockout ------------------------------------------------------------------------


@pytest.mark.commits
def test_concurrent_wrong_passwords_check_at_most_five(app, make_user, monkeypatch):
    make_user("member")
    checks: list[str] = []
    real_check = accounts.check_password_hash

    def counting_check(hash_: str, password: str) -> bool:
        checks.append(password)
        return real_check(hash_, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    monkeypatch.setattr(accounts, "MAX_DELAY_SECONDS", 0.0)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def attempt() -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(accounts.authenticate("member@example.invalid", "wrong"))
            except Exception as error:  # noqa: BLE001  (any exception is the failure)
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 8
    assert len(checks) <= accounts.LOCK_AFTER
    assert sum(r.locked for r in results) >= 8 - accounts.LOCK_AFTER
    with app.app_context():
        throttle = db.session.scalar(select(LoginThrottle))
        assert throttle.locked_until is not None
        assert accounts.authenticate("member@example.invalid", PASSWORD).locked


@pytest.mark.commits  # the lock must outlive the next attempt's session rollback
def test_the_lock_expires_and_a_fresh_count_starts(app_ctx, make_user):
    make_user("member")
    now = datetime.now(UTC)
    for _ in range(accounts.LOCK_AFTER):
        accounts.authenticate("member@example.invalid", "wrong", now)
    later = now + timedelta(minutes=accounts.LOCK_MINUTES + 1)
    assert accounts.authenticate("member@example.invalid", PASSWORD, later).user is not None


def test_the_throttle_key_is_an_hmac_not_a_plain_hash(app_ctx):
    accounts.authenticate("someone@example.invalid", "wrong")
    key = db.session.scalar(select(LoginThrottle.key))
    assert key != hashlib.sha256(b"someone@example.invalid").hexdigest()
    assert len(key) == 64
    other = make_key_with_secret(app_ctx, "another-secret", "someone@example.invalid")
    assert other != key  # the key depends on the server secret


def make_key_with_secret(app, secret: str, email: str) -> str:
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = secret
    try:
        return accounts._throttle_key(email)
    finally:
        app.config["SECRET_KEY"] = original


# --- submission key ---------------------------------------------------------------------------


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Feedback))


@pytest.mark.parametrize("key", ["k" * 5000, "short", "has spaces in it and more text", "<x>" * 8])
def test_a_malformed_submission_key_is_refused_and_nothing_stored(app, client, key):
    page = client.get("/feedback").get_data(as_text=True)
    data = hidden_fields(page) | valid_answers() | {"submission_key": key}
    response = client.post("/feedback", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Check your answers and send it again" in html
    assert valid_answers()["body"] in html  # what they typed is kept
    assert _count(app) == 0
    fresh = hidden_fields(html)["submission_key"]
    assert fresh != key and len(fresh) == 32
    again = client.post("/feedback", data=data | {"submission_key": fresh})
    assert again.status_code == 303 and _count(app) == 1
