"""The "You said, we did" page's choice of quarter and commitment (a GET form)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField

from ..fields import PortalForm


class PeriodForm(PortalForm):
    """Which quarter, and which commitment (or all), to show; the view reads the quarter and
    says at the select when it is not one it can show."""

    class Meta:
        csrf = False

    period = SelectField("Quarter", choices=[], validate_choice=False, widget=GovSelect())
    commitment = SelectField("Commitment", choices=[], validate_choice=False, widget=GovSelect())

    @classmethod
    def showing(cls, current: str, commitment, periods, commitments, error: str | None):
        """The form showing the quarter and commitment on the page, with the quarter's error."""
        form = cls(formdata=None, period=current, commitment=commitment.slug if commitment else "")
        form.period.choices = list(periods)
        form.commitment.choices = [("", "All commitments")] + [
            (c.slug, c.title) for c in commitments
        ]
        if error:
            form.period.errors = [error]
        return form
