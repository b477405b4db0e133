"""The agenda's figures as CSV rows, and the labels of their keys (the agenda pack itself is
the template documents/agenda.html, see pack.py)."""

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
