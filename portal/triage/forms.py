"""Triage forms: feedback received by email, phone or in person, and the item and bulk actions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, ValidationError

from ..fields import GovDateField
from ..models import Channel
from ..public.forms import FeedbackForm

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
    received_on = GovDateField(
        "When was it received?",
        description="For example, 27 3 2026",
        error_name="the date received",
        validators=[InputRequired(message="Enter the date the feedback was received")],
    )

    def validate_received_on(self, field: GovDateField) -> None:
        if field.data and field.data > datetime.now(UTC).date():
            raise ValidationError("The date received must be today or in the past")
        if field.data and field.data < date(2022, 4, 1):
            raise ValidationError("The date received must be on or after 1 April 2022")


# The item page's and the inbox's action forms. Each is read through its class (never
# `request.form` by hand); what a value must be is checked by the triage rules, which give the
# message, so the fields here only carry what was posted.


class Posted(StringField):
    """A posted value as typed; None when the form did not send it at all."""


class ItemActionForm(FlaskForm):
    class Meta:
        csrf = False  # checked for every POST by CSRFProtect already

    return_to = HiddenField()  # the page (with its inbox filters) to go back to


class TagsForm(ItemActionForm):
    role_ids = SelectMultipleField(validate_choice=False)
    theme_ids = SelectMultipleField(validate_choice=False)
    code_ids = SelectMultipleField(validate_choice=False)
    transport_mode = Posted()


class NewCodeForm(ItemActionForm):
    name = Posted(default="")
    parent_id = Posted()


class AssessmentForm(ItemActionForm):
    sentiment = Posted(default="")
    priority = Posted(default="normal")


class StatusForm(ItemActionForm):
    status = Posted(default="")
    duplicate_of = Posted(default="")


class AssignForm(ItemActionForm):
    assignee = Posted()


class NoteForm(ItemActionForm):
    body = Posted(default="")


class ReplyForm(ItemActionForm):
    reply = Posted(default="")


class QuoteApprovalForm(ItemActionForm):
    approve = Posted()


class BulkForm(ItemActionForm):
    ids = SelectMultipleField(validate_choice=False)
    action = Posted(default="")
    code_id = Posted()
    status = Posted(default="")
    assignee = Posted()
    duplicate_of = Posted(default="")
