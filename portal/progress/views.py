"""Posting quarterly progress on a commitment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import framework_lists as public_service  # the framework's lists (public uses this)
from ..auth.permissions import roles_required
from ..core.expired import expired_errors, keeps_input
from ..models import ProgressStatus, StaffRole
from ..periods import quarter_label
from . import service

bp = Blueprint("progress", __name__)


@bp.get("/your-commitments")
@roles_required(StaffRole.ADMIN, StaffRole.OFFICER)
def mine():
    """Where a Responsible Officer lands: their commitments, latest status, what to report."""
    year, quarter = service.quarter_choices(1)[0]
    return render_template(
        "progress/mine.html",
        rows=service.commitments_to_report(current_user),
        quarter=(year, quarter),
        quarter_text=quarter_label(year, quarter).split(" (")[0],
    )


@bp.route("/commitments/<slug>/progress/new", methods=["GET", "POST"])
@roles_required(StaffRole.ADMIN, StaffRole.OFFICER)
@keeps_input
def new(slug: str):
    """Post the quarterly update on a commitment (its officers and admins)."""
    commitment = public_service.get_commitment(slug)
    if commitment is None:
        abort(404)
    if not service.may_report(current_user, commitment):
        abort(403)
    choices = service.quarter_choices()
    errors: dict[str, str] = {}
    values = {
        "quarter": f"{choices[0][0]}-Q{choices[0][1]}",
        "status": "",
        "narrative": "",
        "evidence_links": "",
    }
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values}
        try:
            year, quarter = (int(x) for x in values["quarter"].split("-Q"))
        except ValueError:
            year, quarter = 0, 0
        try:
            status = ProgressStatus(values["status"])
        except ValueError:
            status = None
            errors["status"] = "Choose the status of the commitment"
        data = service.ProgressInput(
            year=year,
            quarter=quarter,
            status=status or ProgressStatus.NOT_STARTED,
            narrative=values["narrative"],
            evidence_links=[x.strip() for x in values["evidence_links"].splitlines() if x.strip()],
        )
        errors = {**expired_errors(), **service.validate(data), **errors}
        if not errors:
            service.post_update(current_user, commitment, data)
            flash(f"Progress for {quarter_label(year, quarter)} saved", "success")
            return redirect(url_for("public.commitment", slug=slug), code=303)
    return render_template(
        "progress/new.html",
        commitment=commitment,
        choices=[(f"{y}-Q{q}", quarter_label(y, q)) for y, q in choices],
        statuses=list(ProgressStatus),
        values=values,
        errors=errors,
        history=service.history(commitment),
    ), (422 if errors else 200)
