"""Subject access and erasure (admins), redaction (triage), equality monitoring (public)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ..auth.permissions import ADMIN_ONLY, TRIAGE, roles_required
from ..extensions import db, limiter
from ..security import unseal
from ..triage import service as triage_service
from . import service

bp = Blueprint("privacy", __name__)


def _equality_rate_limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


@bp.route("/admin/privacy", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def subject_access():
    """Find everything held about an email address (POST, so the address never sits in a URL
    or a server log)."""
    found, error, email = None, None, ""
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            found = service.subject_access(email)
        except service.PrivacyError as exc:
            error = str(exc)
    return render_template("privacy/subject_access.html", found=found, error=error, email=email), (
        422 if error else 200
    )


@bp.post("/admin/privacy/export")
@roles_required(*ADMIN_ONLY)
def export():
    """Download everything held about an email address as JSON."""
    try:
        data = service.subject_access(request.form.get("email", ""))
    except service.PrivacyError:
        abort(400)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="subject-access.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/admin/privacy/erase")
@roles_required(*ADMIN_ONLY)
def erase():
    """Erase what is held about an email address."""
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm the erasure", "error")
        return redirect(url_for("privacy.subject_access"), code=303)
    try:
        report = service.erase(
            current_user, request.form.get("email", ""), request.form.get("redact") == "yes"
        )
    except service.PrivacyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            f"Erased: {report.contact_details} contact details, {report.survey_responses} survey "
            f"email answers, {report.texts_redacted} texts redacted, "
            f"{report.emails_and_follows} emails and follows",
            "success",
        )
    return redirect(url_for("privacy.subject_access"), code=303)


@bp.post("/triage/<reference>/redact")
@roles_required(*TRIAGE)
def redact(reference: str):
    """Redact passages of an item's text; the original is not kept."""
    item = triage_service.get_item(reference)
    if item is None:
        abort(404)
    passages = request.form.getlist("passages") + [request.form.get("passage", "")]
    try:
        count = service.redact(current_user, item, passages)
    except service.PrivacyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"{count} {'passage' if count == 1 else 'passages'} redacted", "success")
    return redirect(url_for("triage.item", reference=item.reference), code=303)


@bp.route("/feedback/equality", methods=["GET", "POST"])
@limiter.limit(_equality_rate_limit, methods=["POST"])
def equality():
    """Ask the optional equality monitoring questions once per submission: the session holds
    a sealed one-time token, spent in the database by the answer."""
    token = unseal(session.get("equality"))
    if not service.equality_token_valid(token):
        session.pop("equality", None)
        return redirect(url_for("public.feedback"))
    error = None
    if request.method == "POST":
        try:
            if not service.use_equality_token(token):
                raise service.PrivacyError("You have already answered these questions")
            service.record_equality({k: request.form.get(k, "") for k in service.QUESTIONS})
        except service.PrivacyError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            session.pop("equality", None)
            flash("Thank you. Your answers help us check we hear from everyone.", "success")
            return redirect(url_for("public.home"), code=303)
    return render_template("privacy/equality.html", questions=service.QUESTIONS, error=error), (
        422 if error else 200
    )


@bp.get("/reports/equality")
@roles_required(*TRIAGE)
def equality_report():
    """Equality monitoring in aggregate, small counts suppressed."""
    return render_template("privacy/equality_report.html", report=service.equality_report())
