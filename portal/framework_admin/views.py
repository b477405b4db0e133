"""/admin/framework: admins add, edit and retire commitments, roles and themes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import ADMIN_ONLY, roles_required
from ..extensions import db
from ..models import Commitment, Horizon, Role, Theme
from . import service
from .forms import CommitmentForm, FacetForm, RetireForm

bp = Blueprint("framework_admin", __name__, url_prefix="/admin/framework", cli_group="framework")

FACETS = {"roles": Role, "themes": Theme}


@bp.get("")
@roles_required(*ADMIN_ONLY)
def index():
    """List every commitment, role and theme, in use and retired."""
    return render_template(
        "framework_admin/index.html",
        commitments=service.all_commitments(),
        roles=service.all_facets(Role),
        themes=service.all_facets(Theme),
        feedback_counts=service.feedback_counts(),
    )


def _commitment_form(commitment: Commitment | None) -> CommitmentForm:
    form = CommitmentForm()
    roles = service.all_facets(Role)
    themes = service.all_facets(Theme)
    chosen_roles = {r.slug for r in commitment.roles} if commitment else set()
    chosen_themes = {t.slug for t in commitment.themes} if commitment else set()
    # Retired roles and themes are offered only where the commitment still has them.
    form.roles.choices = [(r.slug, r.name) for r in roles if r.active or r.slug in chosen_roles]
    form.themes.choices = [(t.slug, t.name) for t in themes if t.active or t.slug in chosen_themes]
    if request.method == "GET" and commitment is not None:
        form.title.data = commitment.title
        form.text.data = commitment.text
        form.roles.data = [r.slug for r in commitment.roles]
        form.themes.data = [t.slug for t in commitment.themes]
        form.horizon.data = commitment.horizon.value
        form.transport.data = commitment.transport
        form.responsible_team.data = commitment.responsible_team
        form.source.data = commitment.source
        form.published.data = "example" if commitment.example else "published"
    return form


def _commitment_input(form: CommitmentForm) -> service.CommitmentInput:
    by_slug_roles = {r.slug: r for r in service.all_facets(Role)}
    by_slug_themes = {t.slug: t for t in service.all_facets(Theme)}
    example = form.published.data == "example"
    return service.CommitmentInput(
        title=" ".join(form.title.data.split()),
        text=" ".join(form.text.data.split()),
        horizon=Horizon(form.horizon.data),
        transport=bool(form.transport.data),
        responsible_team="" if example else " ".join((form.responsible_team.data or "").split()),
        source="" if example else (form.source.data or "").strip(),
        example=example,
        # Keep the order of the roles list: the first groups the commitment on /framework.
        roles=[r for slug, r in by_slug_roles.items() if slug in set(form.roles.data)],
        themes=[t for slug, t in by_slug_themes.items() if slug in set(form.themes.data)],
    )


def _render_commitment_form(form: CommitmentForm, commitment: Commitment | None, status: int):
    return (
        render_template("framework_admin/commitment_form.html", form=form, commitment=commitment),
        status,
    )


@bp.route("/commitments/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def new_commitment():
    """Add a commitment."""
    form = _commitment_form(None)
    if request.method == "POST":
        if form.validate():
            try:
                commitment = service.create_commitment(current_user, _commitment_input(form))
            except service.FrameworkError as error:
                field = form.title if "already" in str(error) else form.published
                field.errors = [str(error)]
            else:
                db.session.commit()
                flash(f"Commitment ‘{commitment.title}’ added", "success")
                return redirect(url_for("framework_admin.index"), code=303)
        return _render_commitment_form(form, None, 422)
    return _render_commitment_form(form, None, 200)


@bp.route("/commitments/<slug>", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def edit_commitment(slug: str):
    """Edit a commitment's title, text, facets and source; its address never changes."""
    commitment = db.first_or_404(select(Commitment).where(Commitment.slug == slug))
    form = _commitment_form(commitment)
    if request.method == "POST":
        if form.validate():
            try:
                changed = service.update_commitment(
                    current_user, commitment, _commitment_input(form)
                )
            except service.FrameworkError as error:
                form.published.errors = [str(error)]
            else:
                db.session.commit()
                if changed:
                    labels = ", ".join(service.FIELD_LABELS[f].lower() for f in changed)
                    flash(f"Commitment ‘{commitment.title}’ saved ({labels} changed)", "success")
                else:
                    flash("Nothing was changed", "success")
                return redirect(url_for("framework_admin.index"), code=303)
        return _render_commitment_form(form, commitment, 422)
    return _render_commitment_form(form, commitment, 200)


