"""Backends chosen by configuration: .eml files by default, SMTP, and GOV.UK Notify (against a
local fake of its API, never the internet); and one worker at a time."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.outbox.backends import (
    EmlBackend,
    NotifyBackend,
    SmtpBackend,
    backend_for,
)
from portal.outbox.lock import worker_lock
from portal.outbox.models import MessageStatus, OutboxMessage
from portal.public.service import NewFeedback, submit_feedback

from .test_outbox import messages, send


def consent(email: str) -> str:
    reference = submit_feedback(
        NewFeedback(
            body="Feedback whose author consented to be contacted",
            stakeholder_type="passenger",
            consent_to_contact=True,
            email=email,
        )
    ).feedback.reference
    db.session.commit()  # as the feedback form's view does: the service leaves it to its caller
    return reference


def test_default_backend_writes_eml_files_and_logs_their_path(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path))
    monkeypatch.delitem(app.config, "MAIL_URL", raising=False)
    with app.app_context():
        assert isinstance(backend_for(app), EmlBackend)
        reference = consent("eml@example.com")
    output = send(app)
    (path,) = tmp_path.glob("*.eml")
    assert f"outbox: wrote {path}" in output
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    (row,) = messages(app)
    assert message["Message-ID"] == row.message_id and reference in message["Subject"]
    assert message["To"] == "eml@example.com"
    assert reference in message.get_body(("plain",)).get_content().splitlines()[0]
    # Writing the same message again (a retry after a crash) replaces the file: one copy.
    with app.app_context():
        backend_for(app).send(db.session.get(OutboxMessage, row.id))
    assert len(list(tmp_path.glob("*.eml*"))) == 1


def test_smtp_url_is_checked():
    with pytest.raises(ValueError, match="smtp://"):
        SmtpBackend("http://example.com", "a@example.com")
    backend = SmtpBackend("smtps://user%40x:p%2Fw@mail.example.com", "a@example.com")
    assert (backend.host, backend.port, backend.implicit_tls) == ("mail.example.com", 465, True)
    assert (backend.username, backend.password) == ("user@x", "p/w")
    assert SmtpBackend("smtp://mail.example.com", "a@example.com").port == 587


class FakeNotify(BaseHTTPRequestHandler):
    """Answers POST /v2/notifications/email as GOV.UK Notify does; records each request."""

    requests: list[dict] = []
    answers: dict[str, int] = {}

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeNotify.requests.append(
            {"path": self.path, "auth": self.headers["Authorization"], "body": body}
        )
        status = FakeNotify.answers.get(body["email_address"], 201)
        payload = (
            {"id": str(uuid.uuid4()), "reference": body.get("reference")}
            if status == 201
            else {"status_code": status, "errors": [{"error": "BadRequestError", "message": "no"}]}
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        return None


@pytest.fixture
def notify(app, monkeypatch):
    FakeNotify.requests = []
    FakeNotify.answers = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    template = str(uuid.uuid4())
    monkeypatch.setitem(app.config, "NOTIFY_API_KEY", f"portaltest-{uuid.uuid4()}-{uuid.uuid4()}")
    monkeypatch.setitem(app.config, "NOTIFY_TEMPLATE_IDS", {"default": template})
    monkeypatch.setitem(app.config, "NOTIFY_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    yield template
    server.shutdown()


def test_notify_backend_sends_through_the_official_client(app, notify):
    with app.app_context():
        assert isinstance(backend_for(app), NotifyBackend)
        reference = consent("notify@example.com")
        consent("refused@example.com")
        consent("busy@example.com")
    FakeNotify.answers = {"refused@example.com": 400, "busy@example.com": 500}
    send(app)
    sent = [r for r in FakeNotify.requests if r["body"]["email_address"] == "notify@example.com"]
    (request,) = sent
    assert request["path"] == "/v2/notifications/email"
    assert request["auth"].startswith("Bearer ")
    body = request["body"]
    assert body["template_id"] == notify
    assert reference in body["personalisation"]["subject"]
    assert reference in body["personalisation"]["body"].splitlines()[0]
    assert "/unsubscribe/" in body["one_click_unsubscribe_url"]
    rows = {m.to_address: m for m in messages(app)}
    assert body["reference"] == rows["notify@example.com"].message_id
    assert rows["notify@example.com"].status is MessageStatus.SENT
    assert rows["refused@example.com"].status is MessageStatus.FAILED  # 400: permanent
    assert rows["busy@example.com"].status is MessageStatus.PENDING  # 500: try again
    assert "Notify 500" in rows["busy@example.com"].last_error


def test_notify_needs_a_default_template(app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_API_KEY", f"k-{uuid.uuid4()}-{uuid.uuid4()}")
    monkeypatch.setitem(app.config, "NOTIFY_TEMPLATE_IDS", {})
    with pytest.raises(ValueError, match="default"):
        backend_for(app)


@pytest.mark.commits
def test_only_one_worker_runs_at_a_time(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path))
    with app.app_context():
        consent("one-worker@example.com")
        with worker_lock() as held:
            assert held
            output = send(app)
        assert "Another outbox worker is running" in output
        assert db.session.scalar(select(OutboxMessage.status)) is MessageStatus.PENDING
    assert "sent 1," in send(app)  # the lock is released with the worker


def test_notify_unreachable_defers_and_ends_the_pass(app, notify, monkeypatch):
    from .smtp import free_port

    monkeypatch.setitem(app.config, "NOTIFY_BASE_URL", f"http://127.0.0.1:{free_port()}")
    with app.app_context():
        consent("first@example.com")
        consent("second@example.com")
    assert "sent 0, deferred 1," in send(app)
    assert [m.status for m in messages(app)] == [MessageStatus.PENDING] * 2
    assert "Notify 503" in messages(app)[0].last_error


# --- SMTP over TLS: STARTTLS and implicit TLS, with a password ------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key]
        + ["-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def fake_message(to: str) -> SimpleNamespace:
    return SimpleNamespace(  # what build_email reads of an outbox row
        id=1,
        to_address=to,
        subject="Over TLS",
        message_id=f"<{uuid.uuid4().hex}@portal.test>",
        created_at=datetime.now(UTC),
        headers={},
        text_body="Sent over TLS",
        html_body="<p>Sent over TLS</p>",
    )


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtps"])
def test_smtp_over_tls_with_a_password(certificate, monkeypatch, implicit):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from .smtp import Mailbox, free_port

    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trust the test certificate, nothing else
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret/pw")

    mailbox, port = Mailbox(), free_port()
    tls = {"ssl_context": context} if implicit else {"tls_context": context}
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        # With STARTTLS the server refuses AUTH until TLS is up (aiosmtpd cannot tell that an
        # implicit-TLS connection is encrypted, so it is not asked to check that one).
        auth_require_tls=not implicit,
        **tls,
    )
    controller.start()
    try:
        scheme = "smtps" if implicit else "smtp"
        backend = SmtpBackend(f"{scheme}://portal%40x:s3cret%2Fpw@127.0.0.1:{port}", "a@x.org")
        backend.send(fake_message("tls@example.com"))
        backend.close()
        assert [m["To"] for m in mailbox.messages] == ["tls@example.com"]
        assert seen == [(b"portal@x", b"s3cret/pw")]
    finally:
        controller.stop()
