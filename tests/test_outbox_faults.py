"""The worker killed with SIGKILL in the middle of a batch of 500: after a restart every message
is delivered, none twice except the one in flight at the kill, which keeps its Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import utcnow
from portal.outbox.models import MessageStatus, OutboxMessage

from .smtp import Mailbox, smtp_server

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500
KILL_AT = 150
DEADLINE = 120  # seconds: a guard against a hung worker, never a measure of speed


def queue_batch(app) -> None:
    with app.app_context():
        now = utcnow()
        db.session.add_all(
            OutboxMessage(
                message_id=f"<fault-{n}@portal.test>",
                kind="test",
                to_address=f"reader{n}@example.com",
                subject=f"Message {n}",
                text_body=f"Message {n}",
                html_body=f"<p>Message {n}</p>",
                headers={},
                status=MessageStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
            for n in range(BATCH)
        )
        db.session.commit()


def worker(app, port: int, *args: str) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",
        "FLASK_DATA_KEY": app.config["DATA_KEY"],
        "FLASK_MAIL_URL": f"smtp://127.0.0.1:{port}",
        "FLASK_RATELIMIT_ENABLED": "false",
    }
    return subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def pending(app) -> int:
    with app.app_context():
        db.session.remove()
        return db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != MessageStatus.SENT)
        )


@pytest.mark.commits
def test_sigkill_mid_batch_then_restart_delivers_everything_once(app):
    queue_batch(app)
    mailbox = Mailbox()
    killed: dict[str, int] = {}

    def kill_in_flight(count: int) -> None:
        # Kill while this message's DATA has been received but before the server answers 250:
        # the worker cannot have recorded it as sent.
        if count == KILL_AT and "pid" in killed:
            os.kill(killed["pid"], signal.SIGKILL)
            killed["at"] = count

    mailbox.on_message = kill_in_flight
    with smtp_server(mailbox) as box:
        first = worker(app, box.port, "--loop", "--interval", "0.2")
        killed["pid"] = first.pid
        assert first.wait(timeout=DEADLINE) == -signal.SIGKILL, first.stdout.read()
        assert killed["at"] == KILL_AT
        assert pending(app) == BATCH - KILL_AT + 1  # the one in flight is still pending

        restarted = worker(app, box.port, "--loop", "--interval", "0.2")
        started = time.monotonic()
        while pending(app) and time.monotonic() - started < DEADLINE:
            time.sleep(0.2)
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=DEADLINE) == 0, restarted.stdout.read()

    assert pending(app) == 0
    ids = Counter(m["Message-ID"] for m in box.messages)
    assert len(ids) == BATCH  # every message delivered
    twice = [message_id for message_id, n in ids.items() if n > 1]
    assert twice == [f"<fault-{KILL_AT - 1}@portal.test>"]  # only the one in flight, same id
    assert ids[twice[0]] == 2
    assert box.count == BATCH + 1
