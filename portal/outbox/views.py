"""Following a commitment, one-click unsubscribe, staff email settings, the admins' outbox
page, and the `flask outbox` commands that deliver and build digests."""

from __future__ import annotations

import signal
import time
from datetime import datetime

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import framework_lists as public_service  # the framework's lists (public uses this)
from ..auth.permissions import ADMIN_ONLY, ANY_STAFF, roles_required
from ..extensions import csrf, db, limiter
from ..models import utcnow
from . import service
from .backends import backend_for
from .forms import FollowForm, FrequencyForm
from .lock import worker_lock
from .models import Frequency, MessageStatus, OutboxMessage

bp = Blueprint("outbox", __name__, cli_group="outbox")


def _follow_rate_limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


@bp.route("/commitments/<slug>/follow", methods=["GET", "POST"])
@limiter.limit(_follow_rate_limit, methods=["POST"])
def follow(slug: str):
    """Ask for updates on a commitment: the confirmation email goes out (double opt-in)."""
    commitment = db.first_or_404(public_service.commitment_query(slug))
    form = FollowForm()
    if request.method == "POST":
        if form.validate():
            service.request_follow(commitment, form.email.data)
            db.session.commit()
            return redirect(url_for("outbox.check_email", slug=slug), code=303)
        return render_template("outbox/follow.html", form=form, commitment=commitment), 422
    return render_template("outbox/follow.html", form=form, commitment=commitment)


@bp.get("/commitments/<slug>/follow/check-email")
def check_email(slug: str):
    """Say a confirmation link is on its way (the same whatever the address already had)."""
    return render_template(
        "outbox/check_email.html", commitment=db.first_or_404(public_service.commitment_query(slug))
    )


@bp.route("/follow/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Confirm a follow. GET only shows the button, so link scanners confirm nothing."""
    try:
        follow = service.follow_for_token(token)
    except service.OutboxError as error:
        return render_template("outbox/confirm.html", problem=str(error), follow=None), 400
    if request.method == "POST":
        service.confirm_follow(follow)
        db.session.commit()
        return redirect(url_for("outbox.confirmed", slug=follow.commitment.slug), code=303)
    return render_template("outbox/confirm.html", follow=follow, problem=None)


@bp.get("/commitments/<slug>/follow/confirmed")
def confirmed(slug: str):
    """Tell the person updates will come."""
    return render_template(
        "outbox/confirmed.html", commitment=db.first_or_404(public_service.commitment_query(slug))
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail provider POSTs without a form; the signed token is the key
def unsubscribe(token: str):
    """Stop the emails a link stands for: one click (POST) from the mail program or the page."""
    if request.method == "GET":
        if not service.valid_unsubscribe_token(token):
            return render_template("outbox/unsubscribe.html", problem=True, done=None), 404
        return render_template("outbox/unsubscribe.html", problem=False, done=None)
    try:
        done = service.unsubscribe(token)
    except service.OutboxError:
        return render_template("outbox/unsubscribe.html", problem=True, done=None), 404
    db.session.commit()
    return render_template("outbox/unsubscribe.html", problem=False, done=done)


@bp.route("/account", methods=["GET", "POST"])
@roles_required(*ANY_STAFF)
def account():
    """Let a staff member choose immediate alerts, a daily digest or no emails."""
    pref = service.preference(current_user)
    form = FrequencyForm()
    if request.method == "POST":
        if form.validate():
            service.set_frequency(current_user, Frequency(form.frequency.data))
            db.session.commit()
            flash("Your email settings have been saved", "success")
            return redirect(url_for("outbox.account"), code=303)
        return render_template("outbox/account.html", form=form), 422
    form.frequency.data = (pref.frequency or Frequency.IMMEDIATE).value
    db.session.rollback()  # nothing to store by looking
    return render_template("outbox/account.html", form=form)


@bp.get("/admin/outbox")
@roles_required(*ADMIN_ONLY)
def admin_outbox():
    """Show the queue's state and every failed message, each with a retry button."""
    return render_template(
        "outbox/admin.html",
        counts=service.status_counts(),
        messages=service.problem_messages(),
        statuses=MessageStatus,
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@roles_required(*ADMIN_ONLY)
def retry(message_id: int):
    """Queue a failed message again."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    try:
        service.retry(message)
    except service.OutboxError as error:
        flash(str(error), "error")
        return redirect(url_for("outbox.admin_outbox"), code=303)
    db.session.commit()
    flash(f"The message to {message.to_address} will be sent again", "success")
    return redirect(url_for("outbox.admin_outbox"), code=303)


# --- commands -------------------------------------------------------------------------------


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
