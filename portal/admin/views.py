"""Codeframe (members and admins) and user administration (admins)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..auth import service as auth_service
from ..auth.permissions import ADMIN_ONLY, TRIAGE, roles_required
from ..extensions import db
from ..inputs import parse_date_field, parse_id
from ..models import AuditEntry, Code, Commitment, StaffRole, User, feedback_codes
from ..triage import service as triage_service
from .forms import OfficerCommitmentsForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
MAX_ID = 2**31 - 1  # the largest value of an INTEGER primary key on PostgreSQL


def _code_or_404(code_id: int) -> Code:
    code = db.session.get(Code, code_id)
    if code is None:
        abort(404)
    return code


@bp.get("/codes")
@roles_required(*TRIAGE)
def codes():
    """List the codeframe with how many items carry each code."""
    counts = dict(
        db.session.execute(
            select(feedback_codes.c.code_id, func.count()).group_by(feedback_codes.c.code_id)
        ).all()
    )
    all_codes = list(db.session.scalars(select(Code).order_by(Code.name)))
    active = [c for c in all_codes if not c.retired]
    tree = [(c, [k for k in active if k.parent_id == c.id]) for c in active if c.parent_id is None]
    orphans = [c for c in active if c.parent_id is not None and c.parent and c.parent.retired]
    return render_template(
        "admin/codes.html",
        tree=tree,
        orphans=orphans,
        active=active,
        retired=[c for c in all_codes if c.retired],
        counts=counts,
    )


def _codes_action(action) -> object:
    try:
        flash(action(), "success")
    except triage_service.TriageError as error:
        flash(str(error), "error")
    return redirect(url_for("admin.codes"), code=303)


@bp.post("/codes")
@roles_required(*TRIAGE)
def create_code():
    """Add a code, optionally under a parent."""

    def action() -> str:
        parent_id = request.form.get("parent_id", "")
        parent = db.session.get(Code, parse_id(parent_id) or 0)
        code = triage_service.create_code(current_user, request.form.get("name", ""), parent)
        return f"Code ‘{code.name}’ created"

    return _codes_action(action)


@bp.post("/codes/<int:code_id>/rename")
@roles_required(*TRIAGE)
def rename_code(code_id: int):
    """Rename a code."""
    code = _code_or_404(code_id)

    def action() -> str:
        triage_service.rename_code(current_user, code, request.form.get("name", ""))
        return f"Code renamed to ‘{code.name}’"

    return _codes_action(action)


@bp.post("/codes/merge")
@roles_required(*TRIAGE)
def merge_codes():
    """Merge one code into another, moving its tags."""

    def action() -> str:
        source_id = request.form.get("source_id", "")
        target_id = request.form.get("target_id", "")
        source = db.session.get(Code, parse_id(source_id) or 0)
        target = db.session.get(Code, parse_id(target_id) or 0)
        if source is None or target is None:
            raise triage_service.TriageError("Choose the code to merge and the code to keep")
        moved = triage_service.merge_codes(current_user, source, target)
        return f"Merged ‘{source.name}’ into ‘{target.name}’ ({moved} items moved)"

    return _codes_action(action)


@bp.post("/codes/<int:code_id>/retire")
@roles_required(*TRIAGE)
def retire_code(code_id: int):
    """Retire a code or bring it back into use."""
    code = _code_or_404(code_id)

    def action() -> str:
        retire = request.form.get("retired", "yes") == "yes"
        triage_service.set_code_retired(current_user, code, retire)
        return f"Code ‘{code.name}’ {'retired' if retire else 'back in use'}"

    return _codes_action(action)


@bp.get("")
@roles_required(*ADMIN_ONLY)
def index():
    """List the administration areas (one navigation item for all of them)."""
    return render_template("admin/index.html")


@bp.get("/users")
@roles_required(*ADMIN_ONLY)
def users():
    """List staff accounts."""
    return render_template("admin/users.html", users=auth_service.list_users(), roles=StaffRole)


@bp.post("/users/<int:user_id>")
@roles_required(*ADMIN_ONLY)
def update_user(user_id: int):
    """Change an account's role or deactivate it."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    try:
        if request.form.get("action") == "deactivate":
            if user.id == current_user.id:
                raise auth_service.AccountError("You cannot deactivate your own account")
            auth_service.deactivate(user.email)
            triage_service.audit.record(current_user, "user", user.id, "update", "active", 1, 0)
            flash(f"{user.email} deactivated", "success")
        else:
            role = StaffRole(request.form.get("role", ""))
            before = user.role
            auth_service.set_role(user.email, role)
            triage_service.audit.record_change(current_user, "user", user.id, "role", before, role)
            flash(f"{user.email} is now {role.label}", "success")
        db.session.commit()
    except (auth_service.AccountError, ValueError) as error:
        message = str(error) if isinstance(error, auth_service.AccountError) else "Choose a role"
        flash(message, "error")
    return redirect(url_for("admin.users"), code=303)


