"""Issue 11: sessions the server can end, nothing readable in the cookie, links from the
configured base URL, trusted hosts, and no-store on every staff and personal page."""

from __future__ import annotations

import base64
import re
import time
import zlib

import pytest
from sqlalchemy import select

from portal.auth import service as accounts
from portal.extensions import db
from portal.models import Feedback, User
from portal.public.service import NewFeedback, submit_feedback

from .conftest import PASSWORD, csrf_for, hidden_fields, login, make_app, submit
from .test_surveys import survey_file, synced  # noqa: F401


def session_cookie(client) -> str:
    return client.get_cookie("session", domain="portal.test").value


def decoded(cookie: str) -> str:
    """Return what anyone holding the cookie can read: its payload, base64 (maybe zlib)."""
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):
        raw = zlib.decompress(raw)
    return raw.decode("utf-8", "replace")


def restore(client, cookie: str) -> None:
    client.set_cookie("session", cookie, domain="portal.test")


@pytest.fixture
def admin(app, make_user):
    make_user("admin")
    client = app.test_client()
    assert login(client, "admin@example.invalid").status_code == 303
    return client


def test_a_cookie_saved_before_signing_out_no_longer_opens_admin_pages(app, admin):
    saved = session_cookie(admin)
    assert admin.get("/admin/users").status_code == 200
    assert admin.post("/logout", data={"csrf_token": csrf_for(admin)}).status_code == 303
    restore(admin, saved)  # the attacker replays the cookie they copied
    response = admin.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signing_out_ends_the_accounts_other_sessions_too(app, make_user):
    make_user("admin")
    laptop, phone = app.test_client(), app.test_client()
    for client in (laptop, phone):
        assert login(client, "admin@example.invalid").status_code == 303
    laptop.post("/logout", data={"csrf_token": csrf_for(laptop)})
    assert phone.get("/admin/users").status_code == 302


@pytest.mark.parametrize("change", ["password", "deactivate", "role"])
def test_a_new_password_deactivation_or_role_change_ends_every_session(app, admin, change):
    saved = session_cookie(admin)
    runner = app.test_cli_runner()
    if change == "password":
        result = runner.invoke(
            args=["users", "set-password", "admin@example.invalid", "--password-stdin"],
            input="a brand new passphrase\n",
        )
    elif change == "deactivate":
        result = runner.invoke(args=["users", "deactivate", "admin@example.invalid"])
    else:
        result = runner.invoke(args=["users", "set-role", "admin@example.invalid", "member"])
    assert result.exit_code == 0, result.output
    restore(admin, saved)
    assert admin.get("/triage").status_code == 302


def test_an_admin_changing_a_role_in_the_portal_ends_that_persons_sessions(app, admin, make_user):
    member_id = make_user("member")
    member = app.test_client()
    assert login(member, "member@example.invalid").status_code == 303
    response = admin.post(
        f"/admin/users/{member_id}",
        data={"csrf_token": csrf_for(admin), "action": "role", "role": "champion"},
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, member_id).role.value == "champion"
    assert member.get("/notes").status_code == 302  # signed out, not a champion session


def test_an_unchanged_session_keeps_working(app, admin):
    for _ in range(3):
        assert admin.get("/admin/users").status_code == 200


def _age_session(client, **seconds_ago: float) -> None:
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = time.time() - ago


def test_idle_sessions_end_after_30_minutes(app, admin):
    _age_session(admin, seen_at=29 * 60)
    assert admin.get("/admin/users").status_code == 200  # 29 minutes idle: still signed in
    _age_session(admin, seen_at=31 * 60)
    assert admin.get("/admin/users").status_code == 302


def test_sessions_end_after_12_hours_however_busy(app, admin):
    _age_session(admin, auth_at=11.9 * 3600)
    assert admin.get("/admin/users").status_code == 200
    _age_session(admin, auth_at=12.1 * 3600)
    assert admin.get("/admin/users").status_code == 302


def test_the_limits_are_configurable(tmp_path_factory, make_user):
    app = make_app("sqlite", tmp_path_factory, SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    with app.app_context():
        accounts.create_user("admin@example.invalid", "admin", PASSWORD)
        db.session.commit()
    client = app.test_client()
    assert login(client, "admin@example.invalid").status_code == 303
    _age_session(client, seen_at=6 * 60)
    assert client.get("/admin/users").status_code == 302


def test_signing_in_starts_a_new_session(app, make_user):
    make_user("admin")
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["_user_id"] = "999:0"
    assert login(client, "admin@example.invalid").status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].split(":")[0] != "999"


def test_the_cookie_holds_no_reference_or_tracking_link_and_the_link_is_shown_once(app, client):
    submit(client, "/feedback")
    cookie = session_cookie(client)
    with app.app_context():
        reference = db.session.scalar(select(Feedback.reference))
    first = client.get("/feedback/confirmation").get_data(as_text=True)
    link = re.search(r'id="tracking-link" href="([^"]+)"', first).group(1)
    token = link.rsplit("/", 1)[1]
    readable = decoded(cookie) + decoded(session_cookie(client))
    assert reference not in readable and token not in readable
    assert reference in first
    again = client.get("/feedback/confirmation").get_data(as_text=True)
    assert reference in again  # the reference stays,
    assert token not in again and 'id="tracking-link"' not in again  # the link was shown once
    assert "shown once" in again


