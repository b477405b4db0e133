"""The agenda pack: what its document template needs beyond the meeting itself.

Each commitment item's figures become one table of measure, this period, previous period and
change, in groups (stakeholder type, channel, ...); a row with nothing to say (nothing in
either period, or a value nobody set) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

from ..models import AgendaItem, AgendaItemKind, Meeting
from ..notes.service import pinned_to
from ..periods import uk_date
from . import service
from .exports import label

GROUPS = (
    ("by_stakeholder", "Stakeholder type"),
    ("by_channel", "Channel"),
    ("by_transport_mode", "Transport mode or asset"),
    ("by_status", "Status now"),
    ("sentiment", "Sentiment"),
)
NOT_SET = {"not_set", "", "none", "None"}


@dataclass(frozen=True)
class FigureRow:
    label: str
    current: int
    previous: int | None  # None: an agenda built before previous figures were kept

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.current - self.previous


@dataclass
class FigureGroup:
    title: str | None  # None: the headline rows
    rows: list[FigureRow] = field(default_factory=list)


def _rows(measure: str, now: dict[str, int], then: dict[str, int] | None) -> list[FigureRow]:
    keys = set(now) | set(then or {})
    rows = [
        FigureRow(
            label(measure, key) if measure != "top_codes" else key,
            now.get(key, 0),
            None if then is None else then.get(key, 0),
        )
        for key in keys
        if key not in NOT_SET
    ]
    rows = [r for r in rows if r.current or r.previous]
    return sorted(rows, key=lambda r: (-r.current, -(r.previous or 0), r.label))


def figure_groups(item: AgendaItem) -> list[FigureGroup]:
    """The rows of a commitment item's one table of figures, grouped by measure."""
    snapshot = item.snapshot or {}
    if item.kind is not AgendaItemKind.COMMITMENT or "total" not in snapshot:
        return []
    previous: dict[str, Any] | None = snapshot.get("previous")
    headline = FigureGroup(
        None, [FigureRow("Feedback items", snapshot["total"], snapshot.get("previous_total", 0))]
    )
    urgent = FigureRow(
        "High or urgent priority",
        snapshot.get("urgent", 0),
        None if previous is None else previous.get("urgent", 0),
    )
    if urgent.current or urgent.previous:
        headline.rows.append(urgent)
    groups = [headline]
    for measure, title in GROUPS:
        then = None if previous is None else previous.get(measure, {})
        rows = _rows(measure, snapshot.get(measure, {}), then)
        if rows:
            groups.append(FigureGroup(title, rows))
    codes = dict(snapshot.get("top_codes", []))
    if codes:
        then = None if previous is None else previous.get("top_codes", {})
        groups.append(FigureGroup("Most used codes", _rows("top_codes", codes, then)))
    return [g for g in groups if g.rows]


def chart_rows(item: AgendaItem) -> tuple[list[tuple[str, int]], dict[str, int] | None]:
    """Feedback by stakeholder type this period and (if kept) the previous one, for the chart."""
    for group in figure_groups(item):
        if group.title == "Stakeholder type":
            rows = [(r.label, r.current) for r in group.rows]
            if any(r.previous is None for r in group.rows):
                return rows, None
            return rows, {r.label: r.previous or 0 for r in group.rows}
    return [], None


def _time(value: time) -> str:
    # GOV.UK style, as the `uktime` filter writes it: 2pm, 2:30pm, midday.
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def cover_details(meeting: Meeting) -> list[tuple[str, str]]:
    """The cover's facts about the meeting: when, where, who, what to approve; only those known.

    Read when the meeting has them (issue 14's clerk details): `start_time`, `venue`,
    `joining_details`, `members` (each with a `name`) and `previous_meeting` (whose minutes
    this meeting approves)."""
    details = []
    start = getattr(meeting, "start_time", None)
    if isinstance(start, time):
        details.append(("Time", _time(start)))
    for attribute, heading in (("venue", "Venue"), ("joining_details", "Joining online")):
        value = getattr(meeting, attribute, None)
        if isinstance(value, str) and value.strip():
            details.append((heading, value.strip()))
    names = [getattr(m, "name", "") for m in getattr(meeting, "members", None) or []]
    if any(names):
        details.append(("Members invited", ", ".join(n for n in names if n)))
    previous = getattr(meeting, "previous_meeting", None)
    if isinstance(previous, Meeting):
        details.append(
            (
                "Minutes to approve",
                f"{previous.title}, {uk_date(previous.meeting_date)}",
            )
        )
    details.append(
        (
            "Feedback covered",
            f"Received {uk_date(meeting.period_start)} to {uk_date(meeting.period_end)}",
        )
    )
    return details


def context(meeting: Meeting) -> dict[str, Any]:
    """Everything the agenda pack template (documents/agenda.html) needs."""
    return {
        "meeting": meeting,
        "doc_title": meeting.title,
        "doc_subtitle": "Social Value Implementation Group: agenda and papers",
        "doc_date": meeting.meeting_date,
        "cover": cover_details(meeting),
        "agenda_contents": [(f"item-{i.position}", i.title) for i in meeting.items],
        "kinds": AgendaItemKind,
        "quotes_for": service.quotes_for,
        "figure_groups": figure_groups,
        "chart_rows": chart_rows,
        "pinned_notes": pinned_to(meeting),
    }


def filename(meeting: Meeting) -> str:
    """The download's name without its extension."""
    return f"agenda-{meeting.id}"
