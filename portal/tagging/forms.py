"""Forms of the suggested-tags feature."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..fields import HiddenValues, HiddenWithoutId, PortalForm
from ..inputs import parse_ids
from .service import FAMILIES


class AutoTaggingForm(PortalForm):
    """An admin's auto-tagging switch and threshold."""

    enabled = RadioField(
        "Apply suggestions automatically?",
        choices=[
            ("no", "No, members apply every suggestion"),
            ("yes", "Yes, when the suggestion scores above the threshold"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether to apply suggestions automatically")],
    )
    threshold = StringField(
        "Threshold",
        description="A score between 0 and 1, like 0.9. Only suggestions scoring above it are "
        "applied automatically.",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a threshold between 0 and 1, like 0.9")],
    )

    def validate_threshold(self, field: StringField) -> None:
        try:
            value = float((field.data or "").strip())
        except ValueError as error:
            message = "Enter the threshold as a number between 0 and 1, like 0.9"
            raise ValidationError(message) from error
        if not 0 <= value <= 1 or value != value:
            raise ValidationError("Enter a threshold between 0 and 1, like 0.9")
        field.value = value


class SuggestionForm(PortalForm):
    """Apply or dismiss one suggestion (the buttons carry family and label)."""

    family = HiddenField(validators=[InputRequired()])
    label = HiddenField(validators=[InputRequired(), Length(max=120)])
    return_to = HiddenField()

    def validate_family(self, field: HiddenField) -> None:
        if field.data not in FAMILIES:
            raise ValidationError("Choose a suggestion to apply")


class BulkSuggestionForm(PortalForm):
    """The inbox's selected items (`ids`, the inbox's bulk checkboxes) and the inbox page to go
    back to, for "Apply the top suggestion": posted by the inbox to the preview, and by the
    preview's confirm button (hidden inputs) to apply."""

    class Meta:
        csrf = False  # checked for every POST by CSRFProtect already

    ids = SelectMultipleField(validate_choice=False, widget=HiddenValues())
    return_to = HiddenField(widget=HiddenWithoutId())

    def item_ids(self) -> list[int]:
        return parse_ids(self.ids.data or [])
