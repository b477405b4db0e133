"""The portal's Jinja template filters and template globals, in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, request

from .periods import uk_date

LONDON = ZoneInfo("Europe/London")
# Every page's meta description unless the template sets `meta_description`.
DEFAULT_DESCRIPTION = (
    "Read the Liverpool City Region Combined Authority's Social Value Framework commitments, "
    "give feedback on them and see what was done about it."
)


def ukdate(value: date | datetime | str | None) -> str:
    """Format a date (or an ISO 8601 string) the GOV.UK way: 25 November 2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10]) if value else None
    return uk_date(value)


def ukdatetime(value: datetime | str | None) -> str:
    """Format a date and time (or an ISO 8601 string) in UK time: 25 November 2026, 2:05pm."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(LONDON)
    hour = value.hour % 12 or 12
    return f"{value.day} {value:%B %Y}, {hour}:{value:%M}{'am' if value.hour < 12 else 'pm'}"


def survey_item(option: tuple[str, str], chosen: list[str]) -> dict[str, object]:
    """Turn a (value, label) option into a GOV.UK radios/checkboxes item."""
    value, label = option
    return {"value": value, "text": label, "checked": value in (chosen or [])}


def survey_error(error: tuple[str, str], field_name: Callable[[str], str]) -> dict[str, str]:
    """Turn a (question id, message) pair into an error summary link."""
    question_id, message = error
    if question_id == "csrf_token":  # an expired form token: the page's questions
        return {"text": message, "href": "#questions"}
    return {"text": message, "href": "#" + field_name(question_id)}


def zip_labels(values, members) -> list[tuple[str, str]]:
    """Pair enum values with their labels for radios and selects."""
    return [(value, member.label) for value, member in zip(values, members, strict=True)]


def pair(value: str) -> tuple[str, str]:
    """Use a label as its own value (for radios built from plain lists)."""
    return (value, value)


def uktime(value: time | None) -> str:
    """Write a time of day the GOV.UK way: 2pm, 2:30pm, midday, midnight."""
    if value is None:
        return ""
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


FILTERS: dict[str, Callable[..., object]] = {
    "ukdate": ukdate,
    "ukdatetime": ukdatetime,
    "uktime": uktime,
    "survey_item": survey_item,
    "survey_error": survey_error,
    "zip_labels": zip_labels,
    "pair": pair,
}


def template_globals() -> dict[str, object]:
    """Values every template can use."""
    return {
        "service_name": "Social Value Feedback Portal",
        "current_path": request.path,
        "default_description": DEFAULT_DESCRIPTION,
    }


def register(app: Flask) -> None:
    """Give the app's templates the filters and globals above."""
    app.jinja_env.filters.update(FILTERS)
    app.context_processor(template_globals)
