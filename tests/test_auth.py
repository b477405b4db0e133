"""Staff accounts: sign-in, lockout, sessions, the users commands, and who may see what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.auth import service
from portal.extensions import db
from portal.models import StaffRole, User
from portal.public.service import NewFeedback, submit_feedback

from .conftest import PASSWORD, csrf_for, hidden_fields, login


def test_passwords_are_hashed_with_scrypt(app_ctx):
    user = service.create_user("a@example.invalid", "member", PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_sign_in_and_land_on_the_inbox(client, make_user):
    make_user("member")
    response = login(client, "member@example.invalid")
    assert response.status_code == 303
    assert response.headers["Location"] == "/triage"
    assert client.get("/triage").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_generic_error(client, make_user):
    make_user("member")
    wrong = login(client, "member@example.invalid", "not the password")
    unknown = login(client, "nobody@example.invalid", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        html = response.get_data(as_text=True)
        assert "Enter a correct email address and password" in html
        assert 'href="#email"' in html
        assert "not the password" not in html  # the password is never echoed back


def test_empty_fields_are_reported_at_each_field(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data=hidden_fields(page) | {"email": "", "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html


@pytest.mark.commits  # the lock must outlive the next attempt's session rollback
def test_repeated_failures_slow_down_then_lock_even_the_right_password(app_ctx, make_user):
    make_user("member")
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    for _ in range(service.LOCK_AFTER - 1):
        assert not service.authenticate("member@example.invalid", "wrong", now).locked
    assert service.authenticate("member@example.invalid", "wrong", now).locked
    locked = service.authenticate("member@example.invalid", PASSWORD, now + timedelta(minutes=1))
    assert locked.user is None and locked.locked
    later = now + timedelta(minutes=service.LOCK_MINUTES + 1)
    assert service.authenticate("member@example.invalid", PASSWORD, later).user is not None


def test_unknown_emails_are_locked_alike(app_ctx):
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    results = [service.authenticate("ghost@example.invalid", "x", now) for _ in range(5)]
    assert results[-1].locked


def test_locked_account_message_on_the_page(client, make_user, monkeypatch):
    monkeypatch.setattr(service.time, "sleep", lambda _: None)
    make_user("member")
    for _ in range(service.LOCK_AFTER):
        login(client, "member@example.invalid", "wrong")
    response = login(client, "member@example.invalid")
    assert response.status_code == 401
    assert "too many attempts" in response.get_data(as_text=True)


def test_deactivated_accounts_cannot_sign_in_and_are_signed_out(app, client, make_user):
    make_user("member")
    assert login(client, "member@example.invalid").status_code == 303
    with app.app_context():
        service.deactivate("member@example.invalid")
        db.session.commit()
    assert client.get("/triage").status_code == 302
    assert login(client, "member@example.invalid").status_code == 401


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/triage?status=new", "/triage?status=new"),
        ("https://evil.example/", "/triage"),
        ("//evil.example/", "/triage"),
        ("/\\evil.example", "/triage"),
        ("javascript:alert(1)", "/triage"),
    ],
)
def test_next_must_be_local(client, make_user, target, expected):
    make_user("member")
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    data = hidden_fields(page) | {"email": "member@example.invalid", "password": PASSWORD}
    response = client.post("/login", data=data)
    assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    ("return_to", "referrer", "expected"),
    [
        ("/triage?status=new", None, "/triage?status=new"),
        ("https://evil.example/triage", None, "/"),
        ("//evil.example/", "http://portal.test/triage?page=2", "/triage?page=2"),
        ("", "https://evil.example/triage", "/"),
    ],
)
def test_a_post_without_a_session_signs_in_back_to_the_form_page(
    client, return_to, referrer, expected
):
    """A form posted after the session ended: sign in, then back to the page the form was on
    (its `return_to`, read through ReturnToForm; else the referring page of this site)."""
    headers = {"Referer": referrer} if referrer else {}
    response = client.post(
        "/triage/bulk",
        data={"csrf_token": csrf_for(client), "return_to": return_to, "ids": "1"},
        headers=headers,
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [expected]


def test_logout_is_post_only_with_csrf(client, make_user):
    make_user("member")
    login(client, "member@example.invalid")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    token = csrf_for(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/triage").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("member")
    response = login(client, "member@example.invalid")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_is_rate_limited(tmp_path_factory):
    from .conftest import make_app

    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2/minute")
    client = app.test_client()
    statuses = [login(client, "x@example.invalid", "bad").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


# --- commands -----------------------------------------------------------------------------


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_commands(app):
    created = run(
        app,
        "users",
        "create",
        "Officer@Example.invalid",
        "--role",
        "officer",
        "--name",
        "An Officer",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    assert "officer@example.invalid" in run(app, "users", "list").output
    assert run(app, "users", "set-role", "officer@example.invalid", "member").exit_code == 0
    assert run(app, "users", "deactivate", "officer@example.invalid").exit_code == 0
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.role is StaffRole.MEMBER and not user.active
        assert user.password_hash != PASSWORD


def test_users_create_prompts_for_a_hidden_password(app):
    result = run(
        app, "users", "create", "p@example.invalid", "--role", "admin", input=f"{PASSWORD}\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["users", "create", "x@example.invalid", "--role", "member", "--password-stdin"],
            "short\n",
            "at least 12",
        ),
        (
            ["users", "create", "x@example.invalid", "--role", "wizard", "--password-stdin"],
            PASSWORD,
            "wizard",
        ),
        (["users", "set-role", "nobody@example.invalid", "member"], None, "No account"),
        (["users", "deactivate", "nobody@example.invalid"], None, "No account"),
    ],
)
def test_users_command_errors(app, args, stdin, message):
    result = run(app, *args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_password_is_not_accepted_on_the_command_line(app):
    result = run(app, "users", "create", "x@example.invalid", "--role", "member", "--password", "x")
    assert result.exit_code != 0


def test_duplicate_account_refused(app):
    args = ["users", "create", "d@example.invalid", "--role", "member", "--password-stdin"]
    assert run(app, *args, input=PASSWORD).exit_code == 0
    again = run(app, *args, input=PASSWORD)
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_users_only_on_a_database_without_accounts(app):
    first = run(app, "demo", "users")
    assert first.output.count("password:") == 2
    assert "already exist" in run(app, "demo", "users").output


# --- permissions over every staff route ------------------------------------------------------

PUBLIC_ENDPOINTS = {
    "static",
    "core.healthz",
    "auth.login",
    "auth.logout",
    "surveys.index",
    "surveys.start",
    "surveys.page",
    "surveys.preview",
    "surveys.check",
    "surveys.submit",
    "surveys.done",
    "notes.library",
    "notes.public_note",
    "notes.public_version",
    "yousaid.index",
    "privacy.equality",
    "sitefeedback.new",
    "sitefeedback.thanks",
    "csp_report",
    "outbox.follow",
    "outbox.check_email",
    "outbox.confirm",
    "outbox.confirmed",
    "outbox.unsubscribe",
    "opendata.index",
    "annualreview.index",
    "annualreview.review",
    "annualreview.review_pdf",
    "annualreview.review_xlsx",
    "annualreview.version",
    "annualreview.version_pdf",
    "annualreview.version_xlsx",
    "opendata.download",
    "api.index",
    "api.commitments",
    "api.commitment",
    "api.progress",
    "api.you_said",
    "api.notes",
    "api.feedback_counts",
    "api.openapi",
    "api.docs",
    "api.unknown",
}
# Who may use each staff area. A new staff route must be added here or this test fails.
EXPECTED = {
    "triage.": {"admin", "member"},
    "dataio.": {"admin", "member"},
    "admin.codes": {"admin", "member"},
    "admin.create_code": {"admin", "member"},
    "admin.rename_code": {"admin", "member"},
    "admin.merge_codes": {"admin", "member"},
    "admin.retire_code": {"admin", "member"},
    "surveys.results": {"admin", "member"},
    "surveys.results_csv": {"admin", "member"},
    "surveys.results_xlsx": {"admin", "member"},
    "progress.new": {"admin", "officer"},
    "progress.mine": {"admin", "officer"},
    "meetings.": {"admin", "member"},
    "notes.new": {"admin", "champion"},
    "notes.publish": {"admin", "member"},
    "notes.return_note": {"admin", "member"},
    "notes.endorse": {"admin", "member"},
    "notes.pin": {"admin", "member"},
    "notes.": {"admin", "member", "champion"},
    "reports.": {"admin", "member", "officer"},
    "privacy.redact": {"admin", "member"},
    "privacy.equality_report": {"admin", "member"},
    "privacy.": {"admin"},
    "admin.audit_log": {"admin"},
    "sitefeedback.index": {"admin", "member"},
    "admin.index": {"admin"},
    "admin.users": {"admin"},
    "admin.update_user": {"admin"},
    "framework_admin.": {"admin"},
    "outbox.account": {"admin", "member", "champion", "officer"},
    "outbox.admin_outbox": {"admin"},
    "outbox.retry": {"admin"},
    "admin.officer_commitments": {"admin"},
    "opendata.admin": {"admin"},
    "opendata.publish": {"admin"},
    "annualreview.publish": {"admin"},
    "annualreview.": {"admin", "member"},
    "tagging.save_settings": {"admin"},
    "tagging.": {"admin", "member"},
}


def _expected_roles(endpoint: str) -> set[str]:
    for prefix, roles in EXPECTED.items():
        if endpoint == prefix or (prefix.endswith(".") and endpoint.startswith(prefix)):
            return roles
    raise AssertionError(f"No permission expectation for {endpoint}: add it to EXPECTED")


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith("public."):
            continue
        yield rule


def _url(rule, reference: str) -> str:
    values = {}
    for argument in rule.arguments:
        known = {
            "reference": reference,
            "slug": "no-such-thing",
            "period": "2026-Q1",
            "year": "2026",
        }
        default = 1 if argument.endswith("_id") or argument == "number" else "x"
        values[argument] = known.get(argument, default)
    return rule.build(values)[1]


@pytest.mark.parametrize("role", [None, "admin", "member", "champion", "officer"])
def test_every_staff_route_for_every_role(app, make_user, role):
    with app.app_context():
        reference = submit_feedback(
            NewFeedback(body="Permissions test feedback", stakeholder_type="resident")
        ).feedback.reference
        db.session.commit()
    client = app.test_client()
    if role:
        make_user(role)
        assert login(client, f"{role}@example.invalid").status_code == 303
    token = csrf_for(client)
    checked = 0
    for rule in _staff_rules(app):
        allowed = _expected_roles(rule.endpoint)
        url = _url(rule, reference)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            if role is None:
                assert response.status_code == 302, (method, url)
                assert response.headers["Location"].startswith("/login?next=")
                htmx = client.open(url, method=method, data=data, headers={"HX-Request": "true"})
                assert htmx.headers["HX-Redirect"].startswith("/login?next="), (method, url)
                assert "<html" not in htmx.get_data(as_text=True)
            elif role in allowed:
                # Served: neither sent to sign in, nor refused, nor a server error.
                assert response.status_code < 500, (role, method, url, response.status_code)
                assert response.status_code not in (302, 401, 403), (role, method, url)
            else:
                assert response.status_code == 403, (role, method, url)
                assert "You do not have permission" in response.get_data(as_text=True)
            checked += 1
    assert checked >= 15
