"""Suggested tags: apply or dismiss on the item page, bulk apply from the inbox, the admin page,
and the `flask tagging train|suggest|evaluate` commands."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from ..auth.permissions import ADMIN_ONLY, TRIAGE, roles_required
from ..auth.service import is_safe_next
from ..core.unitofwork import commit_or_flash
from ..extensions import db
from ..search import lookup
from ..triage import service as triage_service
from . import service
from .forms import AutoTaggingForm, BulkSuggestionForm, SuggestionForm

bp = Blueprint("tagging", __name__, cli_group="tagging")


def _back(form: SuggestionForm, reference: str) -> str:
    target = form.return_to.data or ""
    return target if is_safe_next(target) else url_for("triage.item", reference=reference)


@bp.post("/triage/<reference>/suggestions/apply")
@roles_required(*TRIAGE)
def apply(reference: str):
    """Apply one suggested tag to an item."""
    item = db.first_or_404(lookup.item_query(reference))
    form = SuggestionForm()
    if not form.validate():
        flash("Choose a suggestion to apply", "error")
        return redirect(_back(form, reference), code=303)
    return commit_or_flash(
        lambda: service.apply(item, current_user, form.family.data, form.label.data),
        _back(form, reference),
    )


@bp.post("/triage/<reference>/suggestions/dismiss")
@roles_required(*TRIAGE)
def dismiss(reference: str):
    """Dismiss one suggested tag for an item."""
    item = db.first_or_404(lookup.item_query(reference))
    form = SuggestionForm()
    if not form.validate():
        flash("Choose a suggestion to dismiss", "error")
        return redirect(_back(form, reference), code=303)
    return commit_or_flash(
        lambda: service.dismiss(item, current_user, form.family.data, form.label.data),
        _back(form, reference),
    )


def _return_to(form: BulkSuggestionForm) -> str:
    target = form.return_to.data or ""
    return target if is_safe_next(target) else url_for("triage.inbox")


@bp.post("/triage/suggestions/bulk")
@roles_required(*TRIAGE)
def bulk_preview():
    """Show what "Apply the top suggestion" would apply to the selected items, before it does."""
    form = BulkSuggestionForm()
    items = triage_service.items_by_ids(form.item_ids())
    if not items:
        flash("Select at least one item", "error")
        return redirect(_return_to(form), code=303)
    rows = service.bulk_preview(items)
    applicable = [r for r in rows if r.suggestion]
    confirm = BulkSuggestionForm(
        formdata=None,
        ids=[str(r.item.id) for r in applicable],
        return_to=_return_to(form),
    )
    return render_template(
        "tagging/bulk_preview.html",
        rows=rows,
        applicable=applicable,
        return_to=_return_to(form),
        form=confirm,
    )


@bp.post("/triage/suggestions/bulk/apply")
@roles_required(*TRIAGE)
def bulk_apply():
    """Apply the top commitment suggestion to the confirmed items."""
    form = BulkSuggestionForm()
    items = triage_service.items_by_ids(form.item_ids())

    def change() -> str:
        if not items:
            raise service.TaggingError("Select at least one item")
        changed = service.bulk_apply(items, current_user)
        return f"Applied the top suggestion to {changed} {'item' if changed == 1 else 'items'}"

    return commit_or_flash(change, _return_to(form))


def _render_admin(form: AutoTaggingForm, status: int = 200):
    return render_template(
        "tagging/admin.html",
        form=form,
        settings=service.current_settings(),
        record=service.latest_record(),
        counts=service.decision_counts(),
        is_admin=current_user.role in ADMIN_ONLY,
    ), status


@bp.get("/admin/tagging")
@roles_required(*TRIAGE)
def admin():
    """Show how far to trust the suggestions, and (to admins) the auto-tagging switch."""
    settings = service.current_settings()
    form = AutoTaggingForm(
        data={
            "enabled": "yes" if settings.auto_enabled else "no",
            "threshold": f"{settings.threshold:g}",
        }
    )
    return _render_admin(form)


@bp.post("/admin/tagging/settings")
@roles_required(*ADMIN_ONLY)
def save_settings():
    """Switch auto-tagging on or off and set its threshold."""
    form = AutoTaggingForm()
    if not form.validate():
        return _render_admin(form, 400)
    return commit_or_flash(
        lambda: service.update_settings(
            current_user, form.enabled.data == "yes", form.threshold.value
        ),
        url_for("tagging.admin"),
    )


# ---------------------------------------------------------------------------------------------
# What the triage templates include (so triage's own views need no change)


@bp.app_template_global()
def tag_suggestions(item) -> dict[str, list[service.Suggestion]]:
    """Return the suggestions to show on an item's page."""
    return service.suggestions(item)


@bp.app_template_global()
def suggested_commitment(item, rows=None) -> service.Suggestion | None:
    """Return the inbox's "Suggested" marker for an untagged item. Given the page's rows (items,
    or rows with an .item), the first call scores every row of the page at once and later calls
    read the result, so a page of 50 costs one scoring call, not 50."""
    if rows is None:
        return service.top_commitment(item)
    cache = g.setdefault("tagging_page_suggestions", {})
    if item.id not in cache:
        items = [getattr(r, "item", r) for r in rows]
        cache.update(service.top_commitments(items if item in items else [*items, item]))
    return cache[item.id]


@bp.app_template_global()
def auto_tag_counts(period) -> service.AutoTagCounts:
    """Return the tags auto-tagging applied in a report's period (a portal.periods.Period)."""
    return service.auto_tag_counts(period.start_at, period.end_before)


@bp.app_template_global()
def auto_applied_tags(item) -> list:
    """Return the tags auto-tagging applied to an item."""
    return service.auto_applied(item)


# ---------------------------------------------------------------------------------------------
# Commands
