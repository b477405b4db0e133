"""The agenda as document blocks (PDF, DOCX), CSV rows of its figures, and labels."""

from __future__ import annotations

from typing import Any

from ..models import (
    STAKEHOLDER_LABELS,
    TRANSPORT_MODE_LABELS,
    AgendaItem,
    AgendaItemKind,
    Meeting,
    StakeholderType,
    TransportMode,
)
from ..periods import uk_date
from . import service

MEASURES = (
    ("by_stakeholder", "New items by stakeholder type"),
    ("by_channel", "New items by channel"),
    ("by_transport_mode", "New items by transport mode or asset"),
    ("by_status", "Status"),
    ("sentiment", "Sentiment"),
)


def label(measure: str, key: str) -> str:
    """Return a readable label for a breakdown key."""
    if measure == "by_stakeholder":
        try:
            return STAKEHOLDER_LABELS[StakeholderType(key)]
        except ValueError:
            return key
    if measure == "by_transport_mode":
        if key == "not_set":
            return "Not given"
        try:
            return TRANSPORT_MODE_LABELS[TransportMode(key)]
        except ValueError:
            return key
    return key.replace("_", " ").capitalize()


def figure_rows(item: AgendaItem) -> list[tuple[str, str, Any]]:
    """Return (measure, key, value) rows for one item's snapshot."""
    snapshot = item.snapshot or {}
    if item.kind is not AgendaItemKind.COMMITMENT:
        return []
    rows: list[tuple[str, str, Any]] = [
        ("Items in period", "total", snapshot.get("total", 0)),
        ("Items in previous period", "total", snapshot.get("previous_total", 0)),
        ("Change against previous period", "change", snapshot.get("change", 0)),
        ("High or urgent priority", "total", snapshot.get("urgent", 0)),
    ]
    for measure, title in MEASURES:
        for key, value in sorted(snapshot.get(measure, {}).items()):
            rows.append((title, label(measure, key), value))
    for name, count in snapshot.get("top_codes", []):
        rows.append(("Top codes", name, count))
    progress = snapshot.get("progress")
    if progress:
        rows.append(("Latest progress status", progress["quarter"], progress["status_label"]))
    return rows


def csv_rows(meeting: Meeting) -> tuple[list[str], list[list[Any]]]:
    """Return the figures behind every agenda item, one row per figure."""
    header = ["item", "title", "measure", "key", "value"]
    rows = []
    for item in meeting.items:
        for measure, key, value in figure_rows(item):
            rows.append([item.position, item.title, measure, key, value])
    return header, rows


def blocks(meeting: Meeting) -> list[tuple]:
    """Return the agenda as document blocks: headings, text and a table per breakdown."""
    from ..notes.service import pinned_to

    pinned = pinned_to(meeting)
    out: list[tuple] = [
        ("h1", meeting.title),
        (
            "p",
            f"Social Value Implementation Group, {uk_date(meeting.meeting_date)}. Feedback "
            f"received {uk_date(meeting.period_start)} to {uk_date(meeting.period_end)}.",
        ),
    ]
    for item in meeting.items:
        out.append(("h2", f"{item.position}. {item.title}"))
        if item.summary:
            out.append(("p", item.summary))
        snapshot = item.snapshot or {}
        if item.kind is AgendaItemKind.COMMITMENT:
            change = snapshot.get("change", 0)
            out.append(
                (
                    "p",
                    f"{snapshot.get('total', 0)} items in the period "
                    f"({'+' if change >= 0 else ''}{change} against the previous period).",
                )
            )
            for measure, title in MEASURES:
                values = snapshot.get(measure, {})
                if values:
                    out.append(
                        (
                            "table",
                            [title, "Items"],
                            [[label(measure, k), v] for k, v in sorted(values.items())],
                        )
                    )
            if snapshot.get("top_codes"):
                out.append(("table", ["Top codes", "Items"], snapshot["top_codes"]))
            progress = snapshot.get("progress")
            if progress:
                out.append(
                    (
                        "p",
                        f"Latest progress ({progress['quarter']}): "
                        f"{progress['status_label']}. {progress['narrative']}",
                    )
                )
            for quote in service.quotes_for(item):
                out.append(("p", f"“{quote.text}” ({quote.reference})"))
        elif snapshot.get("actions"):
            out.append(
                (
                    "table",
                    ["Action from the previous meeting", "Owner", "Status"],
                    [[a["description"], a["owner"], a["status"]] for a in snapshot["actions"]],
                )
            )
        elif item.kind is AgendaItemKind.NOTES:
            listed = {note["id"] for note in snapshot.get("notes", [])}
            for note in snapshot.get("notes", []):
                out.append(("p", f"• {note['title']} (published in the period)"))
            for note in pinned:
                if note.id not in listed:
                    title = note.published_version.title if note.published_version else note.title
                    out.append(("p", f"• {title} (pinned)"))
        for decision in item.decisions:
            out.append(("p", f"Decision: {decision.text}"))
        if item.actions:
            out.append(
                (
                    "table",
                    ["Action", "Owner", "Due", "Status"],
                    [
                        [
                            a.description,
                            a.owner,
                            uk_date(a.due_date),
                            a.status.label,
                        ]
                        for a in item.actions
                    ],
                )
            )
    return out
