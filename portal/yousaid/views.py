"""The public "You said, we did" page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .. import framework_lists
from ..models import utcnow
from ..periods import financial_quarter, parse_quarter, quarter_label, quarter_of
from ..progress.service import quarter_choices
from . import service
from .forms import PeriodForm

bp = Blueprint("yousaid", __name__)


@bp.get("/you-said-we-did")
def index():
    """Show, per commitment and overall, what people said and what was done, by quarter."""
    year, quarter = quarter_of(utcnow().date())
    error = None
    asked = PeriodForm(formdata=request.args)
    if asked.period.data:
        try:
            year, quarter = parse_quarter(asked.period.data)
        except ValueError as exc:
            error = str(exc)
    period = financial_quarter(year, quarter)
    commitment = framework_lists.get_commitment(asked.commitment.data or "")
    stories = service.build(period, commitment)
    return render_template(
        "yousaid/index.html",
        stories=stories,
        period=period,
        period_label=quarter_label(year, quarter),
        form=PeriodForm.showing(
            f"{year}-Q{quarter}",
            commitment,
            [(f"{y}-Q{q}", quarter_label(y, q)) for y, q in quarter_choices(8)],
            framework_lists.list_commitments(),
            error,
        ),
        commitment=commitment,
        total=sum(s.said for s in stories),
        error=error,
    ), (422 if error else 200)
