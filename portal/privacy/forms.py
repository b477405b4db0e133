"""Forms of subject access, erasure, redaction and equality monitoring."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovTextInput
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField

from ..fields import PortalForm
from . import service


class SubjectAccessForm(PortalForm):
    """The email address of the person who asked what is held about them."""

    email = StringField("Email address of the person", widget=GovTextInput())


class ExportForm(PortalForm):
    """Download what is held about an address (the address found)."""

    email = HiddenField()


class EraseForm(PortalForm):
    """Erase what is held about an address, once confirmed."""

    email = HiddenField()
    redact = BooleanField(
        "Also redact the text of their feedback (they asked for it)", false_values=("", "no")
    )
    confirm = BooleanField(
        "I confirm this person asked for erasure and their identity was checked",
        false_values=("", "no"),
    )

    def confirmed(self) -> bool:
        return self.confirm.raw_data == ["yes"]

    def redact_text(self) -> bool:
        return self.redact.raw_data == ["yes"]


class NumberedCheckboxes(GovCheckboxesInput):
    """Small GOV.UK checkboxes with the ids FIELD-1, FIELD-2, ...: a passage of text is no id."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for number, item in enumerate(params["items"], start=1):
            item["id"] = f"{self.prefix}-{number}"
        params["fieldset"]["legend"]["classes"] = "govuk-fieldset__legend--s"
        params["classes"] = "govuk-checkboxes--small"
        if not (params.get("hint") or {}).get("text"):
            params.pop("hint", None)
        return params


class RedactForm(PortalForm):
    """Passages of an item's text to redact: suggested ones ticked, and one typed. The service
    says when a passage is not in the text. On the triage item page, `for_item` fills the
    suggestions (nothing ticked)."""

    passages = SelectMultipleField(
        "These look like contact details",
        validate_choice=False,
        widget=NumberedCheckboxes("passage"),
    )
    passage = StringField("Other text to redact (copied exactly)", widget=GovTextInput())

    @classmethod
    def for_item(cls, suggested: list[str]) -> RedactForm:
        form = cls(formdata=None)
        form.passages.choices = [(passage, passage) for passage in suggested]
        return form

    def chosen(self) -> list[str]:
        return [*(self.passages.data or []), self.passage.data or ""]


class EqualityForm(PortalForm):
    """The optional equality monitoring questions; an answer must be one of the options."""


for _key, (_label, _options) in service.QUESTIONS.items():
    setattr(
        EqualityForm,
        _key,
        RadioField(
            f"{_label} (optional)",
            choices=[(option, option) for option in _options],
            widget=GovRadioInput(),
            validate_choice=False,  # the service says "Choose an answer from the list"
        ),
    )
