"""Following a commitment, one-click unsubscribe, staff email settings and the admins' outbox
page (the `flask outbox` commands are in commands.py)."""

from __future__ import annotations

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

from .. import framework_lists
from ..auth.permissions import ADMIN_ONLY, ANY_STAFF, roles_required
from ..extensions import csrf, db, limiter
from . import service
from .forms import FollowForm, FrequencyForm
from .models import Frequency, MessageStatus, OutboxMessage

bp = Blueprint("outbox", __name__, cli_group="outbox")


def _follow_rate_limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


@bp.route("/commitments/<slug>/follow", methods=["GET", "POST"])
@limiter.limit(_follow_rate_limit, methods=["POST"])
def follow(slug: str):
    """Ask for updates on a commitment: the confirmation email goes out (double opt-in)."""
    commitment = db.first_or_404(framework_lists.commitment_query(slug))
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
        "outbox/check_email.html",
        commitment=db.first_or_404(framework_lists.commitment_query(slug)),
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
        "outbox/confirmed.html", commitment=db.first_or_404(framework_lists.commitment_query(slug))
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
