"""Load the Social Value Framework from its YAML file into the database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .extensions import db
from .models import Commitment, Horizon, Role, Theme
from .yamlfile import LINE, YamlFileError, read_yaml

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


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _check_entry(path: Path, entry: Any, kind: str, index: int, line: int) -> int:
    """Check a role, theme or commitment is a mapping with a text slug; return its line."""
    if not isinstance(entry, dict):
        raise FrameworkFileError(f"{path}:{line}: {kind} #{index} must be a mapping (slug: ...)")
    line = entry.get(LINE, line)
    if not isinstance(entry.get("slug"), str) or not entry["slug"].strip():
        raise FrameworkFileError(f"{path}:{line}: {kind} #{index}: 'slug' must be text")
    return line


TEXT_KEYS = ("name", "description", "title", "text", "responsible_team", "toms_theme")


def read_framework(path: Path = DEFAULT_PATH) -> dict[str, Any]:
    """Parse and check the framework file, raising FrameworkFileError with `file:line: problem`."""
    try:
        data = read_yaml(path, lines=True)
    except YamlFileError as error:
        raise FrameworkFileError(str(error)) from error
    if not isinstance(data, dict):
        raise FrameworkFileError(f"{path}:1: expected roles, themes and commitments")
    top = data.get(LINE, 1)
    for key in ("roles", "themes", "commitments"):
        if not isinstance(data.get(key), list) or not data[key]:
            raise FrameworkFileError(f"{path}:{top}: '{key}' must be a non-empty list")
    for kind, key in (("role", "roles"), ("theme", "themes")):
        for index, entry in enumerate(data[key], start=1):
            line = _check_entry(path, entry, kind, index, top)
            if not isinstance(entry.get("name"), str) or not entry["name"].strip():
                raise FrameworkFileError(f"{path}:{line}: {entry['slug']}: 'name' must be text")
            description = entry.get("description")
            if description is not None and not isinstance(description, str):
                raise FrameworkFileError(
                    f"{path}:{line}: {entry['slug']}: 'description' must be text"
                )
    role_slugs = {r["slug"] for r in data["roles"]}
    theme_slugs = {t["slug"] for t in data["themes"]}
    seen: set[str] = set()
    for index, item in enumerate(data["commitments"], start=1):
        line = _check_entry(path, item, "commitment", index, top)
        label = f"{path}:{line}: {item['slug']}"
        missing = [k for k in REQUIRED_COMMITMENT_KEYS if not item.get(k)]
        if missing:
            raise FrameworkFileError(f"{label}: missing {', '.join(missing)}")
        for key in TEXT_KEYS:
            if item.get(key) is not None and not isinstance(item[key], str):
                raise FrameworkFileError(f"{label}: '{key}' must be text")
        for key in ("roles", "themes"):
            if not isinstance(item[key], list) or not all(isinstance(v, str) for v in item[key]):
                raise FrameworkFileError(f"{label}: '{key}' must be a list of slugs")
        if not isinstance(item.get("transport", False), bool):
            raise FrameworkFileError(f"{label}: 'transport' must be true or false")
        if item["slug"] in seen:
            raise FrameworkFileError(f"{label}: duplicate slug")
        seen.add(item["slug"])
        if item["horizon"] not in {h.value for h in Horizon}:
            raise FrameworkFileError(f"{label}: unknown horizon {item['horizon']!r}")
        unknown = set(item["roles"]) - role_slugs
        if unknown:
            raise FrameworkFileError(f"{label}: unknown roles {sorted(unknown)}")
        unknown = set(item["themes"]) - theme_slugs
        if unknown:
            raise FrameworkFileError(f"{label}: unknown themes {sorted(unknown)}")
    return _strip_lines(data)


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
