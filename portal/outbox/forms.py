"""Forms: following a commitment, and a staff member's email preference."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import RadioField, StringField
from wtforms.validators import Email, InputRequired, Length

from ..fields import PortalForm
from .models import Frequency


class FollowForm(PortalForm):
    email = StringField(
        "Email address",
        description="We will send you a link to confirm. We use this address only to send "
        "updates on this commitment, and every email has a link to stop them.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
    )


class FrequencyForm(PortalForm):
    frequency = RadioField(
        "When should we email you about work for you?",
        description="Items assigned to you, notes to review, notes returned to you and, for "
        "Responsible Officers, the weekly digest. “No emails” turns all of them off.",
        choices=[(f.value, f.label) for f in Frequency],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select when we should email you")],
    )
