"""The Social Value Framework file: read and check it, load it (idempotently), export it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from .extensions import db
from .models import Code, Commitment, Horizon, Role, Theme, User
from .yamlfile import LINE, YamlFileError, read_yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "framework.yaml"
EXAMPLE = "example"
# "§4.6", "§6.3, §4.4", "§9": sections of the report, comma separated.
SECTION_RE = re.compile(r"^§\d+(\.\d+)?(, §\d+(\.\d+)?)*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class FrameworkFileError(ValueError):
    """The framework file is malformed; the message says where."""


@dataclass
class LoadReport:
    """What a load added, changed and retired, one line per entry, and how many were unchanged."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any_change(self) -> bool:
        return bool(self.added or self.changed or self.retired)

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.retired)} retired, {self.unchanged} unchanged"
        )

    def lines(self) -> list[str]:
        """Return the report as the command prints it, ending with the summary line."""
        return (
            [f"add {entry}" for entry in self.added]
            + [f"change {entry}" for entry in self.changed]
            + [f"retire {entry}" for entry in self.retired]
            + [self.summary]
        )


REQUIRED_COMMITMENT_KEYS = ("slug", "title", "text", "horizon", "roles", "themes", "source")


def _fail(path: Path, line: int, message: str) -> FrameworkFileError:
    return FrameworkFileError(f"{path}:{line}: {message}")


def _check_source(path: Path, line: int, label: str, entry: dict) -> None:
    source = entry.get("source")
    if source is not None and not isinstance(source, str):
        raise _fail(path, line, f"{label}: 'source' must be text")
    source = (source or "").strip()
    if not source:
        raise _fail(
            path, line, f"{label}: missing source (a report section like \"§4.6\", or 'example')"
        )
    if source != EXAMPLE and not SECTION_RE.match(source):
        raise _fail(
            path,
            line,
            f'{label}: source {source!r} must be report sections like "§4.6" '
            "or the word 'example'",
        )


def _check_entries(
    path: Path, top: int, kind: str, entries: list, required: tuple[str, ...]
) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(entries, start=1):
        if not isinstance(item, dict):
            raise _fail(path, top, f"{kind} #{index} must be a mapping (slug: ...)")
        line = item.get(LINE, top)
        if not isinstance(item.get("slug"), str) or not item["slug"].strip():
            raise _fail(path, line, f"{kind} #{index}: 'slug' must be text")
        label = f"{kind} {item['slug']}"
        missing = [k for k in required if item.get(k) in (None, "", [])]
        if missing:
            raise _fail(path, line, f"{label}: missing {', '.join(missing)}")
        for key in TEXT_KEYS:
            if item.get(key) is not None and not isinstance(item[key], str):
                raise _fail(path, line, f"{label}: '{key}' must be text")
        slug = item["slug"]
        if not SLUG_RE.match(slug):
            raise _fail(
                path, line, f"{label}: a slug is lower-case letters and digits joined by hyphens"
            )
        if slug in seen:
            raise _fail(path, line, f"{label}: duplicate slug")
        seen.add(slug)
        _check_source(path, line, label, item)
    return seen


