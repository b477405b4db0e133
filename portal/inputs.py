"""Parse identifiers, numbers and dates from addresses, query strings and forms.

Every value a person (or a robot) can type into an address or a form goes through these
functions before it reaches the database, so an identifier too big for an integer column, a digit
from another script or a date the calendar cannot hold is "not found" or a message, never a
server error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from werkzeug.routing import IntegerConverter

# Primary keys are `integer` columns on PostgreSQL (int4) and SQLite integers: nothing larger is
# ever an identifier, and PostgreSQL refuses to compare an int4 column with a bigger number.
MAX_ID = 2**31 - 1
ASCII_DIGITS = re.compile(r"[0-9]{1,10}")
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Dates the portal deals in: far enough either side of today for any real record, and away from
# the ends of the calendar, where adding a day overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_id(value: object) -> int | None:
    """Return a positive database identifier written in ASCII digits, or None."""
    if not isinstance(value, str) or not ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: list[str]) -> list[int]:
    """Return the valid identifiers among `values`, dropping the rest."""
    return [number for number in map(parse_id, values) if number is not None]


def parse_iso_date(value: object) -> date | None:
    """Return the date written as YYYY-MM-DD in ASCII digits within the years the portal
    handles, or None for anything else (including impossible dates such as 2026-02-30)."""
    if not isinstance(value, str):
        return None
    match = ISO_DATE.fullmatch(value.strip())
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


DATE_PARTS = ("day", "month", "year")


def parse_date_parts(values, name: str, label: str) -> tuple[date | None, str | None, dict]:
    """Read a GOV.UK date input (NAME-day, NAME-month, NAME-year) from form or query values.

    Returns the date (None when nothing was typed), the GOV.UK message for what is wrong ("Date
    of the meeting must include a month", "... must be a real date") and the boxes as typed, to
    show them again.
    """
    typed = {part: (values.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS}
    if not any(typed.values()):
        return None, None, typed
    missing = [part for part in DATE_PARTS if not typed[part]]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}", typed
    real = f"{label} must be a real date, like 27 3 2026"
    if not all(re.fullmatch(r"[0-9]{1,4}", value) for value in typed.values()):
        return None, real, typed
    if len(typed["year"]) != 4 or not FIRST_YEAR <= int(typed["year"]) <= LAST_YEAR:
        return None, real, typed
    try:
        return date(int(typed["year"]), int(typed["month"]), int(typed["day"])), None, typed
    except ValueError:
        return None, real, typed


def parse_date_field(values, name: str, label: str) -> tuple[date | None, str | None, dict]:
    """Read a GOV.UK date input, or NAME=YYYY-MM-DD from a link made before it existed.

    The day, month and year boxes win when any of them was typed; otherwise an ISO value under
    NAME is read and put into the boxes, so an old bookmark shows its date in them.
    """
    day, error, typed = parse_date_parts(values, name, label)
    value = values.get(name) or ""
    if value and not any(typed.values()):
        day = parse_iso_date(value)
        error = None if day else f"{label} must be a real date, like 27 3 2026"
        if day:
            typed = {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
    return day, error, typed


class IdConverter(IntegerConverter):
    """The `int` URL converter, limited to ASCII digits and to what an identifier can be.

    Werkzeug's own accepts any Unicode digit and any size; an address with a 23-digit number then
    reached the database and failed there. Here it is simply not found (404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed=False)


# The longest free text the portal accepts in any one box (feedback, notes, replies, summaries,
# outcomes, narratives, long survey answers): about two pages, long enough for anything typed by
# hand and short enough to show and print.
TEXT_MAX = 5000


@dataclass
class DateRange:
    """A from/to pair of GOV.UK date inputs read from a query string or a form."""

    start: date | None = None
    end: date | None = None
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, dict] = field(default_factory=dict)

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as UTC datetimes: from the start of `start` up to (not including) the
        start of the day after `end`, so that `end` is counted in full."""
        low = datetime.combine(self.start, time.min, tzinfo=UTC) if self.start else None
        high = (
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)
            if self.end
            else None
        )
        return low, high


def parse_date_range(
    values, labels: tuple[str, str] = ("From", "To"), names: tuple[str, str] = ("from", "to")
) -> DateRange:
    """Read the from and to GOV.UK date inputs (or NAME=YYYY-MM-DD from older links).

    Each box's message is keyed by its name; an end before the start is an error on the end."""
    result = DateRange()
    for name, label, attr in zip(names, labels, ("start", "end"), strict=True):
        day, error, result.typed[name] = parse_date_field(values, name, label)
        if error:
            result.errors[name] = error
        setattr(result, attr, day)
    if result.start and result.end and result.start > result.end:
        result.errors[names[1]] = "The end date must be the same as or after the start date"
    return result
