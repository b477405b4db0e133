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
from ..core.unitofwork import commit_or_flash
from ..extensions import db, limiter
from ..search import lookup
from ..security import unseal
from . import service
from .forms import EqualityForm, EraseForm, ExportForm, RedactForm, SubjectAccessForm

bp = Blueprint("privacy", __name__)


def _equality_rate_limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


@bp.route("/admin/privacy", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def subject_access():
    """Find everything held about an email address (POST, so the address never sits in a URL
    or a server log)."""
    form = SubjectAccessForm()
    found = None
    if form.validate_on_submit():
        try:
            found = service.subject_access(form.email.data or "")
        except service.PrivacyError as exc:
            form.email.errors = [str(exc)]
    return render_template(
        "privacy/subject_access.html",
        form=form,
        found=found,
        export_form=ExportForm(email=found["email"]) if found else None,
        erase_form=EraseForm(email=found["email"]) if found else None,
    ), (422 if form.errors else 200)


@bp.post("/admin/privacy/export")
@roles_required(*ADMIN_ONLY)
def export():
    """Download everything held about an email address as JSON."""
    form = ExportForm()
    if not form.validate():
        abort(400)
    try:
        data = service.subject_access(form.email.data or "")
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
    form = EraseForm()
    if not form.validate() or not form.confirmed():
        flash("Tick the box to confirm the erasure", "error")
        return redirect(url_for("privacy.subject_access"), code=303)
    try:
        report = service.erase(current_user, form.email.data or "", form.redact_text())
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
    item = db.first_or_404(lookup.item_query(reference))
    form = RedactForm()
    form.validate()  # the token was checked before the view; the service checks the passages

    def change() -> str:
        count = service.redact(current_user, item, form.chosen())
        return f"{count} {'passage' if count == 1 else 'passages'} redacted"

    return commit_or_flash(change, url_for("triage.item", reference=item.reference))


@bp.route("/feedback/equality", methods=["GET", "POST"])
@limiter.limit(_equality_rate_limit, methods=["POST"])
def equality():
    """Ask the optional equality monitoring questions once per submission: the session holds
    a sealed one-time token, spent in the database by the answer."""
    token = unseal(session.get("equality"))
    if not service.equality_token_valid(token):
        session.pop("equality", None)
        return redirect(url_for("public.feedback"))
    form = EqualityForm()
    error = None
    if request.method == "POST":
        try:
            if not form.validate():
                raise service.PrivacyError("Choose an answer from the list")
            if not service.use_equality_token(token):
                raise service.PrivacyError("You have already answered these questions")
            service.record_equality({k: form[k].data or "" for k in service.QUESTIONS})
        except service.PrivacyError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            session.pop("equality", None)
            flash("Thank you. Your answers help us check we hear from everyone.", "success")
            return redirect(url_for("public.home"), code=303)
    return render_template(
        "privacy/equality.html", form=form, questions=service.QUESTIONS, error=error
    ), (422 if error else 200)


@bp.get("/reports/equality")
@roles_required(*TRIAGE)
def equality_report():
    """Equality monitoring in aggregate, small counts suppressed."""
    return render_template("privacy/equality_report.html", report=service.equality_report())