TEXT_KEYS = ("name", "description", "title", "text", "responsible_team")


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def read_framework(path: Path = DEFAULT_PATH) -> dict[str, Any]:
    """Parse and check the framework file, raising FrameworkFileError with `file:line: problem`."""
    try:
        data = read_yaml(path, lines=True)
    except YamlFileError as error:
        raise FrameworkFileError(str(error)) from error
    if not isinstance(data, dict):
        raise _fail(path, 1, "expected a mapping of roles, themes and commitments")
    top = data.get(LINE, 1)
    for key in ("roles", "themes", "commitments"):
        if not isinstance(data.get(key), list) or not data[key]:
            raise _fail(path, top, f"'{key}' must be a non-empty list")
    role_slugs = _check_entries(path, top, "role", data["roles"], ("slug", "name", "source"))
    theme_slugs = _check_entries(path, top, "theme", data["themes"], ("slug", "name", "source"))
    _check_entries(path, top, "commitment", data["commitments"], REQUIRED_COMMITMENT_KEYS)
    for item in data["commitments"]:
        line = item.get(LINE, top)
        label = f"commitment {item['slug']}"
        if item["horizon"] not in {h.value for h in Horizon}:
            raise _fail(path, line, f"{label}: unknown horizon {item['horizon']!r}")
        if not isinstance(item.get("transport", False), bool):
            raise _fail(path, line, f"{label}: 'transport' must be true or false")
        for key, known in (("roles", role_slugs), ("themes", theme_slugs)):
            if not isinstance(item[key], list) or not all(isinstance(v, str) for v in item[key]):
                raise _fail(path, line, f"{label}: '{key}' must be a list of slugs")
            unknown = set(item[key]) - known
            if unknown:
                raise _fail(path, line, f"{label}: unknown {key} {sorted(unknown)}")
        if item["source"] == EXAMPLE and item.get("responsible_team"):
            raise _fail(path, line, f"{label}: an example has no responsible team; leave it out")
    codes = data.get("codes") or []
    if not isinstance(codes, list):
        raise _fail(path, top, "'codes' must be a list")
    for index, item in enumerate(codes, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _fail(path, top, f"code #{index}: missing name")
        line = item.get(LINE, top)
        if not item["name"].strip():
            raise _fail(path, line, f"code #{index}: missing name")
        if len(item["name"]) > 120:
            raise _fail(path, line, f"code #{index}: name longer than 120 characters")
        _check_source(path, line, f"code {item['name']}", item)
    return _strip_lines(data)


def _source_values(entry: dict) -> dict[str, Any]:
    source = str(entry["source"]).strip()
    return {"source": "" if source == EXAMPLE else source, "example": source == EXAMPLE}


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _apply(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


def _upsert_facets(
    model: type[Role] | type[Theme],
    entries: list[dict],
    report: LoadReport,
    actor: User | None,
) -> dict[str, Role | Theme]:
    from .framework_admin import service as versions

    kind = model.__tablename__[:-1]
    existing = {row.slug: row for row in db.session.scalars(select(model))}
    for position, entry in enumerate(entries):
        values = {
            "name": _text(entry["name"]),
            "description": _text(entry.get("description")),
            "active": True,
            **_source_values(entry),
        }
        row = existing.get(entry["slug"])
        if row is None:
            row = model(slug=entry["slug"], position=position, **values)
            db.session.add(row)
            db.session.flush()
            report.added.append(f"{kind} {row.slug}: {row.name}")
            versions.record_version(row, actor, "load", action="create")
            continue
        # The file's order is the display order; moving an entry is not reported as a change.
        row.position = position
        fields = _apply(row, values)
        if fields:
            report.changed.append(f"{kind} {row.slug}: {', '.join(fields)}")
            versions.record_version(row, actor, "load", fields=fields)
        else:
            report.unchanged += 1
    listed = {entry["slug"] for entry in entries}
    for slug, row in existing.items():
        if slug not in listed and row.active:
            row.active = False
            report.retired.append(f"{kind} {slug}: {row.name}")
            versions.record_version(row, actor, "load", fields=["active"])
    db.session.flush()
    return {row.slug: row for row in db.session.scalars(select(model))}


def _load_codes(entries: list[dict], report: LoadReport, actor: User | None) -> None:
    from . import audit

    for entry in entries:
        name = _text(entry["name"])
        source = _source_values(entry)["source"] or None
        code = db.session.scalar(select(Code).where(func.lower(Code.name) == name.lower()))
        if code is None:
            code = Code(name=name, source=source)
            db.session.add(code)
            db.session.flush()
            audit.record(actor, "code", code.id, "create", "name", None, name)
            report.added.append(f"code {name}")
        elif code.source != source:
            audit.record_change(actor, "code", code.id, "source", code.source, source)
            code.source = source
            report.changed.append(f"code {name}: source")
        else:
            report.unchanged += 1


def load_framework(path: Path = DEFAULT_PATH, actor: User | None = None) -> LoadReport:
    """Add, change and retire roles, themes and commitments to match the file, and add the
    starter codes it lists. Never commits: the caller commits, or rolls back for a dry run."""
    from .framework_admin import service as versions

    data = read_framework(path)
    report = LoadReport()
    roles = _upsert_facets(Role, data["roles"], report, actor)
    themes = _upsert_facets(Theme, data["themes"], report, actor)
    existing = {c.slug: c for c in db.session.scalars(select(Commitment))}
    for position, entry in enumerate(data["commitments"]):
        values = {
            "title": _text(entry["title"]),
            "text": _text(entry["text"]),
            "horizon": Horizon(entry["horizon"]),
            "transport": bool(entry.get("transport", False)),
            "responsible_team": _text(entry.get("responsible_team")),
            "active": True,
            **_source_values(entry),
        }
        role_list = [roles[s] for s in entry["roles"]]
        theme_list = [themes[s] for s in entry["themes"]]
        commitment = existing.get(entry["slug"])
        if commitment is None:
            commitment = Commitment(slug=entry["slug"], position=position, **values)
            commitment.roles = role_list
            commitment.themes = theme_list
            db.session.add(commitment)
            db.session.flush()
            report.added.append(f"commitment {commitment.slug}: {commitment.title}")
            versions.record_version(commitment, actor, "load", action="create")
            continue
        commitment.position = position  # the file's order; not reported as a change
        fields = _apply(commitment, values)
        if {r.slug for r in commitment.roles} != set(entry["roles"]):
            commitment.roles = role_list
            fields.append("roles")
        if {t.slug for t in commitment.themes} != set(entry["themes"]):
            commitment.themes = theme_list
            fields.append("themes")
        if fields:
            report.changed.append(f"commitment {commitment.slug}: {', '.join(fields)}")
            versions.record_version(commitment, actor, "load", fields=fields)
        else:
            report.unchanged += 1
    # A commitment taken out of the file is retired, never deleted: feedback still points at it.
    listed = {entry["slug"] for entry in data["commitments"]}
    for slug, commitment in existing.items():
        if slug not in listed and commitment.active:
            commitment.active = False
            report.retired.append(f"commitment {slug}: {commitment.title}")
            versions.record_version(commitment, actor, "load", fields=["active"])
    _load_codes(data.get("codes") or [], report, actor)
    db.session.flush()
    return report


def _source_out(row: Role | Theme | Commitment) -> str:
    return EXAMPLE if row.example else row.source


def framework_data() -> dict[str, Any]:
    """Return the current framework (active entries) in the file's format."""
    vision = None
    try:
        vision = (read_yaml(DEFAULT_PATH) or {}).get("vision")
    except YamlFileError:  # pragma: no cover - the shipped file is checked by tests
        vision = None
    data: dict[str, Any] = {"vision": vision} if vision else {}
    for key, model in (("roles", Role), ("themes", Theme)):
        rows = db.session.scalars(
            select(model).where(model.active.is_(True)).order_by(model.position, model.id)
        )
        data[key] = [
            {"slug": r.slug, "name": r.name, "source": _source_out(r)}
            | ({"description": r.description} if r.description else {})
            for r in rows
        ]
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.active.is_(True))
        .order_by(Commitment.position, Commitment.id)
    )
    data["commitments"] = [
        {
            "slug": c.slug,
            "title": c.title,
            "text": c.text,
            "horizon": c.horizon.value,
            "transport": c.transport,
            "roles": [r.slug for r in c.roles],
            "themes": [t.slug for t in c.themes],
            "source": _source_out(c),
        }
        | ({"responsible_team": c.responsible_team} if c.responsible_team else {})
        for c in commitments
    ]
    codes = db.session.scalars(
        select(Code).where(Code.source.is_not(None), Code.retired.is_(False)).order_by(Code.id)
    )
    data["codes"] = [{"name": c.name, "source": c.source} for c in codes]
    return data


def export_framework(path: Path) -> dict[str, int]:
    """Write the current framework to `path` in the format `load_framework` reads."""
    data = framework_data()
    header = (
        "# The Social Value Framework, exported by `flask framework export`.\n"
        "# Load it with `flask framework load PATH`. source: a report section, or 'example'.\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return {key: len(data[key]) for key in ("roles", "themes", "commitments", "codes")}
