"""The Annual Review: public pages and documents, and the staff draft, preview and publish."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from ..auth.permissions import ADMIN_ONLY, TRIAGE, roles_required
from ..core.unitofwork import commit_or_flash
from ..documents import document_response
from ..exports import to_xlsx
from ..periods import financial_year
from . import service
from .forms import DraftForm, PublishForm

bp = Blueprint("annualreview", __name__, url_prefix="/annual-review")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(review: service.ReviewPage) -> str:
    if review.preview:
        return f"annual-review-{review.year}-draft"
    return f"annual-review-{review.year}-version-{review.version}"


def _render(review: service.ReviewPage, fmt: str) -> Response | str:
    """The review as its page, its PDF or its XLSX data pack."""
    if fmt == "pdf":
        html = render_template(
            "annualreview/document.html",
            review=review,
            doc_title=review.title,
            doc_date=review.published_at or review.as_at,
            doc_subtitle=_subtitle(review),
        )
        return document_response(html, "pdf", _filename(review))
    if fmt == "xlsx":
        response = Response(to_xlsx(service.sheets(review)), mimetype=XLSX)
        response.headers["Content-Disposition"] = f'attachment; filename="{_filename(review)}.xlsx"'
        return response
    return render_template("annualreview/review.html", review=review, publish_form=PublishForm())


def _subtitle(review: service.ReviewPage) -> str:
    if review.preview:
        return f"Draft for version {review.version}: not published"
    return f"Version {review.version}"


def _published_or_404(year: int, number: int | None = None) -> service.ReviewPage:
    if not service.in_range(year):
        abort(404)
    review = service.published(year, number)
    if review is None:
        abort(404)
    return service.page(review)


# --- public ---------------------------------------------------------------------------------


@bp.get("")
def index():
    """List the financial years whose Annual Review is published."""
    return render_template("annualreview/index.html", reviews=service.published_years())


@bp.get("/<int:year>")
def review(year: int):
    """Show the latest published version of a year's Annual Review."""
    return _render(_published_or_404(year), "html")


@bp.get("/<int:year>.pdf")
def review_pdf(year: int):
    """Download the latest published version of a year's Annual Review as a PDF."""
    return _render(_published_or_404(year), "pdf")


@bp.get("/<int:year>.xlsx")
def review_xlsx(year: int):
    """Download the data pack of the latest published version of a year's Annual Review."""
    return _render(_published_or_404(year), "xlsx")


@bp.get("/<int:year>/versions/<int:number>")
def version(year: int, number: int):
    """Show one published version of a year's Annual Review, as it was published."""
    return _render(_published_or_404(year, number), "html")


@bp.get("/<int:year>/versions/<int:number>.pdf")
def version_pdf(year: int, number: int):
    """Download one published version of a year's Annual Review as a PDF."""
    return _render(_published_or_404(year, number), "pdf")


@bp.get("/<int:year>/versions/<int:number>.xlsx")
def version_xlsx(year: int, number: int):
    """Download the data pack of one published version of a year's Annual Review."""
    return _render(_published_or_404(year, number), "xlsx")


# --- staff ----------------------------------------------------------------------------------


def _draftable_or_404(year: int) -> None:
    if not service.draftable(year):
        abort(404)


@bp.get("/drafts")
@roles_required(*TRIAGE)
def drafts():
    """List the recent financial years with their draft and published versions."""
    return render_template("annualreview/drafts.html", years=service.overview())


@bp.route("/<int:year>/draft", methods=["GET", "POST"])
@roles_required(*TRIAGE)
def edit_draft(year: int):
    """Write the narrative of a year's review; saving keeps it as the year's draft."""
    _draftable_or_404(year)
    start = service.starting_text(year)
    form = DraftForm(data=None if request.method == "POST" else vars(start))
    if request.method == "POST":
        valid = form.validate()  # False on an expired token too: nothing is stored
        data = service.DraftInput(
            introduction=form.introduction.data or "",
            working_well=form.working_well.data or "",
            to_improve=form.to_improve.data or "",
            change_note=form.change_note.data or "",
        )
        for name, message in service.validate(year, data).items():
            form[name].errors = [*form[name].errors, message]
            valid = False
        if valid:

            def change() -> str:
                service.save_draft(current_user, year, data)
                return "Draft saved. Check the preview before publishing."

            return commit_or_flash(change, url_for("annualreview.preview", year=year))
    return render_template(
        "annualreview/draft.html",
        form=form,
        year=year,
        label=financial_year(year).label,
        published=service.published(year),
    ), (422 if form.errors else 200)


@bp.get("/<int:year>/draft/preview")
@roles_required(*TRIAGE)
def preview(year: int):
    """Show the year's draft with its figures as they would be published now."""
    _draftable_or_404(year)
    return _render(service.preview(year), "html")


@bp.get("/<int:year>/draft/preview.pdf")
@roles_required(*TRIAGE)
def preview_pdf(year: int):
    """Download the year's draft as the PDF it would publish."""
    _draftable_or_404(year)
    return _render(service.preview(year), "pdf")


@bp.post("/<int:year>/draft/publish")
@roles_required(*ADMIN_ONLY)
def publish(year: int):
    """Publish the year's draft as its next version (admins)."""
    _draftable_or_404(year)
    form = PublishForm()
    published: list[int] = []

    def change() -> str:
        if not form.validate_on_submit():
            raise service.ReviewError("The form had expired: publish again")
        review = service.publish(current_user, year)
        published.append(review.version)
        return (
            f"Version {review.version} of the Annual Review "
            f"{financial_year(year).label} is published"
        )

    response = commit_or_flash(change, url_for("annualreview.preview", year=year))
    if published:
        response.headers["Location"] = url_for("annualreview.review", year=year)
    return response
