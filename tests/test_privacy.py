"""Privacy and security: consent records, retention purge, subject access and erasure,
redaction, equality monitoring, the anonymisation function, headers, rate limits, backups."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import BadSignature
from sqlalchemy import func, select

from portal import audit
from portal.anonymise import public_quote, scrub
from portal.extensions import db
from portal.models import (
    AuditEntry,
    ContactDetails,
    EqualityResponse,
    Feedback,
    FeedbackStatus,
    User,
)
from portal.privacy import service
from portal.public.service import QUOTE_CONSENT_VERSION, NewFeedback, submit_feedback
from portal.triage import service as triage

from . import factories
from .conftest import csrf_for, hidden_fields, make_app, submit

EMAIL = "Person@Example.com"


def with_contact(body="Please phone me about the lift at Bootle", email=EMAIL, **kw) -> Feedback:
    return factories.feedback(
        body,
        stakeholder_type="resident",
        consent_to_contact=True,
        email=email,
        name="A Person",
        **kw,
    )


@pytest.fixture
def admin(app_ctx, make_user) -> User:
    return db.session.get(User, make_user("admin"))


def test_consent_is_recorded_with_version_and_time(app, client):
    submit(client, "/feedback", consent_to_quote="y", consent_to_contact="y", email="a@example.com")
    with app.app_context():
        item = db.session.scalar(select(Feedback))
        assert item.quote_consent_version == QUOTE_CONSENT_VERSION
        assert item.quote_consented_at is not None
        assert item.contact.consent_version and item.contact.consented_at


def test_purge_removes_old_contact_details_and_is_idempotent(admin):
    now = datetime(2026, 11, 25, tzinfo=UTC)
    old = with_contact(body="Call 07700 900123 about the lift, I live at L20 3AB")
    old.status, old.closed_at = FeedbackStatus.CLOSED, now - timedelta(days=400)
    recent = with_contact(email="recent@example.com")
    recent.status, recent.closed_at = FeedbackStatus.CLOSED, now - timedelta(days=30)
    still_open = with_contact(email="open@example.com")
    db.session.commit()
    report = service.purge(12, now=now)
    assert report.contact_details == 1 and report.anonymised == 1
    db.session.refresh(old)
    assert old.contact is None
    assert "07700" not in old.body and "L20 3AB" not in old.body and "lift" in old.body
    assert recent.contact is not None and still_open.contact is not None
    again = service.purge(12, now=now)
    assert again.contact_details == 0 and again.anonymised == 0
    assert db.session.scalar(select(func.count()).select_from(ContactDetails)) == 2
    # The audit trail, read by a person, gives the cut-off date in words.
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).one()
    assert "closed before 25 November 2025" in entry.after


def test_closing_and_reopening_moves_the_retention_clock(admin):
    item = with_contact()
    triage.change_status(item, admin, FeedbackStatus.IN_REVIEW)
    assert item.closed_at is None
    triage.change_status(item, admin, FeedbackStatus.SPAM)
    assert item.closed_at is not None
    triage.change_status(item, admin, FeedbackStatus.NEW)
    assert item.closed_at is None


def test_purge_command(app):
    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0 and "Would remove 0 contact details" in result.output


def test_subject_access_finds_everything_and_erasure_removes_it(admin):
    first = with_contact(email="person@example.com")
    second = with_contact(body="Another comment", email="PERSON@example.com")
    with_contact(email="someone.else@example.com")
    found = service.subject_access(EMAIL)
    assert {f["reference"] for f in found["feedback"]} == {first.reference, second.reference}
    assert json.dumps(found)  # JSON-ready
    report = service.erase(admin, EMAIL, redact_text=True)
    assert report.contact_details == 2 and report.texts_redacted == 2
    assert service.subject_access(EMAIL)["feedback"] == []
    db.session.refresh(first)
    assert first.body == service.ERASED_TEXT
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "erasure")).all()
    assert len(entries) == 1
    assert "example.com" not in (entries[0].after or "") + (entries[0].before or "")
    assert first.reference in entries[0].after
    with pytest.raises(service.PrivacyError, match="Nothing is held"):
        service.erase(admin, EMAIL)
    with pytest.raises(service.PrivacyError, match="correct format"):
        service.subject_access("not an email")


def test_subject_access_pages_are_post_only_for_the_email(app, make_user):
    from .conftest import login

    make_user("admin")
    client = app.test_client()
    login(client, "admin@example.invalid")
    with app.app_context():
        with_contact(email="person@example.com")
        db.session.commit()
    token = csrf_for(client)
    page = client.post("/admin/privacy", data={"csrf_token": token, "email": EMAIL})
    assert "Please phone me about the lift" in page.get_data(as_text=True)
    exported = client.post("/admin/privacy/export", data={"csrf_token": token, "email": EMAIL})
    assert json.loads(exported.data)["feedback"][0]["email"] == "person@example.com"
    refused = client.post("/admin/privacy/erase", data={"csrf_token": token, "email": EMAIL})
    assert "Tick the box" in client.get(refused.headers["Location"]).get_data(as_text=True)
    client.post(
        "/admin/privacy/erase", data={"csrf_token": token, "email": EMAIL, "confirm": "yes"}
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactDetails)) == 0
    bad = client.post("/admin/privacy", data={"csrf_token": token, "email": "nope"})
    assert bad.status_code == 422


def test_redaction_suggests_and_removes_without_keeping_the_original(app, admin):
    item = with_contact(
        body="My number is 07700 900123, email me at me@example.org, I am in CH41 6AB"
    )
    suggestions = service.suggestions(item.body)
    assert set(suggestions) == {"07700 900123", "me@example.org", "CH41 6AB"}
    count = service.redact(admin, item, suggestions)
    assert count == 3
    assert item.body == "My number is [redacted], email me at [redacted], I am in [redacted]"
    history = audit.history("feedback", item.id)
    assert all("07700" not in (e.before or "") + (e.after or "") for e in history)
    with pytest.raises(service.PrivacyError, match="not in the feedback"):
        service.redact(admin, item, ["not there"])
    # The search index no longer finds the redacted words.
    from portal.triage import search

    rows = triage.inbox_page(triage.InboxFilters(q=search.parse("07700")), admin).rows
    assert rows == []


def test_redaction_form_on_the_item_page(app, staff_client):
    """The item page's redaction form is rendered from its WTForms class: the suggestions as
    small checkboxes (passage-1, ...), a box for other text; a refusal changes nothing."""
    client = staff_client("member")
    body = "Ring 07700 900123 or write to me@example.org about the lift at Bootle"
    with app.app_context():
        item = with_contact(body=body)
        db.session.commit()
        reference, item_id = item.reference, item.id
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    form = page[page.index('action="/triage/' + reference + '/redact"') :]
    form = form[: form.index("</form>")]
    assert 'class="govuk-checkboxes govuk-checkboxes--small"' in form
    assert "govuk-fieldset__legend--s" in form and "These look like contact details" in form
    boxes = re.findall(r'<input class="govuk-checkboxes__input" id="([^"]+)" name="passages"', form)
    assert sorted(boxes) == ["passage-1", "passage-2"]
    assert 'value="07700 900123"' in form and 'value="me@example.org"' in form
    assert re.search(r'for="passage">\s*Other text to redact \(copied exactly\)\s*</label>', form)
    assert re.search(r'<input class="govuk-input" id="passage" name="passage" type="text"', form)
    assert 'spellcheck="false"' in form and 'autocomplete="off"' in form
    token = csrf_for(client, f"/triage/{reference}")

    def body_now() -> str:
        with app.app_context():
            return db.session.get(Feedback, item_id).body

    for data, message in (
        ({}, "Choose or enter the text to redact"),
        ({"passages": "07700 900123", "passage": "not in it"}, "That text is not in the feedback"),
    ):
        refused = client.post(
            f"/triage/{reference}/redact", data={"csrf_token": token, **data}, follow_redirects=True
        )
        assert message in refused.get_data(as_text=True)
        assert body_now() == body
    done = client.post(
        f"/triage/{reference}/redact",
        data={
            "csrf_token": token,
            "passages": ["07700 900123", "me@example.org"],
            "passage": "Bootle",
        },
        follow_redirects=True,
    )
    assert "3 passages redacted" in done.get_data(as_text=True)
    assert body_now() == "Ring [redacted] or write to [redacted] about the lift at [redacted]"
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    assert 'name="passages"' not in page and 'id="passage"' in page


def test_public_quote_needs_consent_and_scrubs():
    item = Feedback(
        body="Ring 0151 123 4567 or visit L1 8JQ", consent_to_quote=False, status=FeedbackStatus.NEW
    )
    assert public_quote(item) is None
    item.consent_to_quote = True
    assert public_quote(item) is None  # consented, but no member has approved it yet
    item.quote_approved = True
    assert public_quote(item) == "Ring [removed] or visit [removed]"
    item.status = FeedbackStatus.SPAM
    assert public_quote(item) is None
    assert scrub("write to a@b.co.uk") == "write to [removed]"


def test_equality_monitoring_is_optional_apart_and_suppressed(app, client):
    assert client.get("/feedback/equality").status_code == 302  # only after a submission
    submit(client, "/feedback")
    confirmation = client.get("/feedback/confirmation").get_data(as_text=True)
    assert "/feedback/equality" in confirmation
    page = client.get("/feedback/equality").get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    bad = client.post("/feedback/equality", data={"csrf_token": token, "sex": "Robot"})
    assert bad.status_code == 422
    ok = client.post(
        "/feedback/equality", data={"csrf_token": token, "age_band": "25 to 34", "sex": "Female"}
    )
    assert ok.status_code == 303
    assert client.get("/feedback/equality").status_code == 302  # asked once
    with app.app_context():
        stored = db.session.scalar(select(EqualityResponse))
        assert stored.month.day == 1
        assert not hasattr(stored, "feedback_id")
        for _ in range(5):
            service.record_equality({"age_band": "65 to 74"})
        report = service.equality_report()
        ages = dict(report["What is your age?"])
        assert ages["25 to 34"] == "fewer than 5"
        assert ages["65 to 74"] == "5"
        assert service.record_equality({}) is None
        db.session.commit()


# --- security -----------------------------------------------------------------------------


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # development over http
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_production_adds_hsts_and_secure_cookies(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, ENV_NAME="production", SECRET_KEY="s" * 32)
    response = app.test_client().get("/")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_no_inline_scripts_or_styles_in_pages(client):
    html = client.get("/commitments/foodbank-collection-points").get_data(as_text=True)
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag
    assert "<style" not in html and " style=" not in html


def test_nul_characters_never_reach_the_database(app, client):
    response = submit(client, "/feedback", body="Null\x00 byte\x00 in the middle of feedback")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Feedback.body)) == "Null byte in the middle of feedback"


def test_search_is_rate_limited(tmp_path_factory):
    from .conftest import login

    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, SEARCH_RATE_LIMIT="2/minute")
    with app.app_context():
        from portal.auth.service import create_user

        create_user("m@example.invalid", "member", "correct horse battery staple")
        db.session.commit()
    client = app.test_client()
    login(client, "m@example.invalid", "correct horse battery staple")
    assert [client.get("/best-practice?q=bus").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/best-practice").status_code == 200  # browsing is not limited


def test_rate_limit_storage_is_configurable(tmp_path_factory):
    from limits.errors import ConfigurationError
    from limits.storage import MemoryStorage

    from portal.extensions import limiter

    app = make_app("sqlite", tmp_path_factory, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        assert isinstance(limiter.storage._store(), MemoryStorage)
    # The setting reaches the limiter: a storage it does not know stops the app starting.
    with pytest.raises(ConfigurationError):
        make_app("sqlite", tmp_path_factory, RATELIMIT_STORAGE_URI="nosuchstore://nowhere")
    make_app("sqlite", tmp_path_factory, RATELIMIT_STORAGE_URI="memory://")


def test_audit_page_filters(app, make_user):
    from .conftest import login

    make_user("admin")
    client = app.test_client()
    login(client, "admin@example.invalid")
    with app.app_context():
        admin = db.session.scalar(select(User))
        item = with_contact()
        triage.change_status(item, admin, FeedbackStatus.IN_REVIEW)
        triage.create_code(admin, "Audited code")
        db.session.commit()  # triage services leave the commit to their caller
    html = client.get("/admin/audit?entity=code").get_data(as_text=True)
    assert "Audited code" in html and "in_review" not in html
    assert "in_review" in client.get("/admin/audit?field=status").get_data(as_text=True)
    assert "From must be a real date" in client.get("/admin/audit?from=nope").get_data(as_text=True)


# --- resilience ---------------------------------------------------------------------------


@pytest.mark.commits
def test_backup_and_restore(app, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x.db")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    with app.app_context():
        reference = submit_feedback(
            NewFeedback(body="Kept safely in the backup", stakeholder_type="resident")
        ).feedback.reference
        db.session.commit()
    target = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backed up 1 feedback items" in result.output
    again = app.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output
    # Restore: the backup is a complete database the portal can run on.
    from portal import create_app

    restored = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"}
    )
    with restored.app_context():
        assert db.session.scalar(select(Feedback.reference)) == reference
    connection = sqlite3.connect(target)
    assert (
        connection.execute(
            "SELECT count(*) FROM feedback_fts WHERE feedback_fts MATCH 'backup'"
        ).fetchone()[0]
        == 1
    )
    connection.close()


def test_subject_access_page_gives_dates_in_words(app, make_user):
    from .conftest import login

    make_user("admin")
    client = app.test_client()
    login(client, "admin@example.invalid")
    with app.app_context():
        item = with_contact(email="person@example.com")
        item.received_at = datetime(2026, 12, 9, 14, 5, tzinfo=UTC)
        db.session.commit()
    page = client.post("/admin/privacy", data={"csrf_token": csrf_for(client), "email": EMAIL})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "9 December 2026, 2:05pm" in html
    assert "2026-12-09" not in html
    # The JSON download keeps the machine format.
    exported = client.post(
        "/admin/privacy/export", data={"csrf_token": csrf_for(client), "email": EMAIL}
    )
    assert json.loads(exported.data)["feedback"][0]["received_at"].startswith("2026-12-09T14:05")


def test_the_session_serializer_is_built_once_per_secret_key(app, monkeypatch):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"csrf_token": "t"})
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    rotated = interface.get_signing_serializer(app)
    assert rotated is not first
    with pytest.raises(BadSignature):
        rotated.loads(cookie)  # a cookie signed with the old key is not trusted
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["test-secret"])
    assert interface.get_signing_serializer(app).loads(cookie) == {"csrf_token": "t"}
