"""Example documents from demo data, for people to read before a committee does.

``write_examples(out)`` builds a meeting for the last whole financial quarter from the feedback
in the database (with a decision and an action on its first commitment item, so every part of
the agenda pack shows), then writes the agenda pack, the quarterly report and the annual pack
as HTML (the print view), PDF and DOCX into ``out``. It changes the database (the meeting); the
caller commits or rolls back. Run it on a throwaway database: ``make docs-examples`` does.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import select

from ..documents import render_docx, render_pdf
from ..extensions import db
from ..models import AgendaItemKind, StaffRole, User
from ..periods import financial_quarter, financial_year, quarter_label, quarter_of


class ExamplesError(RuntimeError):
    """The database cannot make the examples (e.g. it has no staff account)."""


def _last_whole_quarter(today: date) -> tuple[int, int]:
    year, quarter = quarter_of(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _write(out: Path, stem: str, html: str) -> list[Path]:
    written = []
    for suffix, body in (
        ("html", html.encode()),
        ("pdf", render_pdf(html)),
        ("docx", render_docx(html)),
    ):
        path = out / f"{stem}.{suffix}"
        path.write_bytes(body)
        written.append(path)
    return written


def write_examples(out: Path, today: date | None = None) -> list[Path]:
    """Write the example documents into ``out``; return the files written."""
    from ..meetings import pack, service
    from ..reports import service as reports

    today = today or date.today()
    author = db.session.scalar(
        select(User).where(User.role.in_([StaffRole.ADMIN, StaffRole.MEMBER])).order_by(User.id)
    )
    if author is None:
        raise ExamplesError("No admin or member account: run `flask demo users` first")
    year, quarter = _last_whole_quarter(today)
    span = financial_quarter(year, quarter)
    meeting = service.create_meeting(
        author,
        f"Implementation Group, {quarter_label(year, quarter)} (example)",
        span.end + timedelta(days=21),
        span.start,
        span.end,
    )
    item = next((i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT), None)
    if item is not None:
        service.add_decision(author, item, "Example decision: bring the figures back next quarter.")
        service.add_action(
            author,
            item,
            "Example action: report back on the themes raised.",
            "Example owner",
            span.end + timedelta(days=90),
            "",
        )
    db.session.flush()
    meeting = service.get_meeting(meeting.id)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with current_app.test_request_context("/"):
        written += _write(
            out, "agenda-pack", render_template("documents/agenda.html", **pack.context(meeting))
        )
        rows = reports.quarterly(span, year, quarter)
        written += _write(
            out,
            "quarterly-report",
            render_template(
                "documents/quarterly.html",
                doc_title=f"Social Value progress report, {quarter_label(year, quarter)}",
                doc_date=today,
                period=span,
                stem=f"{year}-Q{quarter}",
                **reports.quarterly_document(rows),
            ),
        )
        fy = financial_year(year)
        written += _write(
            out,
            "annual-pack",
            render_template(
                "documents/annual.html",
                doc_title=f"Annual Review of Social Value Impact: feedback data pack {fy.label}",
                doc_date=today,
                stem=str(year),
                **reports.annual_document(reports.annual(fy)),
            ),
        )
    return written
