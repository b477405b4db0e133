"""The phase banner's feedback page, and its list for staff."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..auth.permissions import TRIAGE, roles_required
from ..core.expired import keeps_input, set_expired_message
from ..extensions import db, limiter
from . import service
from .forms import WebsiteFeedbackForm

bp = Blueprint("sitefeedback", __name__)


def _rate_limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


@bp.route("/website-feedback", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
@keeps_input
def new():
    """Take feedback about the website itself (linked from the phase banner)."""
    form = WebsiteFeedbackForm()
    set_expired_message("Your session timed out. Check your feedback and send it again.")
    if request.method == "GET":
        form.page.data = request.args.get("page", "")
    elif form.validate():
        service.record(form.body.data, form.page.data)
        db.session.commit()
        return redirect(url_for("sitefeedback.thanks"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("sitefeedback/new.html", form=form), status


@bp.get("/website-feedback/thanks")
def thanks():
    """Thank the person."""
    return render_template("sitefeedback/thanks.html")


@bp.get("/admin/website-feedback")
@roles_required(*TRIAGE)
def index():
    """List the newest feedback about the website for the team that runs it."""
    return render_template("sitefeedback/index.html", items=service.latest())
