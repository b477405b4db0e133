"""The quarterly progress form."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..fields import PortalForm
from ..models import ProgressStatus
from ..periods import quarter_label

STATUS_MISSING = "Choose the status of the commitment"


class ProgressForm(PortalForm):
    """A commitment's update for one financial quarter. The rules on the quarter, narrative and
    links are the service's (`service.validate`); the view puts its messages on the fields."""

    quarter = RadioField(
        "Which quarter is this update for?",
        widget=GovRadioInput(),
        validate_choice=False,  # an unknown quarter gets the service's message
    )
    status = RadioField(
        "Status",
        choices=[(status.value, status.label) for status in ProgressStatus],
        widget=GovRadioInput(),
        validators=[InputRequired(message=STATUS_MISSING)],
        validate_choice=False,  # see validate_status: one message for missing or unknown
    )
    narrative = TextAreaField(
        "What progress was made?",
        description="This is published on the commitment's page.",
        widget=GovTextArea(),
    )
    evidence_links = TextAreaField(
        "Evidence links (optional)",
        description="One web address per line, starting https://",
        widget=GovTextArea(),
    )

    def __init__(self, quarters: list[tuple[int, int]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.quarter.choices = [(f"{y}-Q{q}", quarter_label(y, q)) for y, q in quarters]
        if not self.is_submitted():
            self.quarter.data = self.quarter.choices[0][0]

    def validate_status(self, field: RadioField) -> None:
        if field.data not in {status.value for status in ProgressStatus}:
            raise ValidationError(STATUS_MISSING)

    def chosen_status(self) -> ProgressStatus | None:
        try:
            return ProgressStatus(self.status.data)
        except ValueError:
            return None

    def year_and_quarter(self) -> tuple[int, int]:
        """The chosen (financial year, quarter), or (0, 0) for anything else."""
        try:
            year, quarter = (int(x) for x in (self.quarter.data or "").split("-Q"))
        except ValueError:
            return 0, 0
        return year, quarter

    def links(self) -> list[str]:
        return [x.strip() for x in (self.evidence_links.data or "").splitlines() if x.strip()]
