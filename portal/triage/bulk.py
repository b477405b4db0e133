"""Bulk actions on the inbox's selected rows. Nothing here commits: the view commits once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import (
    Code,
    Feedback,
    FeedbackStatus,
    StaffRole,
    User,
)
from ..outbox import service as outbox
from ..search.lookup import item_options as page_options
from .inbox import NEWEST_FIRST
from .items import change_status
from .workflow import TriageError


@dataclass
class BulkResult:
    changed: int = 0
    refused: list[str] = field(default_factory=list)

    def message(self) -> str:
        text = f"{self.changed} {'item' if self.changed == 1 else 'items'} updated"
        if self.refused:
            text += f"; {len(self.refused)} not changed: " + "; ".join(self.refused[:5])
        return text


def items_by_ids(ids: Iterable[int]) -> list[Feedback]:
    """Return the items with these ids, tags loaded, in one query, in the inbox's order (newest
    first), whatever order the database finds them in."""
    id_list = sorted(set(ids))[:500]
    if not id_list:
        return []
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.id.in_(id_list))
            .options(*page_options())
            .order_by(*NEWEST_FIRST)
        )
    )


def bulk_add_code(items: list[Feedback], actor: User, code: Code) -> BulkResult:
    """Add one code to every selected item that lacks it."""
    result = BulkResult()
    if code.retired:
        raise TriageError(f"The code {code.name} has been retired")
    for item in items:
        if code in item.codes:
            continue
        before = sorted(c.name for c in item.codes)
        item.codes.append(code)
        audit.record_change(actor, "feedback", item.id, "codes", before, before + [code.name])
        result.changed += 1
    return result


def bulk_status(
    items: list[Feedback], actor: User, new: FeedbackStatus, duplicate_of: Feedback | None = None
) -> BulkResult:
    """Move every selected item to a status, skipping (and reporting) refused moves."""
    result = BulkResult()
    for item in items:
        try:
            change_status(item, actor, new, duplicate_of=duplicate_of)
            result.changed += 1
        except TriageError as error:
            result.refused.append(str(error))
    return result


def bulk_assign(items: list[Feedback], actor: User, assignee: User | None) -> BulkResult:
    """Assign every selected item."""
    result = BulkResult()
    if assignee is not None and assignee.role not in (StaffRole.ADMIN, StaffRole.MEMBER):
        raise TriageError("Feedback can only be assigned to Implementation Group members")
    for item in items:
        before = item.assignee.email if item.assignee else None
        after = assignee.email if assignee else None
        if audit.record_change(actor, "feedback", item.id, "assignee", before, after):
            item.assignee = assignee
            outbox.item_assigned(item, actor, assignee)
            result.changed += 1
    return result
