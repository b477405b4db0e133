"""The portal's single audit trail: every change, who made it, before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .extensions import db
from .models import AuditEntry, User


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(str(v) for v in value)) or None
    return str(value)


def record(
    actor: User | None,
    entity_type: str,
    entity_id: int,
    action: str,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        field=field,
        before=_text(before),
        after=_text(after),
    )
    db.session.add(entry)
    return entry


def record_change(
    actor: User | None, entity_type: str, entity_id: int, field: str, before: Any, after: Any
) -> bool:
    """Record a field change if the value really changed; return whether it did."""
    if _text(before) == _text(after):
        return False
    record(actor, entity_type, entity_id, "update", field, before, after)
    return True


def history(entity_type: str, entity_id: int) -> list[AuditEntry]:
    """Return the audit entries of one thing, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