def test_links_come_from_the_base_url_never_the_host_header(tmp_path_factory):
    app = make_app(
        "sqlite",
        tmp_path_factory,
        SERVER_NAME=None,
        PORTAL_BASE_URL="https://feedback.example.org",
    )
    client = app.test_client()
    headers = {"Host": "evil.example"}
    page = client.get("/feedback", headers=headers).get_data(as_text=True)
    from .conftest import valid_answers

    data = hidden_fields(page) | valid_answers()
    assert client.post("/feedback", data=data, headers=headers).status_code == 303
    html = client.get("/feedback/confirmation", headers=headers).get_data(as_text=True)
    link = re.search(r'id="tracking-link" href="([^"]+)"', html).group(1)
    assert link.startswith("https://feedback.example.org/track/")
    assert "evil.example" not in html


def test_production_refuses_other_hosts(tmp_path_factory):
    app = make_app(
        "sqlite",
        tmp_path_factory,
        SERVER_NAME=None,
        ENV_NAME="production",
        PORTAL_BASE_URL="https://feedback.example.org",
    )
    assert app.config["TRUSTED_HOSTS"] == ["feedback.example.org"]
    client = app.test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "feedback.example.org"}).status_code == 200


def test_trusted_hosts_and_base_url_come_from_the_environment(monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_BASE_URL", "https://a.example/")
    monkeypatch.setenv("TRUSTED_HOSTS", "a.example, b.example")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["PORTAL_BASE_URL"] == "https://a.example"
    assert app.config["TRUSTED_HOSTS"] == ["a.example", "b.example"]


def test_production_needs_a_base_url(monkeypatch):
    from portal import create_app
    from portal.config import ConfigurationError

    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PORTAL_BASE_URL"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "x", "DATA_KEY": "x" * 43})


# --- Cache-Control ----------------------------------------------------------------------------


def _no_store(response) -> bool:
    value = response.headers.get("Cache-Control", "")
    return "no-store" in value and "private" in value


def test_every_staff_page_and_download_is_no_store(app, admin):
    from portal.meetings import service as meetings

    with app.app_context():
        reference = submit_feedback(
            NewFeedback(body="Cache-Control test feedback", stakeholder_type="resident")
        ).feedback.reference
        user = db.session.scalar(select(User))
        from datetime import date

        meeting = meetings.create_meeting(user, "Cache test", date(2026, 11, 30))
        db.session.commit()
        meeting_id = meeting.id
        db.session.commit()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "allowed_roles", None):
            continue
        values = {
            a: {"reference": reference, "meeting_id": meeting_id, "year": 2026}.get(a, "x")
            for a in rule.arguments
        }
        if "period" in rule.arguments:
            values["period"] = "2026-Q2"
        if "quarter" in rule.arguments:
            values["quarter"] = "2026-Q2"
        try:
            url = rule.build(values)[1]
        except Exception:  # noqa: BLE001, S112  (an argument this test cannot fill)
            continue
        response = admin.get(url)
        assert _no_store(response), (url, response.status_code)
        checked += 1
    assert checked >= 15
    for suffix in ("agenda.pdf", "agenda.docx", "agenda.csv", "print"):
        response = admin.get(f"/meetings/{meeting_id}/{suffix}")
        assert response.status_code == 200, suffix
        assert _no_store(response), suffix


def test_personal_pages_are_no_store_and_public_pages_may_be_cached(app, client):
    submit(client, "/feedback")
    confirmation = client.get("/feedback/confirmation")
    assert _no_store(confirmation)
    link = re.search(
        r'href="http://portal.test(/track/[^"]+)"', confirmation.get_data(as_text=True)
    )
    assert _no_store(client.get(link.group(1)))
    assert _no_store(client.get("/login"))
    for url in ("/", "/framework", "/privacy", "/you-said-we-did"):
        assert "no-store" not in client.get(url).headers.get("Cache-Control", ""), url


def test_public_pages_seen_by_signed_in_staff_are_no_store(app, admin):
    assert _no_store(admin.get("/framework"))  # the header names the signed-in person


def test_survey_tracking_links_are_sealed_and_shown_once(app, client, synced):  # noqa: F811
    from .test_surveys import URL, answer_all

    check = answer_all(client)
    assert _no_store(check)  # the check-answers page shows what the person typed
    html = check.get_data(as_text=True)
    fields = hidden_fields(html)
    client.post(
        f"{URL}/submit",
        data={"csrf_token": fields["csrf_token"], "submission_key": fields["submission_key"]},
    )
    cookie = session_cookie(client)
    done = client.get(f"{URL}/done").get_data(as_text=True)
    tokens = re.findall(r'href="http://portal.test/track/([^"]+)"', done)
    assert len(tokens) == 2
    reference = re.search(r"SVS-[2-9A-HJ-NP-Z]{7}", done).group(0)
    readable = decoded(cookie) + decoded(session_cookie(client))
    assert reference not in readable and not any(t in readable for t in tokens)
    again_response = client.get(f"{URL}/done")
    assert _no_store(again_response)
    again = again_response.get_data(as_text=True)
    assert reference in again and "app-tracking-link" not in again and "shown once" in again
