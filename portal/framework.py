"""Load the Social Value Framework from its YAML file into the database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from .extensions import db
from .models import Commitment, Horizon, Role, Theme

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "framework.yaml"


class FrameworkFileError(ValueError):
    """The framework file is malformed; the message says where."""


@dataclass
class LoadReport:
    """What a load changed, per kind of entry."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


REQUIRED_COMMITMENT_KEYS = ("slug", "title", "text", "horizon", "roles", "themes")


def read_framework(path: Path = DEFAULT_PATH) -> dict[str, Any]:
    """Parse and check the framework file, raising FrameworkFileError with the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FrameworkFileError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise FrameworkFileError(f"{path}: expected roles, themes and commitments")
    for key in ("roles", "themes", "commitments"):
        if not isinstance(data.get(key), list) or not data[key]:
            raise FrameworkFileError(f"{path}: '{key}' must be a non-empty list")
    role_slugs = {r["slug"] for r in data["roles"]}
    theme_slugs = {t["slug"] for t in data["themes"]}
    seen: set[str] = set()
    for index, item in enumerate(data["commitments"], start=1):
        label = item.get("slug", f"commitment #{index}")
        missing = [k for k in REQUIRED_COMMITMENT_KEYS if not item.get(k)]
        if missing:
            raise FrameworkFileError(f"{path}: {label}: missing {', '.join(missing)}")
        if item["slug"] in seen:
            raise FrameworkFileError(f"{path}: {label}: duplicate slug")
        seen.add(item["slug"])
        if item["horizon"] not in {h.value for h in Horizon}:
            raise FrameworkFileError(f"{path}: {label}: unknown horizon {item['horizon']!r}")
        unknown = set(item["roles"]) - role_slugs
        if unknown:
            raise FrameworkFileError(f"{path}: {label}: unknown roles {sorted(unknown)}")
        unknown = set(item["themes"]) - theme_slugs
        if unknown:
            raise FrameworkFileError(f"{path}: {label}: unknown themes {sorted(unknown)}")
    return data


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _upsert_facet(model: type[Role] | type[Theme], entries: list[dict], report: LoadReport):
    existing = {row.slug: row for row in db.session.scalars(select(model))}
    for position, entry in enumerate(entries):
        values = {
            "name": entry["name"],
            "description": (entry.get("description") or "").strip(),
            "position": position,
        }
        row = existing.get(entry["slug"])
        if row is None:
            db.session.add(model(slug=entry["slug"], **values))
            report.created.append(f"{model.__tablename__[:-1]} {entry['slug']}")
        elif _apply(row, values):
            report.updated.append(f"{model.__tablename__[:-1]} {entry['slug']}")
        else:
            report.unchanged += 1
    db.session.flush()
    return {row.slug: row for row in db.session.scalars(select(model))}


def load_framework(path: Path = DEFAULT_PATH) -> LoadReport:
    """Create or update roles, themes and commitments from the file; retire removed ones."""
    data = read_framework(path)
    report = LoadReport()
    roles = _upsert_facet(Role, data["roles"], report)
    themes = _upsert_facet(Theme, data["themes"], report)
    existing = {c.slug: c for c in db.session.scalars(select(Commitment))}
    for position, entry in enumerate(data["commitments"]):
        values = {
            "title": entry["title"].strip(),
            "text": " ".join(entry["text"].split()),
            "horizon": Horizon(entry["horizon"]),
            "transport": bool(entry.get("transport", False)),
            "responsible_team": entry.get("responsible_team", ""),
            "source": str(entry.get("source", "")),
            "toms_theme": entry.get("toms_theme"),
            "position": position,
            "active": True,
        }
        role_list = [roles[s] for s in entry["roles"]]
        theme_list = [themes[s] for s in entry["themes"]]
        commitment = existing.get(entry["slug"])
        if commitment is None:
            commitment = Commitment(slug=entry["slug"], **values)
            commitment.roles = role_list
            commitment.themes = theme_list
            db.session.add(commitment)
            report.created.append(f"commitment {entry['slug']}")
            continue
        changed = _apply(commitment, values)
        if {r.slug for r in commitment.roles} != set(entry["roles"]):
            commitment.roles = role_list
            changed = True
        if {t.slug for t in commitment.themes} != set(entry["themes"]):
            commitment.themes = theme_list
            changed = True
        if changed:
            report.updated.append(f"commitment {entry['slug']}")
        else:
            report.unchanged += 1
    # A commitment taken out of the file is retired, never deleted: feedback still points at it.
    listed = {entry["slug"] for entry in data["commitments"]}
    for slug, commitment in existing.items():
        if slug not in listed and commitment.active:
            commitment.active = False
            report.retired.append(f"commitment {slug}")
    db.session.commit()
    return report
