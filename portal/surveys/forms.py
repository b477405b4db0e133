"""Survey forms: the fields a survey page carries besides its questions, the check page's
one-time key, and the results filters. A page's questions are defined by the survey file, so
the engine reads their answers (`engine.read_page`); everything else is read through these
classes, never `request.form` by hand."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import HiddenField, SelectField, SelectMultipleField

from ..fields import HiddenValues, HiddenWithoutId, PortalForm
from ..models import StakeholderType


class _Unchecked(PortalForm):
    class Meta:
        csrf = False  # checked for every POST by CSRFProtect already (GET filters need none)


class PageForm(_Unchecked):
    """What a survey page carries besides its answers: the questions it showed (to tell a
    question a same-page condition has just revealed), and whether to go back to the check page
    after it (`return=check`, also a link's query)."""

    shown = SelectMultipleField(validate_choice=False, widget=HiddenValues())
    return_to_check = HiddenField(name="return", widget=HiddenWithoutId())

    @classmethod
    def for_page(cls, questions: list[dict]) -> PageForm:
        return cls(formdata=None, shown=[question["id"] for question in questions])

    def returning(self) -> bool:
        return self.return_to_check.data == "check"


class SubmitForm(_Unchecked):
    """The check page's "Send answers": the draft's one-time submission key."""

    submission_key = HiddenField(widget=HiddenWithoutId())


class ResultsFilterForm(_Unchecked):
    """The results page's "Who answered" filter (the dates are GOV.UK date inputs read by the
    one date-range parser, in `service.ResultFilters`, which also checks this value)."""

    stakeholder_type = SelectField(
        "Who answered",
        choices=[("", "Anyone")] + [(who.value, who.label) for who in StakeholderType],
        validate_choice=False,
        widget=GovSelect(),
    )

    @classmethod
    def for_filters(cls, filters) -> ResultsFilterForm:
        chosen = filters.stakeholder_type.value if filters.stakeholder_type else ""
        form = cls(formdata=None, stakeholder_type=chosen)
        if filters.errors.get("stakeholder_type"):
            form.stakeholder_type.errors = [filters.errors["stakeholder_type"]]
        return form
