"""Codeframe (members and admins) and user administration (admins)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import service as auth_service
from ..auth.permissions import ADMIN_ONLY, TRIAGE, roles_required
from ..core.unitofwork import commit_or_flash
from ..extensions import db
from ..inputs import MAX_ID, parse_id
from ..models import Code, StaffRole, User
from ..triage import codeframe as codes_service
from ..triage.workflow import TriageError
from . import service
from .forms import (
    AuditFilterForm,
    CodeForm,
    MergeCodesForm,
    OfficerCommitmentsForm,
    RenameCodeForm,
    RetireCodeForm,
    UserForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/codes")
@roles_required(*TRIAGE)
def codes():
    """List the codeframe with how many items carry each code."""
    overview = service.codeframe()
    form = CodeForm(formdata=None)
    form.parent_id.choices = [("", "No parent")] + [
        (str(c.id), c.name) for c in overview.active if not c.parent_id
    ]
    merge = MergeCodesForm(formdata=None)
    merge.source_id.choices = merge.target_id.choices = [
        (str(c.id), c.label) for c in overview.active
    ]
    listed = overview.active + overview.retired
    return render_template(
        "admin/codes.html",
        form=form,
        merge=merge,
        rename={c.id: RenameCodeForm(formdata=None, name=c.name) for c in listed},
        retire={
            c.id: RetireCodeForm(formdata=None, retired="no" if c.retired else "yes")
            for c in listed
        },
        tree=overview.tree,
        orphans=overview.orphans,
        active=overview.active,
        retired=overview.retired,
        counts=overview.counts,
    )


def _codes_action(action) -> object:
    """Run one codeframe change: committed once, or rolled back with its message shown."""
    return commit_or_flash(action, url_for("admin.codes"))


@bp.post("/codes")
@roles_required(*TRIAGE)
def create_code():
    """Add a code, optionally under a parent."""

    form = CodeForm()

    def action() -> str:
        parent = db.session.get(Code, parse_id(form.parent_id.data) or 0)
        code = codes_service.create_code(current_user, form.name.data or "", parent)
        return f"Code ‘{code.name}’ created"

    return _codes_action(action)


@bp.post("/codes/<int:code_id>/rename")
@roles_required(*TRIAGE)
def rename_code(code_id: int):
    """Rename a code."""
    code = db.get_or_404(Code, code_id)
    form = RenameCodeForm()

    def action() -> str:
        codes_service.rename_code(current_user, code, form.name.data or "")
        return f"Code renamed to ‘{code.name}’"

    return _codes_action(action)


@bp.post("/codes/merge")
@roles_required(*TRIAGE)
def merge_codes():
    """Merge one code into another, moving its tags."""

    form = MergeCodesForm()

    def action() -> str:
        source = db.session.get(Code, parse_id(form.source_id.data) or 0)
        target = db.session.get(Code, parse_id(form.target_id.data) or 0)
        if source is None or target is None:
            raise TriageError("Choose the code to merge and the code to keep")
        moved = codes_service.merge_codes(current_user, source, target)
        return f"Merged ‘{source.name}’ into ‘{target.name}’ ({moved} items moved)"

    return _codes_action(action)


@bp.post("/codes/<int:code_id>/retire")
@roles_required(*TRIAGE)
def retire_code(code_id: int):
    """Retire a code or bring it back into use."""
    code = db.get_or_404(Code, code_id)
    form = RetireCodeForm()

    def action() -> str:
        retire = form.retired.data == "yes"
        codes_service.set_code_retired(current_user, code, retire)
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
    accounts = auth_service.list_users()
    forms = {user.id: UserForm(formdata=None, role=user.role.value) for user in accounts}
    return render_template("admin/users.html", users=accounts, forms=forms)


@bp.post("/users/<int:user_id>")
@roles_required(*ADMIN_ONLY)
def update_user(user_id: int):
    """Change an account's role or deactivate it; the change and its audit entry are one
    transaction."""
    user = db.get_or_404(User, user_id)
    form = UserForm()

    def action() -> str:
        if form.action.data == "deactivate":
            service.deactivate(current_user, user)
            return f"{user.email} deactivated"
        if not form.validate():
            raise service.AdminError("Choose a role")
        role = service.change_role(current_user, user, form.role.data)
        return f"{user.email} is now {role.label}"

    return commit_or_flash(action, url_for("admin.users"))


@bp.route("/users/<int:user_id>/commitments", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def officer_commitments(user_id: int):
    """Choose the commitments a Responsible Officer reports progress on."""
    # A number no id column can hold is simply not an account (PostgreSQL would refuse it).
    user = db.session.get(User, user_id) if user_id <= MAX_ID else None
    if user is None or user.role is not StaffRole.OFFICER:
        abort(404)
    form = OfficerCommitmentsForm()
    form.commitments.choices = service.commitments_offered(user)
    if request.method == "GET":
        form.commitments.data = [c.id for c in user.commitments]
    elif form.validate_on_submit():
        try:
            auth_service.set_officer_commitments(current_user, user, form.commitments.data or [])
        except auth_service.AccountError as error:
            db.session.rollback()
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
    filters = service.AuditFilters.from_args(request.args)
    page = service.audit_page(filters)
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    next_url = (
        url_for("admin.audit_log", **args, before=page.next_before) if page.next_before else None
    )
    return render_template(
        "admin/audit.html",
        entries=page.entries,
        next_url=next_url,
        errors=filters.errors,
        typed=filters.dates.typed,
        form=AuditFilterForm.for_page(
            request.args, filters.errors, service.entity_types(), auth_service.list_users()
        ),
    ), (422 if filters.errors else 200)