@bp.route("/users/<int:user_id>/commitments", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def officer_commitments(user_id: int):
    """Choose the commitments a Responsible Officer reports progress on."""
    # A number no id column can hold is simply not an account (PostgreSQL would refuse it).
    user = db.session.get(User, user_id) if user_id <= MAX_ID else None
    if user is None or user.role is not StaffRole.OFFICER:
        abort(404)
    form = OfficerCommitmentsForm()
    # Retired commitments are offered only while linked, so they can be unlinked.
    linked = [c.id for c in user.commitments]
    shown = select(Commitment).where(Commitment.active | Commitment.id.in_(linked))
    form.commitments.choices = [
        (c.id, c.title)
        for c in db.session.scalars(shown.order_by(Commitment.position, Commitment.id))
    ]
    if request.method == "GET":
        form.commitments.data = linked
    elif form.validate_on_submit():
        try:
            auth_service.set_officer_commitments(current_user, user, form.commitments.data or [])
        except auth_service.AccountError as error:
            form.commitments.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"Commitments of {user.display_name} saved", "success")
            return redirect(url_for("admin.users"), code=303)
    status = 422 if form.errors else 200
    return render_template("admin/officer_commitments.html", form=form, user=user), status


@bp.get("/audit")
@roles_required(*ADMIN_ONLY)
def audit_log():
    """The audit trail of the whole portal, newest first, with filters and keyset paging."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    errors = {}
    entity = request.args.get("entity", "")
    if entity:
        query = query.where(AuditEntry.entity_type == entity)
    actor = request.args.get("actor", "")
    if actor:
        actor_id = parse_id(actor)
        if actor_id is None:
            errors["actor"] = "Choose a person from the list"
        else:
            query = query.where(AuditEntry.actor_id == actor_id)
    field_name = request.args.get("field", "").strip()
    if field_name:
        query = query.where(AuditEntry.field == field_name)
    typed = {}
    for key, op, label in (("from", ">=", "From"), ("to", "<", "To")):
        # The GOV.UK date input; links made before it carry from=YYYY-MM-DD.
        day, error, typed[key] = parse_date_field(request.args, key, label)
        if error:
            errors[key] = error
        if day is None:
            continue
        bound = datetime.combine(day + timedelta(days=1 if op == "<" else 0), time.min, tzinfo=UTC)
        query = query.where(AuditEntry.at >= bound if op == ">=" else AuditEntry.at < bound)
    before = request.args.get("before", "")
    if parse_id(before):
        query = query.where(AuditEntry.id < parse_id(before))
    entries = list(db.session.scalars(query.limit(101)))
    more = len(entries) > 100
    entries = entries[:100]
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    next_url = url_for("admin.audit_log", **args, before=entries[-1].id) if more else None
    entity_types = list(
        db.session.scalars(
            select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
        )
    )
    return render_template(
        "admin/audit.html",
        entries=entries,
        next_url=next_url,
        errors=errors,
        typed=typed,
        entity_types=entity_types,
        users=auth_service.list_users(),
        args=request.args,
    ), (422 if errors else 200)
