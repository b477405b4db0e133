"""Form fields shared by several features."""

from __future__ import annotations

import re
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField

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
