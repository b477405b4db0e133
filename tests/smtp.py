"""A real SMTP server for tests and benchmarks: aiosmtpd on a free local port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a TCP port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """The aiosmtpd handler: keeps every message it accepts, refuses or defers some addresses."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.messages: list[EmailMessage] = []
        self.count = 0
        self.refuse: set[str] = set()  # answered 550 (permanent)
        self.defer: set[str] = set()  # answered 451 (temporary)
        self.on_message: Callable[[int], None] | None = None
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        if address in self.defer:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self._lock:
            self.count += 1
            count = self.count
            if self.keep:
                self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if self.on_message is not None:
            self.on_message(count)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server(mailbox: Mailbox | None = None, port: int | None = None) -> Iterator[Mailbox]:
    """Run an SMTP server on 127.0.0.1 for as long as the block lasts; yields its mailbox,
    whose `port` attribute is where it listens."""
    mailbox = mailbox or Mailbox()
    mailbox.port = port or free_port()  # type: ignore[attr-defined]
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    """Return the plain-text body of a message."""
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    """Return the HTML body of a message."""
    return message.get_body(("html",)).get_content()
