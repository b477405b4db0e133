"""Reporting periods: financial years (1 April to 31 March) and their quarters, as the
Combined Authority's corporate performance regime and Annual Review use them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
# Years the reports cover: any real record, never the ends of the calendar.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    """A span of whole days, `start` and `end` both included."""

    start: date
    end: date
    label: str = ""

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_before(self) -> datetime:
        """The first instant after the period (exclusive bound for queries)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """Return the period of the same length just before this one."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, "previous period")

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def uk_date(day: date | datetime | None) -> str:
    """Write a date the GOV.UK way, in words and without a leading zero: 9 December 2026."""
    if day is None:
        return ""
    return f"{day.day} {day:%B %Y}"


def financial_quarter(year: int, quarter: int) -> Period:
    """Return quarter 1–4 of the financial year starting 1 April `year` (Q1 = April to June)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1 to 4")
    first_month = 4 + 3 * (quarter - 1)
    start_year = year + (first_month - 1) // 12
    start = date(start_year, (first_month - 1) % 12 + 1, 1)
    next_month = first_month + 3
    end = date(year + (next_month - 1) // 12, (next_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return Period(start, end, f"{year}-Q{quarter}")


def parse_quarter(text: str) -> tuple[int, int]:
    """Parse '2026-Q2' into (2026, 2), or raise ValueError."""
    match = QUARTER.fullmatch(text or "")
    if not match:
        raise ValueError("Enter a quarter like 2026-Q2")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Enter a quarter between {FIRST_YEAR} and {LAST_YEAR}, like 2026-Q2")
    return year, int(match.group(2))


def parse_year(text: str) -> int:
    """Parse the first year of a financial year ('2026'), or raise ValueError."""
    if not re.fullmatch(r"[0-9]{4}", text or "") or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValueError(f"Enter a year between {FIRST_YEAR} and {LAST_YEAR}, like 2026")
    return int(text)


def financial_year(year: int) -> Period:
    """Return the financial year starting 1 April `year`."""
    return Period(date(year, 4, 1), date(year + 1, 3, 31), f"{year}/{str(year + 1)[2:]}")


def quarter_of(day: date) -> tuple[int, int]:
    """Return the (financial year, quarter) a day falls in."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    """Describe a financial quarter for people: 'April to June 2026 (2026-Q1)'."""
    period = financial_quarter(year, quarter)
    return f"{period.start:%B} to {period.end:%B %Y} ({year}-Q{quarter})"
