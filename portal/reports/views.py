"""Quarterly report and Annual Review pack, as pages and documents."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Response, abort, render_template

from ..auth.permissions import roles_required
from ..documents import document_response
from ..exports import to_xlsx
from ..filters import LONDON
from ..models import StaffRole, utcnow
from ..periods import (
    financial_quarter,
    financial_year,
    parse_quarter,
    parse_year,
    quarter_label,
    quarter_of,
)
from . import service

bp = Blueprint("reports", __name__, url_prefix="/reports")
READERS = (StaffRole.ADMIN, StaffRole.MEMBER, StaffRole.OFFICER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _split(value: str, allowed: tuple[str, ...]) -> tuple[str, str]:
    stem, _, extension = value.rpartition(".")
    if stem and extension in allowed:
        return stem, extension
    return value, "html"


def _today() -> date:
    """The date the document is produced on, in the UK."""
    return datetime.now(LONDON).date()


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("")
@roles_required(*READERS)
def index():
    """List recent quarters and years."""
    year, quarter = quarter_of(utcnow().date())
    quarters = []
    for _ in range(8):
        quarters.append((f"{year}-Q{quarter}", quarter_label(year, quarter)))
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    current = quarter_of(utcnow().date())[0]
    years = [(y, financial_year(y).label) for y in range(current, current - 4, -1)]
    return render_template("reports/index.html", quarters=quarters, years=years)


@bp.get("/quarterly/<period>")
@roles_required(*READERS)
def quarterly(period: str):
    """The quarterly report for the Executive Leadership Team (page, .pdf or .docx)."""
    stem, extension = _split(period, ("pdf", "docx"))
    try:
        year, quarter = parse_quarter(stem)
    except ValueError:
        abort(404)
    span = financial_quarter(year, quarter)
    rows = service.quarterly(span, year, quarter)
    title = f"Social Value progress report, {quarter_label(year, quarter)}"
    html = render_template(
        "documents/quarterly.html",
        doc_title=title,
        doc_date=_today(),
        period=span,
        stem=stem,
        **service.quarterly_document(rows),
    )
    if extension == "html":
        return html
    return document_response(html, extension, f"quarterly-{stem}")


@bp.get("/annual/<year>")
@roles_required(*READERS)
def annual(year: str):
    """The Annual Review pack for a financial year (page, .pdf, .docx or .xlsx data pack)."""
    stem, extension = _split(year, ("pdf", "docx", "xlsx"))
    try:
        span = financial_year(parse_year(stem))
    except ValueError:
        abort(404)
    pack = service.annual(span)
    if extension == "xlsx":
        return _download(to_xlsx(service.annual_sheets(pack)), XLSX, f"annual-{stem}.xlsx")
    title = f"Annual Review of Social Value Impact: feedback data pack {span.label}"
    html = render_template(
        "documents/annual.html",
        doc_title=title,
        doc_date=_today(),
        stem=stem,
        **service.annual_document(pack),
    )
    if extension == "html":
        return html
    return document_response(html, extension, f"annual-{stem}")
