"""Quarterly report and Annual Review pack, as pages and documents."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from ..auth.permissions import roles_required
from ..documents import to_docx, to_pdf
from ..exports import to_xlsx
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
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _split(value: str, allowed: tuple[str, ...]) -> tuple[str, str]:
    stem, _, extension = value.rpartition(".")
    if stem and extension in allowed:
        return stem, extension
    return value, "html"


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
    if extension in ("pdf", "docx"):
        blocks = service.quarterly_blocks(title, rows) + service.auto_tag_blocks(span)
        if extension == "pdf":
            return _download(to_pdf(title, blocks), "application/pdf", f"quarterly-{stem}.pdf")
        return _download(to_docx(title, blocks), DOCX, f"quarterly-{stem}.docx")
    return render_template("reports/quarterly.html", title=title, rows=rows, period=span, stem=stem)


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
    title = f"Annual Review of Social Value Impact: feedback data pack {span.label}"
    if extension in ("pdf", "docx"):
        blocks = service.annual_blocks(title, pack) + service.auto_tag_blocks(span)
        if extension == "pdf":
            return _download(to_pdf(title, blocks), "application/pdf", f"annual-{stem}.pdf")
        return _download(to_docx(title, blocks), DOCX, f"annual-{stem}.docx")
    if extension == "xlsx":
        return _download(to_xlsx(service.annual_sheets(pack)), XLSX, f"annual-{stem}.xlsx")
    return render_template("reports/annual.html", title=title, pack=pack, stem=stem)
