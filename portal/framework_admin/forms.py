"""Forms for editing the framework."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..fields import PortalForm
from ..framework import SECTION_RE
from ..models import Horizon

PUBLISHED_CHOICES = [
    ("published", "Yes, it is in the authority's published framework"),
    ("example", "No, it is an example to be replaced"),
]


def _check_section(form: PortalForm, field: StringField) -> None:
    value = (field.data or "").strip()
    if form.published.data == "example":
        if value:
            raise ValidationError("An example has no report section: remove it")
        return
    if not value:
        raise ValidationError("Enter the section of the report it comes from, like §4.6")
    if not SECTION_RE.match(value):
        raise ValidationError("Enter report sections like §4.6, or §6.3, §4.4 for more than one")


class _SourceMixin:
    published = RadioField(
        "Is this part of the authority's published framework?",
        choices=PUBLISHED_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether it is part of the published framework")],
    )
    source = StringField(
        "Source: section of the report",
        description="For example §4.6. Leave empty for an example.",
        widget=GovTextInput(),
        validators=[Optional(strip_whitespace=True), Length(max=64)],
    )

    def validate_source(self, field: StringField) -> None:
        _check_section(self, field)  # type: ignore[arg-type]


class CommitmentForm(_SourceMixin, PortalForm):
    """A commitment's title, wording, facets and source."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a title"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    text = TextAreaField(
        "Text of the commitment",
        description="The commitment's wording as the authority publishes it.",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter the text of the commitment"),
            Length(max=2000, message="The text must be 2,000 characters or fewer"),
        ],
    )
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        validators=[InputRequired(message="Select at least one role")],
    )
    themes = SelectMultipleField(
        "Themes",
        widget=GovCheckboxesInput(),
        validators=[InputRequired(message="Select at least one theme")],
    )
    horizon = RadioField(
        "Horizon",
        choices=[(h.value, h.label) for h in Horizon],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the horizon")],
    )
    transport = BooleanField("This commitment is about transport", widget=GovCheckboxInput())
    responsible_team = StringField(
        "Responsible team (optional)",
        description="Only a team the authority names. Leave empty for an example.",
        widget=GovTextInput(),
        validators=[
            Optional(strip_whitespace=True),
            Length(max=200, message="The responsible team must be 200 characters or fewer"),
        ],
    )

    def validate_responsible_team(self, field: StringField) -> None:
        if self.published.data == "example" and (field.data or "").strip():
            raise ValidationError("An example has no responsible team: remove it")


class FacetForm(_SourceMixin, PortalForm):
    """A role's or theme's name, description and source."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a name"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=2000, message="The description must be 2,000 characters or fewer"),
        ],
    )


class RetireForm(PortalForm):
    """Retire a commitment, role or theme (retired=yes, the default) or bring it back (no)."""

    retired = HiddenField(default="yes")

    def retire(self) -> bool:
        return self.retired.data == "yes"
