"""Form fields shared by several features, and the base class of every form (`PortalForm`)."""

from __future__ import annotations

import re
from datetime import date, time

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted  # Flask-WTF's own "read the request" default
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovTextInput,
)
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import DateField, StringField
from wtforms.utils import unset_value
from wtforms.widgets import HiddenInput

from .inputs import DATE_PARTS, FIRST_YEAR, LAST_YEAR, parse_iso_date

NUMBER = re.compile(r"[0-9]{1,4}")


class PortalForm(FlaskForm):
    """The base of every form in the portal: it reads form bodies only.

    Flask-WTF also fills a form from a JSON body, where a value can be a number, a list or an
    object that no field expects (`[1]` raised a TypeError, `{"return_to": 5}` an
    AttributeError): a 500 from a POST that only needs a session cookie and its token. The
    portal's pages post forms, so a JSON body is read as an empty form, which the form's own
    validation then refuses with its usual messages."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json:
                return ImmutableMultiDict() if _is_submitted() else None
            return super().wrap_formdata(form, formdata)


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


class HiddenValues:
    """A hidden input per value of a multiple-value field (the items a confirmation page
    carries on to its button), none with an id."""

    def __call__(self, field, **kwargs):
        one = Markup('<input type="hidden" name="{}" value="{}">')
        return Markup("").join(one.format(field.name, value) for value in field.data or [])


class DatePartsInput(DateInput):
    """The GOV.UK date input with boxes named NAME-day, NAME-month and NAME-year, as the
    Design System names them (and as `portal.inputs.parse_date_parts` reads them)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params["id"] = field.name  # the fieldset, hint and error message ids
        for item, part in zip(params["items"], DATE_PARTS, strict=True):
            item["id"] = item["name"] = f"{field.name}-{part}"
            item["inputmode"] = "numeric"
        return params


class GovDatePartsField(GovDateField):
    """A GOV.UK date input whose boxes keep their own names (`meeting_date-day`,
    `meeting_date-month`, `meeting_date-year`), for any feature's WTForms form.

    Reads like `GovDateField` (never fails; GOV.UK messages naming `error_name`), and also the
    NAME=YYYY-MM-DD of a link made before the boxes existed. The field's id is that of its day
    box, so the error summary links to the first box.
    """

    widget = DatePartsInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.id = f"{self.name}-day"

    def process(self, formdata, data=unset_value, extra_filters=None):
        if formdata is not None:
            parts = [formdata.get(f"{self.name}-{part}") for part in DATE_PARTS]
            typed = [value for value in parts if value is not None]
            iso = parse_iso_date(formdata.get(self.name))
            if not any((value or "").strip() for value in typed) and iso is not None:
                parts = [str(iso.day), str(iso.month), str(iso.year)]
            elif not typed:
                parts = []
            # A multidict with the three boxes under the field's own name, as WTForms expects.
            formdata = _Parts(self.name, [value or "" for value in parts])
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            self.data = None
            raise ValueError(f"{self.error_name.capitalize()} must be a real date, like 27 3 2026")


class _Parts(dict):
    """The smallest multidict: one name with its list of values."""

    def __init__(self, name: str, values: list[str]) -> None:
        super().__init__({name: values} if values else {})

    def getlist(self, name: str) -> list[str]:
        return list(self.get(name, []))


TIME = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*(am|pm)?", re.IGNORECASE)


def parse_time(value: str) -> time | None:
    """Read a time as people type it: 14:30, 2:30pm, 2pm, 9.15am. None if it is not one."""
    match = TIME.fullmatch((value or "").strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match.group(2) is None:
        return None  # "14" alone: say am/pm or give minutes
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


class GovTimeField(StringField):
    """A time of day in a GOV.UK text input ("2pm", "14:30"); `data` is a `datetime.time`."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, error_name: str = "the time", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.error_name = error_name

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, time):
            return f"{self.data:%H:%M}"
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        self.data = parse_time(text)
        if self.data is None:
            raise ValueError(f"Enter {self.error_name} like 2pm or 14:30")
