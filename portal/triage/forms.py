"""Staff form for feedback received by email, phone or in person."""

from __future__ import annotations

from datetime import UTC, date, datetime

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput
from wtforms import DateField, RadioField
from wtforms.validators import InputRequired, ValidationError

from ..models import Channel
from ..public.forms import FeedbackForm


class DateInput(GovDateInput):
    """The GOV.UK date input, without a `required` attribute on its wrapping `div` (invalid
    HTML there; the field's validator still requires a date)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.get("attributes", {}).pop("required", None)
        return params


STAFF_CHANNELS = [
    (Channel.EMAIL.value, "Email"),
    (Channel.PHONE.value, "Phone"),
    (Channel.IN_PERSON.value, "In person (for example at a travel centre)"),
]


class StaffFeedbackForm(FeedbackForm):
    """The public form plus how and when the feedback reached us."""

    channel = RadioField(
        "How did this feedback reach us?",
        choices=STAFF_CHANNELS,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how the feedback reached us")],
    )
    received_on = DateField(
        "When was it received?",
        description="For example, 27 3 2026",
        widget=DateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the date the feedback was received")],
    )

    def validate_received_on(self, field: DateField) -> None:
        if field.data and field.data > datetime.now(UTC).date():
            raise ValidationError("The date received must be today or in the past")
        if field.data and field.data < date(2022, 4, 1):
            raise ValidationError("The date received must be on or after 1 April 2022")
