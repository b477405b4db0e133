"""Rules for editing the framework: every change audited and kept as a numbered version.

Functions here never commit; the view or command commits once, so a change, its version and its
audit entries are one transaction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from .. import audit
from ..core.unitofwork import RuleError
from ..extensions import db
from ..models import Commitment, Horizon, Role, Theme, User
from .models import FrameworkVersion

RESERVED_SLUGS = {"new"}
COMMITMENT_FIELDS = (
    "title",
    "text",
    "horizon",
    "transport",
    "responsible_team",
    "source",
    "example",
    "roles",
    "themes",
)
FACET_FIELDS = ("name", "description", "source", "example")
FIELD_LABELS = {
    "title": "Title",
    "name": "Name",
    "text": "Text",
    "description": "Description",
    "horizon": "Horizon",
    "transport": "About transport",
    "responsible_team": "Responsible team",
    "source": "Source",
    "example": "Example",
    "roles": "Roles",
    "themes": "Themes",
    "active": "In use",
}


class FrameworkError(RuleError):
    """A framework change was refused; the message is shown to the person."""


def entity_type(entity: Commitment | Role | Theme) -> str:
    """Return "commitment", "role" or "theme"."""
    return {Commitment: "commitment", Role: "role", Theme: "theme"}[type(entity)]


def snapshot(entity: Commitment | Role | Theme) -> dict[str, Any]:
    """Return everything a version keeps of an entry, as plain JSON values."""
    if isinstance(entity, Commitment):
        return {
            "slug": entity.slug,
            "title": entity.title,
            "text": entity.text,
            "horizon": entity.horizon.value,
            "transport": bool(entity.transport),
            "responsible_team": entity.responsible_team or "",
            "source": entity.source or "",
            "example": bool(entity.example),
            "roles": [r.slug for r in entity.roles],
            "themes": [t.slug for t in entity.themes],
            "active": bool(entity.active),
        }
    return {
        "slug": entity.slug,
        "name": entity.name,
        "description": entity.description or "",
        "source": entity.source or "",
        "example": bool(entity.example),
        "active": bool(entity.active),
    }


def record_version(
    entity: Commitment | Role | Theme,
    actor: User | None,
    origin: str,
    action: str = "update",
    fields: list[str] | None = None,
) -> FrameworkVersion:
    """Save the entry's current state as its next version and note it in the audit trail."""
    kind = entity_type(entity)
    number = (
        db.session.scalar(
            select(func.max(FrameworkVersion.number)).where(
                FrameworkVersion.entity_type == kind, FrameworkVersion.entity_id == entity.id
            )
        )
        or 0
    ) + 1
    version = FrameworkVersion(
        entity_type=kind,
        entity_id=entity.id,
        number=number,
        data=snapshot(entity),
        origin=origin,
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(version)
    if origin == "load":
        # The command's changes: one audit entry per entry, naming the fields it changed.
        changed = ", ".join(fields or []) or "created"
        audit.record(actor, kind, entity.id, action, "version", None, f"{number} ({changed})")
    return version


def versions(entity: Commitment | Role | Theme) -> list[FrameworkVersion]:
    """Return the versions of an entry, newest first."""
    return list(
        db.session.scalars(
            select(FrameworkVersion)
            .where(
                FrameworkVersion.entity_type == entity_type(entity),
                FrameworkVersion.entity_id == entity.id,
            )
            .order_by(FrameworkVersion.number.desc())
        )
    )


def slugify(text: str) -> str:
    """Return a URL slug for a title: lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "entry"


def unique_slug(model: type[Commitment] | type[Role] | type[Theme], title: str) -> str:
    """Return a slug for a new entry that no entry (in use or retired) has had."""
    base = slugify(title)
    taken = set(
        db.session.scalars(
            select(model.slug).where((model.slug == base) | model.slug.like(f"{base}-%"))
        )
    )
    slug, n = base, 1
    while slug in taken or slug in RESERVED_SLUGS:
        n += 1
        slug = f"{base}-{n}"
    return slug


@dataclass
class CommitmentInput:
    """Validated answers of the commitment form."""

    title: str
    text: str
    horizon: Horizon
    transport: bool
    responsible_team: str
    source: str
    example: bool
    roles: list[Role]
    themes: list[Theme]


@dataclass
class FacetInput:
    """Validated answers of the role or theme form."""

    name: str
    description: str
    source: str
    example: bool


def _check_example(source: str, example: bool, team: str = "") -> None:
    if example and (source or team):
        raise FrameworkError(
            "An example has no report section or responsible team: remove them, or say it is "
            "part of the published framework"
        )
    if not example and not source:
        raise FrameworkError("Enter the section of the report it comes from, like §4.6")


def _change_fields(
    actor: User, entity: Commitment | Role | Theme, values: dict[str, Any]
) -> list[str]:
    kind = entity_type(entity)
    changed = []
    for name, value in values.items():
        before = getattr(entity, name)
        if name in ("roles", "themes"):
            before_names = [x.name for x in before]
            after_names = [x.name for x in value]
            if [x.id for x in before] == [x.id for x in value]:
                continue
            audit.record(actor, kind, entity.id, "update", name, before_names, after_names)
        elif before == value:
            continue
        else:
            audit.record(actor, kind, entity.id, "update", name, before, value)
        setattr(entity, name, value)
        changed.append(name)
    return changed


def create_commitment(actor: User, data: CommitmentInput) -> Commitment:
    """Add a commitment at the end of the framework, with a permanent slug from its title."""
    _check_example(data.source, data.example, data.responsible_team)
    same_title = db.session.scalar(
        select(Commitment.slug).where(
            func.lower(Commitment.title) == data.title.lower(), Commitment.active.is_(True)
        )
    )
    if same_title:
        # Also what a double submit of the form meets: the first one is kept, once.
        raise FrameworkError(f"There is already a commitment called ‘{data.title}’")
    position = (db.session.scalar(select(func.max(Commitment.position))) or 0) + 1
    commitment = Commitment(
        slug=unique_slug(Commitment, data.title),
        title=data.title,
        text=data.text,
        horizon=data.horizon,
        transport=data.transport,
        responsible_team=data.responsible_team,
        source=data.source,
        example=data.example,
        position=position,
        active=True,
    )
    commitment.roles = list(data.roles)
    commitment.themes = list(data.themes)
    db.session.add(commitment)
    db.session.flush()
    audit.record(actor, "commitment", commitment.id, "create", "title", None, commitment.title)
    record_version(commitment, actor, "admin", action="create")
    return commitment


def update_commitment(actor: User, commitment: Commitment, data: CommitmentInput) -> list[str]:
    """Change a commitment's wording and facets (never its slug); return the changed fields."""
    _check_example(data.source, data.example, data.responsible_team)
    changed = _change_fields(
        actor, commitment, {name: getattr(data, name) for name in COMMITMENT_FIELDS}
    )
    if changed:
        db.session.flush()
        record_version(commitment, actor, "admin", fields=changed)
    return changed


def create_facet(actor: User, model: type[Role] | type[Theme], data: FacetInput) -> Role | Theme:
    """Add a role or theme at the end of its list."""
    _check_example(data.source, data.example)
    exists = db.session.scalar(
        select(model.id).where(func.lower(model.name) == data.name.lower(), model.active.is_(True))
    )
    if exists:
        raise FrameworkError(f"There is already a {model.__tablename__[:-1]} called ‘{data.name}’")
    position = (db.session.scalar(select(func.max(model.position))) or 0) + 1
    row = model(
        slug=unique_slug(model, data.name),
        name=data.name,
        description=data.description,
        source=data.source,
        example=data.example,
        position=position,
        active=True,
    )
    db.session.add(row)
    db.session.flush()
    kind = entity_type(row)
    audit.record(actor, kind, row.id, "create", "name", None, row.name)
    record_version(row, actor, "admin", action="create")
    return row


def update_facet(actor: User, row: Role | Theme, data: FacetInput) -> list[str]:
    """Change a role's or theme's name, description or source (never its slug)."""
    _check_example(data.source, data.example)
    changed = _change_fields(actor, row, {name: getattr(data, name) for name in FACET_FIELDS})
    if changed:
        db.session.flush()
        record_version(row, actor, "admin", fields=changed)
    return changed


def set_active(actor: User, entity: Commitment | Role | Theme, active: bool) -> bool:
    """Retire an entry (or bring it back). Feedback and tags keep pointing at it."""
    if bool(entity.active) == active:
        return False
    audit.record(actor, entity_type(entity), entity.id, "update", "active", entity.active, active)
    entity.active = active
    db.session.flush()
    record_version(entity, actor, "admin", fields=["active"])
    return True


def all_commitments() -> list[Commitment]:
    """Return every commitment, in use first in framework order, then retired ones."""
    return list(
        db.session.scalars(
            select(Commitment).order_by(
                Commitment.active.desc(), Commitment.position, Commitment.id
            )
        )
    )


def all_facets(model: type[Role] | type[Theme]) -> list[Role | Theme]:
    """Return every role or theme, in use first."""
    return list(
        db.session.scalars(select(model).order_by(model.active.desc(), model.position, model.id))
    )


def feedback_counts() -> dict[int, int]:
    """Return how many feedback items point at each commitment."""
    from ..models import Feedback

    rows = db.session.execute(
        select(Feedback.commitment_id, func.count())
        .where(Feedback.commitment_id.is_not(None))
        .group_by(Feedback.commitment_id)
    )
    return dict(rows.all())
