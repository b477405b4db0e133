"""Forms of the admin area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError


class CommitmentChoices(SelectMultipleField):
    """Checkboxes of commitments; a tampered value gets a plain message, not WTForms' own."""

    def pre_validate(self, form: FlaskForm) -> None:
        known = {value for value, _ in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError("Choose commitments from the list")


class OfficerCommitmentsForm(FlaskForm):
    commitments = CommitmentChoices(
        "Which commitments does this officer report progress on?",
        coerce=int,
        choices=[],
        widget=GovCheckboxesInput(),
    )
