"""Delivery backends: SMTP, GOV.UK Notify, and .eml files (the development default)."""

from __future__ import annotations

import ipaddress
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask

from .models import OutboxMessage

log = logging.getLogger("portal.outbox")

SMTP_TIMEOUT = 30


class TemporaryFailure(Exception):
    """Try again later (SMTP 4xx, connection refused, a timeout). `connection` says the server
    could not be reached at all, so the rest of the pass would fail the same way."""

    def __init__(self, message: str, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class PermanentFailure(Exception):
    """Never try again by itself (SMTP 5xx, an address the provider refuses)."""


class Backend(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Deliver one message or raise TemporaryFailure / PermanentFailure."""

    def close(self) -> None:
        """Let go of any connection held between messages."""


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """Return the MIME message for an outbox row: plain text and HTML, its fixed Message-ID."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


@dataclass
class EmlBackend:
    """Write each message as an .eml file: `make run` works with no mail server."""

    directory: Path
    sender: str

    def send(self, message: OutboxMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{message.id:08d}.eml"
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(bytes(build_email(message, self.sender)))
        os.replace(partial, path)  # a retry rewrites the same file: never two copies
        log.info("outbox: wrote %s", path)
        print(f"outbox: wrote {path}", flush=True)  # noqa: T201  (the development worker's log)

    def close(self) -> None:
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _smtp_code_failure(code: int, text: object) -> Exception:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if 400 <= code < 500:
        return TemporaryFailure(f"SMTP {code}: {detail}")
    return PermanentFailure(f"SMTP {code}: {detail}")


class SmtpBackend:
    """Send through an SMTP server, keeping one connection open for a whole pass.

    `smtp://` upgrades with STARTTLS whenever the server offers it, and refuses to send a
    password over a connection that is not encrypted (except to a loopback address);
    `smtps://` is TLS from the start (port 465 by default)."""

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("FLASK_MAIL_URL must look like smtp://user:pass@host:587")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.implicit_tls:
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=SMTP_TIMEOUT, context=context
                )
                encrypted = True
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
                connection.ehlo()
                encrypted = False
                if connection.has_extn("starttls"):
                    connection.starttls(context=context)
                    connection.ehlo()
                    encrypted = True
            if self.username:
                if not encrypted and not _is_loopback(self.host):
                    connection.close()
                    raise TemporaryFailure(
                        f"{self.host} offers no STARTTLS: not sending the password in clear",
                        connection=True,
                    )
                connection.login(self.username, self.password or "")
        except TemporaryFailure:
            raise
        except smtplib.SMTPAuthenticationError as error:
            raise TemporaryFailure(f"SMTP sign-in refused: {error.smtp_code}", True) from error
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(
                f"cannot reach {self.host}:{self.port}: {error}", True
            ) from error
        return connection

    def send(self, message: OutboxMessage) -> None:
        if self._connection is None:
            self._connection = self._connect()
        # Flattened once, with CRLF line ends (send_message would build and flatten it again).
        data = build_email(message, self.sender).as_bytes(policy=SMTP_POLICY)
        envelope_from = parseaddr(self.sender)[1]
        try:
            self._connection.sendmail(envelope_from, [message.to_address], data)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _smtp_code_failure(code, text) from error
        except smtplib.SMTPResponseException as error:
            # Sender refused, data refused, or any other coded answer.
            self._drop_if_broken()
            raise _smtp_code_failure(error.smtp_code, error.smtp_error) from error
        except (OSError, smtplib.SMTPException) as error:
            # Disconnected or timed out mid-message: the server may or may not have it; the
            # retry carries the same Message-ID.
            self._drop()
            raise TemporaryFailure(f"connection lost: {error}", connection=True) from error

    def _drop_if_broken(self) -> None:
        try:
            if self._connection is not None:
                self._connection.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except OSError:
                pass
        self._connection = None

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
        self._connection = None


class NotifyBackend:
    """Send through GOV.UK Notify with the official client. Each template has the
    placeholders ((subject)) and ((body)); the plain-text body goes in ((body))."""

    def __init__(
        self, api_key: str, template_ids: dict[str, str], base_url: str | None = None
    ) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        if "default" not in template_ids:
            raise ValueError('FLASK_NOTIFY_TEMPLATE_IDS needs a "default" template id')
        kwargs = {"base_url": base_url} if base_url else {}
        self.client = NotificationsAPIClient(api_key, **kwargs)
        self.template_ids = template_ids

    def send(self, message: OutboxMessage) -> None:
        import requests
        from notifications_python_client.errors import HTTPError

        template_id = self.template_ids.get(message.kind, self.template_ids["default"])
        unsubscribe = (message.headers or {}).get("List-Unsubscribe", "").strip("<>") or None
        try:
            self.client.send_email_notification(
                email_address=message.to_address,
                template_id=template_id,
                personalisation={"subject": message.subject, "body": message.text_body},
                reference=message.message_id,
                one_click_unsubscribe_url=unsubscribe,
            )
        except HTTPError as error:
            status = error.status_code
            if status == 429 or status >= 500:
                # No response at all (the client reports it as 503): Notify cannot be reached.
                unreachable = getattr(error, "response", None) is None
                raise TemporaryFailure(f"Notify {status}: {error.message}", unreachable) from error
            raise PermanentFailure(f"Notify {status}: {error.message}") from error
        except requests.RequestException as error:
            raise TemporaryFailure(f"cannot reach Notify: {error}", connection=True) from error

    def close(self) -> None:
        return None


def default_sender(app: Flask) -> str:
    """Return the From address (FLASK_MAIL_FROM)."""
    return str(app.config.get("MAIL_FROM") or "Social Value Feedback Portal <no-reply@localhost>")


def backend_for(app: Flask) -> Backend:
    """Choose the backend the configuration names: Notify, SMTP, or .eml files."""
    sender = default_sender(app)
    if app.config.get("NOTIFY_API_KEY"):
        return NotifyBackend(
            str(app.config["NOTIFY_API_KEY"]),
            dict(app.config.get("NOTIFY_TEMPLATE_IDS") or {}),
            app.config.get("NOTIFY_BASE_URL") or None,
        )
    if app.config.get("MAIL_URL"):
        return SmtpBackend(str(app.config["MAIL_URL"]), sender)
    directory = app.config.get("OUTBOX_DIR") or Path(app.instance_path) / "outbox"
    return EmlBackend(Path(directory), sender)
