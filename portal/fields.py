"""Form fields shared by several features."""

from __future__ import annotations

import re
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovRadioInput
from wtforms import DateField
from wtforms.widgets import HiddenInput

NUMBER = re.compile(r"[0-9]{1,4}")


class DateInput(GovDateInput):
    """The GOV.UK date input, without a `required` attribute on its wrapping `div` (invalid
    HTML there; the field's validator still requires a date)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.get("attributes", {}).pop("required", None)
        return params


class GovDateField(DateField):
    """The GOV.UK date input (day, month and year boxes), read without ever failing.

    WTForms' own DateField, and the widget that renders it, expect exactly three values: a
    request missing a box or repeating one made a server error. Here anything but three boxes
    of digits is a message in GOV.UK words, and the boxes are shown again as they were typed.
    """

    widget = DateInput()

    def __init__(self, label=None, validators=None, *, error_name: str = "the date", **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)
        self.error_name = error_name

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            self.raw_data = ["", "", ""]  # no boxes sent at all: show three empty ones
            return
        name = self.error_name
        if len(valuelist) != 3:
            # Missing or repeated boxes: show the first three again, with the message.
            self.raw_data = [*valuelist, "", "", ""][:3]
            self.data = None
            raise ValueError(f"Enter {name} as a day, month and year")
        day, month, year = (value.strip() for value in valuelist)
        if not (day or month or year):
            self.data = None
            return  # nothing typed: InputRequired (or Optional) decides
        parts = (("day", day), ("month", month), ("year", year))
        missing = [part for part, value in parts if not value]
        if missing:
            self.data = None
            raise ValueError(f"{name.capitalize()} must include a {' and a '.join(missing)}")
        if not all(NUMBER.fullmatch(value) for value in (day, month, year)) or len(year) != 4:
            self.data = None
            raise ValueError(f"{name.capitalize()} must be a real date, like 27 3 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            self.data = None
            raise ValueError(f"{name.capitalize()} must be a real date, like 27 3 2026") from None


def _ids_by_value(params: dict, prefix: str) -> dict:
    """Give every radio or checkbox the id PREFIX-VALUE (PREFIX-none for an empty value), so a
    label, a test and a link to an error find the same box whatever the order of the options;
    and no hint at all (not an empty one) where the field has none."""
    for item in params.get("items", []):
        item.setdefault("id", f"{prefix}-{item['value'] or 'none'}")
    if not (params.get("hint") or {}).get("text"):
        params.pop("hint", None)
    return params


class ValueIdRadios(GovRadioInput):
    """GOV.UK radios whose ids name their values (`status-closed`, not `status-3`)."""

    def map_gov_params(self, field, **kwargs):
        return _ids_by_value(super().map_gov_params(field, **kwargs), field.id)


class ValueIdCheckboxes(GovCheckboxesInput):
    """GOV.UK checkboxes whose ids name their values (`role_ids-12`, not `role_ids-3`)."""

    def map_gov_params(self, field, **kwargs):
        return _ids_by_value(super().map_gov_params(field, **kwargs), field.id)


class HiddenWithoutId(HiddenInput):
    """A hidden input with no id: several forms on one page may carry the same hidden field
    (where to go back to, a fixed value), and ids must be unique."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", False)
        return super().__call__(field, **kwargs)
