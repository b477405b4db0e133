"""The website feedback form."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..fields import PortalForm
from .models import BODY_MAX


class WebsiteFeedbackForm(PortalForm):
    """What a person thinks of the website."""

    body = TextAreaField(
        "What do you think of this website?",
        description=(
            "Tell us what worked, what did not and what you were trying to do. This is about "
            "the website only: do not include personal details."
        ),
        widget=GovCharacterCount(),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(message="Enter your feedback about the website"),
            Length(max=BODY_MAX, message=f"Feedback must be {BODY_MAX:,} characters or fewer"),
        ],
    )
    page = HiddenField()
