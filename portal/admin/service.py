"""Rules of the admin area: the codeframe overview, staff accounts' roles, and the audit trail.

Nothing here commits: the view commits once, so a role change and its audit entry are written
together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from .. import audit
from ..auth.service import end_sessions
from ..core.unitofwork import RuleError
from ..extensions import db
from ..inputs import DateRange, parse_date_range, parse_id
from ..models import AuditEntry, Code, Commitment, StaffRole, User, feedback_codes

AUDIT_PAGE_SIZE = 100


class AdminError(RuleError):
    """An account change was refused; the message is shown to the person."""


# ---------------------------------------------------------------------------------------------
# The codeframe


@dataclass
class Codeframe:
    """The codes page: codes in use as a tree (parents, their children), children whose parent
    was retired, the retired codes, and how many items carry each code."""

    tree: list[tuple[Code, list[Code]]]
    orphans: list[Code]
    active: list[Code]
    retired: list[Code]
    counts: dict[int, int]


def codeframe() -> Codeframe:
    """Return the whole codeframe with how many items carry each code (two queries)."""
    counts = dict(
        db.session.execute(
            select(feedback_codes.c.code_id, func.count()).group_by(feedback_codes.c.code_id)
        ).all()
    )
    all_codes = list(db.session.scalars(select(Code).order_by(Code.name)))
    active = [c for c in all_codes if not c.retired]
    tree = [(c, [k for k in active if k.parent_id == c.id]) for c in active if c.parent_id is None]
    orphans = [c for c in active if c.parent_id is not None and c.parent and c.parent.retired]
    return Codeframe(tree, orphans, active, [c for c in all_codes if c.retired], counts)


# ---------------------------------------------------------------------------------------------
# Staff accounts


def change_role(actor: User, user: User, value: str) -> StaffRole:
    """Give an account another role (ending its sessions), with its audit entry."""
    try:
        role = StaffRole(value)
    except ValueError as error:
        raise AdminError("Choose a role") from error
    before = user.role
    if before is not role:
        user.role = role
        end_sessions(user)
    audit.record_change(actor, "user", user.id, "role", before, role)
    return role


def deactivate(actor: User, user: User) -> None:
    """Stop an account from signing in (ending its sessions), with its audit entry; nobody can
    deactivate their own account."""
    if user.id == actor.id:
        raise AdminError("You cannot deactivate your own account")
    user.active = False
    end_sessions(user)
    audit.record(actor, "user", user.id, "update", "active", 1, 0)


def commitments_offered(officer: User) -> list[tuple[int, str]]:
    """Return (id, title) of the commitments an officer can be linked to, in framework order:
    those in use, and retired ones only while linked (so they can be unlinked)."""
    linked = [c.id for c in officer.commitments]
    shown = select(Commitment).where(Commitment.active | Commitment.id.in_(linked))
    return [
        (c.id, c.title)
        for c in db.session.scalars(shown.order_by(Commitment.position, Commitment.id))
    ]


# ---------------------------------------------------------------------------------------------
# The audit trail


@dataclass
class AuditFilters:
    """The audit trail's filters, read from the query string; nonsense becomes a message."""

    entity: str = ""
    actor: int | None = None
    field_name: str = ""
    dates: DateRange = field(default_factory=DateRange)
    before: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        filters = cls(
            entity=args.get("entity", ""),
            field_name=args.get("field", "").strip(),
            before=parse_id(args.get("before", "")),
        )
        actor = args.get("actor", "")
        if actor:
            filters.actor = parse_id(actor)
            if filters.actor is None:
                filters.errors["actor"] = "Choose a person from the list"
        # The GOV.UK date inputs; links made before them carry from=YYYY-MM-DD.
        filters.dates = parse_date_range(args)
        filters.errors.update(filters.dates.errors)
        return filters


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    # The id to page on from (entries older than it), when there are more.
    next_before: int | None


def audit_page(filters: AuditFilters, size: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """Return one page of the audit trail, newest first, keyset-paged by id."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.entity:
        query = query.where(AuditEntry.entity_type == filters.entity)
    if filters.actor is not None:
        query = query.where(AuditEntry.actor_id == filters.actor)
    if filters.field_name:
        query = query.where(AuditEntry.field == filters.field_name)
    low, high = filters.dates.bounds()
    if low is not None:
        query = query.where(AuditEntry.at >= low)
    if high is not None:
        query = query.where(AuditEntry.at < high)
    if filters.before is not None:
        query = query.where(AuditEntry.id < filters.before)
    entries = list(db.session.scalars(query.limit(size + 1)))
    more = len(entries) > size
    entries = entries[:size]
    return AuditPage(entries, entries[-1].id if more else None)


def entity_types() -> list[str]:
    """Return the kinds of thing the audit trail has entries for, for its filter."""
    return list(
        db.session.scalars(
            select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
        )
    )
