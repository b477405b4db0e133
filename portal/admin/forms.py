"""Forms of the admin area."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovTextInput
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from ..fields import HiddenWithoutId, PortalForm
from ..models import StaffRole


class CommitmentChoices(SelectMultipleField):
    """Checkboxes of commitments; a tampered value gets a plain message, not WTForms' own."""

    def pre_validate(self, form: PortalForm) -> None:
        known = {value for value, _ in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError("Choose commitments from the list")


class OfficerCommitmentsForm(PortalForm):
    commitments = CommitmentChoices(
        "Which commitments does this officer report progress on?",
        coerce=int,
        choices=[],
        widget=GovCheckboxesInput(),
    )


class PlainChoice(SelectField):
    """A select whose unknown value gets one plain message (given as `message`)."""

    def __init__(self, *args, message: str = "Choose from the list", **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def pre_validate(self, form: PortalForm) -> None:
        if self.data not in {str(value) for value, _ in self.choices}:
            raise ValidationError(self.message)


class UserForm(PortalForm):
    """A row of /admin/users: change the account's role, or deactivate it (the button pressed
    is `action`: its buttons carry the name and their value)."""

    action = HiddenField(widget=HiddenWithoutId())
    role = PlainChoice(
        "Role",
        choices=[(role.value, role.label) for role in StaffRole],
        widget=GovSelect(),
        message="Choose a role",
    )


class CodeForm(PortalForm):
    """Add a code to the codeframe, optionally under a parent (the rules check the name)."""

    name = StringField("Name", widget=GovTextInput())
    parent_id = SelectField(
        "Parent (optional)", choices=[], validate_choice=False, widget=GovSelect()
    )


class RenameCodeForm(PortalForm):
    """A row of the codeframe: the code's new name."""

    name = StringField("New name", widget=GovTextInput())


class MergeCodesForm(PortalForm):
    source_id = SelectField(
        "Merge this code", choices=[], validate_choice=False, widget=GovSelect()
    )
    target_id = SelectField(
        "into this code (kept)", choices=[], validate_choice=False, widget=GovSelect()
    )


class RetireCodeForm(PortalForm):
    """A row of the codeframe: retire the code, or ("no") bring a retired one back."""

    retired = HiddenField(default="yes", widget=HiddenWithoutId())


class AuditFilterForm(PortalForm):
    """The audit trail's filters: what changed, who, which field (the dates are GOV.UK date
    inputs read by the one date-range parser in `service.AuditFilters`, which also checks these
    values and gives the messages)."""

    class Meta:
        csrf = False  # a GET filter

    entity = SelectField("What changed", choices=[], validate_choice=False, widget=GovSelect())
    actor = SelectField("Who", choices=[], validate_choice=False, widget=GovSelect())
    field = StringField("Field", widget=GovTextInput())

    @classmethod
    def for_page(cls, args, errors: dict[str, str], entity_types, users) -> AuditFilterForm:
        form = cls(
            formdata=None,
            entity=args.get("entity", ""),
            actor=args.get("actor", ""),
            field=args.get("field", ""),
        )
        form.entity.choices = [("", "Anything")] + [(entity, entity) for entity in entity_types]
        form.actor.choices = [("", "Anyone")] + [(str(user.id), user.email) for user in users]
        for name in ("entity", "actor", "field"):
            if errors.get(name):
                form[name].errors = [errors[name]]
        return form
