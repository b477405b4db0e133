"""`flask outbox send` delivers queued email (one pass, or --loop as a worker) and `flask outbox
digests` queues the daily and weekly digests."""

from __future__ import annotations

import signal
import time
from datetime import datetime

import click
from flask import current_app

from ..extensions import db
from ..models import utcnow
from . import service
from .backends import backend_for
from .lock import worker_lock
from .models import OutboxMessage
from .views import bp


class _Stop:
    requested = False


def send_pass(
    backend, now: datetime | None = None, limit: int = 500, stop: _Stop | None = None
) -> service.Delivery:
    """Deliver what is due, committing after every message: a crash loses nothing, and at most
    the one message in flight is sent again (with the same Message-ID)."""
    report = service.Delivery()
    now = now or utcnow()
    for message_id in service.due_ids(now, limit):
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            continue
        service.deliver(backend, message, now, report)
        db.session.commit()
        if report.stopped_early or (stop is not None and stop.requested):
            break
    return report


@bp.cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, checking for new mail.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds to wait between passes when the queue is empty (with --loop).",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Messages per pass.",
)
def send_command(loop: bool, interval: float, batch: int) -> None:
    """Deliver queued email: one pass, or keep running with --loop."""
    stop = _Stop()

    def _request_stop(_signum, _frame) -> None:
        stop.requested = True

    if loop:
        signal.signal(signal.SIGTERM, _request_stop)
        signal.signal(signal.SIGINT, _request_stop)
    while True:
        with worker_lock() as locked:
            if locked:
                _run(loop, interval, batch, stop)
                return
        if not loop:
            click.echo("Another outbox worker is running; nothing done.")
            return
        time.sleep(interval)  # --loop: wait for the other worker to stop
        if stop.requested:
            return


def _run(loop: bool, interval: float, batch: int, stop: _Stop) -> None:
    backend = backend_for(current_app)
    try:
        while True:
            report = send_pass(backend, limit=batch, stop=stop)
            backend.close()
            if not loop:
                click.echo(
                    f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}, "
                    f"cancelled {report.cancelled}"
                )
                return
            if stop.requested:
                return
            if report.sent + report.failed + report.cancelled < batch or report.stopped_early:
                time.sleep(interval)
            db.session.remove()
            if stop.requested:
                return
    finally:
        backend.close()


@bp.cli.command("digests")
def digests_command() -> None:
    """Queue the daily staff digests and, once a week, each officer's digest (run daily)."""
    report = service.build_digests(utcnow())
    db.session.commit()
    click.echo(
        f"queued {report.daily} daily digests ({report.alerts} alerts) "
        f"and {report.weekly} weekly officer digests"
    )