@bp.post("/commitments/<slug>/retire")
@roles_required(*ADMIN_ONLY)
def retire_commitment(slug: str):
    """Retire a commitment (its feedback stays linked and readable) or bring it back."""
    commitment = db.first_or_404(select(Commitment).where(Commitment.slug == slug))
    retire = RetireForm().retire()
    service.set_active(current_user, commitment, not retire)
    db.session.commit()
    verb = "retired" if retire else "back in use"
    flash(f"Commitment ‘{commitment.title}’ {verb}", "success")
    return redirect(url_for("framework_admin.index"), code=303)


@bp.get("/commitments/<slug>/history")
@roles_required(*ADMIN_ONLY)
def commitment_history(slug: str):
    """Show every version of a commitment, newest first."""
    commitment = db.first_or_404(select(Commitment).where(Commitment.slug == slug))
    return render_template(
        "framework_admin/history.html",
        entity=commitment,
        kind="commitment",
        name=commitment.title,
        versions=service.versions(commitment),
        labels=service.FIELD_LABELS,
    )


def _facet_form(row: Role | Theme | None) -> FacetForm:
    form = FacetForm()
    if request.method == "GET" and row is not None:
        form.name.data = row.name
        form.description.data = row.description
        form.source.data = row.source
        form.published.data = "example" if row.example else "published"
    return form


def _facet_input(form: FacetForm) -> service.FacetInput:
    example = form.published.data == "example"
    return service.FacetInput(
        name=" ".join(form.name.data.split()),
        description=" ".join((form.description.data or "").split()),
        source="" if example else (form.source.data or "").strip(),
        example=example,
    )


def _render_facet_form(kind: str, form: FacetForm, row: Role | Theme | None, status: int):
    return (
        render_template("framework_admin/facet_form.html", kind=kind, form=form, row=row),
        status,
    )


@bp.route("/roles/new", methods=["GET", "POST"], defaults={"kind": "roles"})
@bp.route("/themes/new", methods=["GET", "POST"], defaults={"kind": "themes"})
@roles_required(*ADMIN_ONLY)
def new_facet(kind: str):
    """Add a role or a theme."""
    form = _facet_form(None)
    if request.method == "POST":
        if form.validate():
            try:
                row = service.create_facet(current_user, FACETS[kind], _facet_input(form))
            except service.FrameworkError as error:
                form.name.errors = [str(error)]
            else:
                db.session.commit()
                flash(f"{kind[:-1].capitalize()} ‘{row.name}’ added", "success")
                return redirect(url_for("framework_admin.index"), code=303)
        return _render_facet_form(kind, form, None, 422)
    return _render_facet_form(kind, form, None, 200)


@bp.route("/roles/<slug>", methods=["GET", "POST"], defaults={"kind": "roles"})
@bp.route("/themes/<slug>", methods=["GET", "POST"], defaults={"kind": "themes"})
@roles_required(*ADMIN_ONLY)
def edit_facet(kind: str, slug: str):
    """Edit a role or theme; its slug never changes."""
    row = db.first_or_404(select(FACETS[kind]).where(FACETS[kind].slug == slug))
    form = _facet_form(row)
    if request.method == "POST":
        if form.validate():
            try:
                service.update_facet(current_user, row, _facet_input(form))
            except service.FrameworkError as error:
                form.published.errors = [str(error)]
            else:
                db.session.commit()
                flash(f"{kind[:-1].capitalize()} ‘{row.name}’ saved", "success")
                return redirect(url_for("framework_admin.index"), code=303)
        return _render_facet_form(kind, form, row, 422)
    return _render_facet_form(kind, form, row, 200)


@bp.post("/roles/<slug>/retire", defaults={"kind": "roles"})
@bp.post("/themes/<slug>/retire", defaults={"kind": "themes"})
@roles_required(*ADMIN_ONLY)
def retire_facet(kind: str, slug: str):
    """Retire a role or theme (existing tags are kept) or bring it back."""
    row = db.first_or_404(select(FACETS[kind]).where(FACETS[kind].slug == slug))
    retire = RetireForm().retire()
    service.set_active(current_user, row, not retire)
    db.session.commit()
    flash(
        f"{kind[:-1].capitalize()} ‘{row.name}’ {'retired' if retire else 'back in use'}", "success"
    )
    return redirect(url_for("framework_admin.index"), code=303)


@bp.get("/roles/<slug>/history", defaults={"kind": "roles"})
@bp.get("/themes/<slug>/history", defaults={"kind": "themes"})
@roles_required(*ADMIN_ONLY)
def facet_history(kind: str, slug: str):
    """Show every version of a role or theme, newest first."""
    row = db.first_or_404(select(FACETS[kind]).where(FACETS[kind].slug == slug))
    return render_template(
        "framework_admin/history.html",
        entity=row,
        kind=kind[:-1],
        name=row.name,
        versions=service.versions(row),
        labels=service.FIELD_LABELS,
    )
