"""Posting quarterly progress on a commitment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import framework_lists
from ..auth.permissions import roles_required
from ..core.expired import keeps_input
from ..extensions import db
from ..models import ProgressStatus, StaffRole
from ..periods import quarter_label
from . import service
from .forms import ProgressForm

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
    commitment = framework_lists.get_commitment(slug)
    if commitment is None:
        abort(404)
    if not service.may_report(current_user, commitment):
        abort(403)
    form = ProgressForm(service.quarter_choices())
    if request.method == "POST":
        valid = form.validate()  # False on an expired token too: nothing is stored
        year, quarter = form.year_and_quarter()
        data = service.ProgressInput(
            year=year,
            quarter=quarter,
            status=form.chosen_status() or ProgressStatus.NOT_STARTED,
            narrative=form.narrative.data or "",
            evidence_links=form.links(),
        )
        for name, message in service.validate(data).items():
            form[name].errors = [*form[name].errors, message]
            valid = False
        if valid:
            service.post_update(current_user, commitment, data)
            db.session.commit()
            flash(f"Progress for {quarter_label(year, quarter)} saved", "success")
            return redirect(url_for("public.commitment", slug=slug), code=303)
    return render_template(
        "progress/new.html",
        commitment=commitment,
        form=form,
        history=service.history(commitment),
    ), (422 if form.errors else 200)
