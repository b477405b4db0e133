"""Triage rules: filtering and paging the inbox, tagging, workflow, notes, replies, duplicates."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, delete, exists, func, insert, literal, or_, select, tuple_
from sqlalchemy.orm import selectinload

from .. import audit
from ..core.unitofwork import RuleError
from ..extensions import db
from ..inputs import parse_date_field, parse_id
from ..models import (
    Channel,
    Code,
    Commitment,
    ContactDetails,
    Feedback,
    FeedbackStatus,
    FeedbackStatusCount,
    InternalNote,
    Locality,
    Priority,
    Role,
    Sentiment,
    StaffRole,
    StakeholderType,
    Theme,
    TransportMode,
    User,
    feedback_codes,
    feedback_roles,
    feedback_themes,
    utcnow,
)
from ..outbox import service as outbox
from . import search

PAGE_SIZE = 50
OPEN_STATUSES = frozenset(
    {
        FeedbackStatus.NEW,
        FeedbackStatus.IN_REVIEW,
        FeedbackStatus.REFERRED,
        FeedbackStatus.ACTIONED,
    }
)
FINAL_STATUSES = frozenset({FeedbackStatus.CLOSED, FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE})
# The workflow. Spam and duplicate are reachable from any open state; closed items can be
# reopened for review and spam/duplicates restored, so a mistake is never a dead end.
TRANSITIONS: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    FeedbackStatus.NEW: frozenset({FeedbackStatus.IN_REVIEW}),
    FeedbackStatus.IN_REVIEW: frozenset({FeedbackStatus.REFERRED, FeedbackStatus.ACTIONED}),
    FeedbackStatus.REFERRED: frozenset({FeedbackStatus.ACTIONED, FeedbackStatus.CLOSED}),
    FeedbackStatus.ACTIONED: frozenset({FeedbackStatus.CLOSED}),
    FeedbackStatus.CLOSED: frozenset({FeedbackStatus.IN_REVIEW}),
    FeedbackStatus.SPAM: frozenset({FeedbackStatus.NEW}),
    FeedbackStatus.DUPLICATE: frozenset({FeedbackStatus.NEW}),
}
for _open in OPEN_STATUSES:
    TRANSITIONS[_open] = TRANSITIONS[_open] | {FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE}


class TriageError(RuleError):
    """An action was refused; the message is shown to the person."""


# ---------------------------------------------------------------------------------------------
# Filters and the inbox


@dataclass
class InboxFilters:
    """The inbox's filters, parsed from a query string; unknown values become errors."""

    status: FeedbackStatus | None = None
    commitment: str | None = None
    role: str | None = None
    theme: str | None = None
    code: int | None = None
    stakeholder_type: StakeholderType | None = None
    locality: Locality | None = None
    transport_mode: TransportMode | None = None
    transport_none: bool = False
    channel: Channel | None = None
    assignee: str | None = None  # "me", "none" or a user id
    date_from: date | None = None
    date_to: date | None = None
    has_contact: bool | None = None
    # The date boxes as typed (day, month, year), to show them again.
    typed: dict[str, dict[str, str]] = field(default_factory=dict)
    q: search.SearchQuery = field(default_factory=lambda: search.parse(""))
    errors: dict[str, str] = field(default_factory=dict)

    KEYS = (
        "status",
        "commitment",
        "role",
        "theme",
        "code",
        "stakeholder_type",
        "locality",
        "transport_mode",
        "channel",
        "assignee",
        "from",
        "to",
        "contact",
        "q",
    )

    @classmethod
    def from_args(cls, args) -> InboxFilters:
        """Parse request arguments, keeping a message for each value that makes no sense."""
        filters = cls()

        def enum_value(name: str, enum_cls):
            value = args.get(name, "")
            if not value:
                return None
            try:
                return enum_cls(value)
            except ValueError:
                filters.errors[name] = f"Choose a {name.replace('_', ' ')} from the list"
                return None

        filters.status = enum_value("status", FeedbackStatus)
        filters.stakeholder_type = enum_value("stakeholder_type", StakeholderType)
        filters.locality = enum_value("locality", Locality)
        if args.get("transport_mode") == "none":
            filters.transport_none = True
        else:
            filters.transport_mode = enum_value("transport_mode", TransportMode)
        filters.channel = enum_value("channel", Channel)
        filters.commitment = args.get("commitment") or None
        filters.role = args.get("role") or None
        filters.theme = args.get("theme") or None
        code = args.get("code", "")
        if code:
            filters.code = parse_id(code)
            if filters.code is None:
                filters.errors["code"] = "Choose a code from the list"
        assignee = args.get("assignee", "")
        if assignee in ("me", "none") or parse_id(assignee):
            filters.assignee = assignee
        elif assignee:
            filters.errors["assignee"] = "Choose an assignee from the list"
        for key, attr, label in (
            ("from", "date_from", "Received from"),
            ("to", "date_to", "Received to"),
        ):
            # The GOV.UK date input (from-day, from-month, from-year); links made before it
            # (and the inbox's own paging links) carry from=YYYY-MM-DD.
            day, error, filters.typed[key] = parse_date_field(args, key, label)
            if error:
                filters.errors[key] = error
            setattr(filters, attr, day)
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            filters.errors["to"] = "The end date must be the same as or after the start date"
        contact = args.get("contact", "")
        filters.has_contact = {"yes": True, "no": False}.get(contact)
        filters.q = search.parse(args.get("q"))
        return filters

    def to_args(self, without: Iterable[str] = ()) -> dict[str, str]:
        """Return the filters as query-string arguments (for links and next pages)."""
        values = {
            "status": self.status.value if self.status else "",
            "commitment": self.commitment or "",
            "role": self.role or "",
            "theme": self.theme or "",
            "code": str(self.code) if self.code else "",
            "stakeholder_type": self.stakeholder_type.value if self.stakeholder_type else "",
            "locality": self.locality.value if self.locality else "",
            "transport_mode": "none"
            if self.transport_none
            else (self.transport_mode.value if self.transport_mode else ""),
            "channel": self.channel.value if self.channel else "",
            "assignee": self.assignee or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "contact": {True: "yes", False: "no", None: ""}[self.has_contact],
            "q": self.q.raw,
        }
        return {k: v for k, v in values.items() if v and k not in set(without)}


def _as_utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def apply_filters(
    query: Select, filters: InboxFilters, user: User | None, with_status: bool = True
) -> Select:
    """Add the WHERE clauses for every filter that is set."""
    conditions = []
    if with_status and filters.status:
        conditions.append(Feedback.status == filters.status)
    if filters.commitment == "none":
        conditions.append(Feedback.commitment_id.is_(None))
    elif filters.commitment:
        conditions.append(
            Feedback.commitment_id
            == select(Commitment.id).where(Commitment.slug == filters.commitment).scalar_subquery()
        )
    if filters.role:
        role_id = select(Role.id).where(Role.slug == filters.role).scalar_subquery()
        conditions.append(
            exists().where(
                feedback_roles.c.feedback_id == Feedback.id, feedback_roles.c.role_id == role_id
            )
        )
    if filters.theme:
        theme_id = select(Theme.id).where(Theme.slug == filters.theme).scalar_subquery()
        conditions.append(
            exists().where(
                feedback_themes.c.feedback_id == Feedback.id,
                feedback_themes.c.theme_id == theme_id,
            )
        )
    if filters.code:
        conditions.append(
            exists().where(
                feedback_codes.c.feedback_id == Feedback.id,
                feedback_codes.c.code_id == filters.code,
            )
        )
    if filters.stakeholder_type:
        conditions.append(Feedback.stakeholder_type == filters.stakeholder_type)
    if filters.locality:
        conditions.append(Feedback.locality == filters.locality)
    if filters.transport_mode:
        conditions.append(Feedback.transport_mode == filters.transport_mode)
    elif filters.transport_none:
        conditions.append(Feedback.transport_mode.is_(None))
    if filters.channel:
        conditions.append(Feedback.channel == filters.channel)
    if filters.assignee == "me" and user is not None:
        conditions.append(Feedback.assignee_id == user.id)
    elif filters.assignee == "none":
        conditions.append(Feedback.assignee_id.is_(None))
    elif filters.assignee and parse_id(filters.assignee):
        conditions.append(Feedback.assignee_id == parse_id(filters.assignee))
    if filters.date_from:
        conditions.append(Feedback.received_at >= _as_utc_start(filters.date_from))
    if filters.date_to:
        conditions.append(Feedback.received_at < _as_utc_start(filters.date_to + timedelta(1)))
    if filters.has_contact is not None:
        has = exists().where(ContactDetails.feedback_id == Feedback.id)
        conditions.append(has if filters.has_contact else ~has)
    if filters.q:
        conditions.append(search.match_clause(filters.q))
    return query.where(*conditions) if conditions else query


@dataclass
class InboxRow:
    """One row of the inbox: the item and, when searching, its highlighted excerpt."""

    item: Feedback
    excerpt: object


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    # True when a search ranked only the most recent matches (see search.RECENT_WINDOW).
    windowed: bool = False


def encode_cursor(*parts: object) -> str:
    """Return an opaque cursor for keyset pagination."""
    raw = "|".join(p.isoformat() if isinstance(p, datetime) else repr(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[str] | None:
    """Return a cursor's parts, or None when it is missing or malformed."""
    if not cursor or len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    parts = raw.split("|")
    return parts if len(parts) in (2, 3) else None


def _page_options():
    return (
        selectinload(Feedback.roles),
        selectinload(Feedback.themes),
        selectinload(Feedback.codes),
        selectinload(Feedback.assignee),
    )


def inbox_page(
    filters: InboxFilters, user: User | None, cursor: str | None = None, limit: int = PAGE_SIZE
) -> InboxPage:
    """Return one page of the inbox: newest first, or best match first when searching."""
    parts = decode_cursor(cursor)
    if filters.q and not filters.to_args(without=["q"]):
        return _search_only_page(filters, parts, limit)
    if filters.q:
        matches = search.ranked_matches(filters.q).subquery()
        query = select(Feedback, matches.c.rank).join(matches, matches.c.id == Feedback.id)
        query = apply_filters(query, _without_q(filters), user)
        keyset = _rank_keyset(parts, matches.c.rank, Feedback.id)
        if keyset is not None:
            query = query.where(keyset)
        query = query.order_by(matches.c.rank, Feedback.id)
    else:
        query = apply_filters(select(Feedback), filters, user)
        if parts:
            try:
                received, last_id = datetime.fromisoformat(parts[0]), parse_id(parts[1])
            except ValueError:
                last_id = None
            if last_id is not None:
                query = query.where(
                    tuple_(Feedback.received_at, Feedback.id) < tuple_(received, last_id)
                )
        query = query.order_by(Feedback.received_at.desc(), Feedback.id.desc())
    result = db.session.execute(query.options(*_page_options()).limit(limit + 1)).all()
    more = len(result) > limit
    result = result[:limit]
    rows = [InboxRow(r[0], search.highlight(r[0].body, filters.q)) for r in result]
    next_cursor = None
    if more and result:
        last = result[-1]
        if filters.q:
            next_cursor = encode_cursor(float(last[1]), last[0].id)
        else:
            next_cursor = encode_cursor(last[0].received_at, last[0].id)
    return InboxPage(rows, next_cursor)


def _rank_keyset(parts: list[str] | None, rank, identifier):
    if not parts:
        return None
    try:
        value, last_id = float(parts[0]), parse_id(parts[1])
    except ValueError:
        return None
    if last_id is None or not math.isfinite(value):
        return None
    return or_(rank > value, and_(rank == value, identifier > last_id))


def _search_only_page(filters: InboxFilters, parts: list[str] | None, limit: int) -> InboxPage:
    """A search with no other filter: rank and page inside the search index first, then load
    just the rows of the page (one query), instead of joining every match to the table.

    Only the most recent matches are ranked; a rare word with less than a page of recent
    matches is searched through everything (its match set is small, so that is cheap).
    """
    if parts:  # a later page keeps the first page's choice, carried in the cursor
        windowed = len(parts) < 3 or parts[2] != "'all'"
        ranked = _ranked_ids(filters, parts, limit, search.RECENT_WINDOW if windowed else None)
    else:
        windowed = True
        ranked = _ranked_ids(filters, parts, limit, search.RECENT_WINDOW)
        if len(ranked) <= limit:
            windowed = False
            ranked = _ranked_ids(filters, parts, limit, None)
    more = len(ranked) > limit
    ranked = ranked[:limit]
    items = {
        item.id: item
        for item in db.session.scalars(
            select(Feedback)
            .where(Feedback.id.in_([row.id for row in ranked]))
            .options(*_page_options())
        )
    }
    rows = [
        InboxRow(items[row.id], search.highlight(items[row.id].body, filters.q))
        for row in ranked
        if row.id in items
    ]
    mode = "recent" if windowed else "all"
    next_cursor = encode_cursor(float(ranked[-1].rank), ranked[-1].id, mode) if more else None
    return InboxPage(rows, next_cursor, windowed=windowed)


def _ranked_ids(filters: InboxFilters, parts: list[str] | None, limit: int, recent: int | None):
    matches = search.ranked_matches(filters.q, recent=recent).subquery()
    query = select(matches.c.id, matches.c.rank)
    keyset = _rank_keyset(parts, matches.c.rank, matches.c.id)
    if keyset is not None:
        query = query.where(keyset)
    return db.session.execute(query.order_by(matches.c.rank, matches.c.id).limit(limit + 1)).all()


def _without_q(filters: InboxFilters) -> InboxFilters:
    copy = InboxFilters(**{k: getattr(filters, k) for k in filters.__dataclass_fields__})
    copy.q = search.parse("")
    return copy


COUNT_CAP = 1000


@dataclass
class StatusCounts:
    """Items per status for the tabs; `capped` statuses have more than COUNT_CAP."""

    counts: dict[FeedbackStatus, int]
    capped: set[FeedbackStatus] = field(default_factory=set)

    def __getitem__(self, status: FeedbackStatus) -> int:
        return self.counts[status]

    def label(self, status: FeedbackStatus | None = None) -> str:
        """Return a count as shown on a tab: exact, or "N+" (at least N) past the cap."""
        if status is None:
            total = sum(self.counts.values())
            return f"{total:,}+" if self.capped else f"{total:,}"
        count = self.counts[status]
        return f"{count:,}+" if status in self.capped else f"{count:,}"


def status_counts(filters: InboxFilters, user: User | None) -> StatusCounts:
    """Count the filtered items per status (the status filter itself left out).

    Unfiltered, the totals come from the table the database keeps by triggers (exact, instant).
    Filtered, at most COUNT_CAP + 1 matching rows are read: exact counts for a filter that
    matches up to COUNT_CAP items, lower bounds ("at least", shown as N+) beyond that.
    """
    others = filters.to_args(without=["status"])
    if not others:
        rows = db.session.execute(select(FeedbackStatusCount.status, FeedbackStatusCount.n))
        counts = {status: 0 for status in FeedbackStatus}
        for status, number in rows:
            counts[FeedbackStatus(status)] = max(number, 0)
        return StatusCounts(counts)
    result = StatusCounts({status: 0 for status in FeedbackStatus})
    query = apply_filters(select(Feedback.status), filters, user, with_status=False)
    statuses = None
    if filters.q and not filters.to_args(without=["q", "status"]):
        # A search alone is ranked among recent matches (unless they fill less than a page):
        # count what it shows.
        window = search.ranked_matches(filters.q, recent=search.RECENT_WINDOW).subquery()
        recent = select(Feedback.status).where(Feedback.id.in_(select(window.c.id)))
        statuses = list(db.session.scalars(recent.limit(COUNT_CAP + 1)))
        if len(statuses) <= PAGE_SIZE:
            statuses = None
    if statuses is None:
        # One bounded query: exact below the cap; past it, "at least" (shown N+).
        statuses = list(db.session.scalars(query.limit(COUNT_CAP + 1)))
    for status in statuses[:COUNT_CAP]:
        result.counts[FeedbackStatus(status)] += 1
    if len(statuses) > COUNT_CAP:
        result.capped = set(FeedbackStatus)
    return result


def neighbours(
    item: Feedback, filters: InboxFilters, user: User | None
) -> tuple[str | None, str | None]:
    """Return the references of the newer and older items around this one in the filter."""
    key = tuple_(Feedback.received_at, Feedback.id)
    here = tuple_(item.received_at, item.id)
    base = apply_filters(select(Feedback.reference), filters, user)
    newer = db.session.scalar(
        base.where(key > here).order_by(Feedback.received_at, Feedback.id).limit(1)
    )
    older = db.session.scalar(
        base.where(key < here).order_by(Feedback.received_at.desc(), Feedback.id.desc()).limit(1)
    )
    return newer, older


# ---------------------------------------------------------------------------------------------
# Items


def get_item(reference: str) -> Feedback | None:
    """Return the feedback item with this reference, with its tags loaded."""
    return db.session.scalar(
        select(Feedback)
        .where(Feedback.reference == reference.upper())
        .options(*_page_options(), selectinload(Feedback.notes))
    )


def staff_members() -> list[User]:
    """Return the active accounts feedback can be assigned to (admins and members)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([StaffRole.ADMIN, StaffRole.MEMBER]))
            .order_by(User.name, User.email)
        )
    )


def active_codes() -> list[Code]:
    """Return the codes that can be used for tagging, parents first."""
    codes = list(db.session.scalars(select(Code).where(Code.retired.is_(False))))
    return sorted(codes, key=lambda c: (c.parent.name if c.parent else c.name, c.parent_id or 0))


def _ids(items: Iterable) -> list[int]:
    return sorted(i.id for i in items)


def set_tags(
    item: Feedback,
    actor: User,
    role_ids: Iterable[int],
    theme_ids: Iterable[int],
    code_ids: Iterable[int],
) -> None:
    """Replace an item's role, theme and code tags, recording what changed."""
    roles = list(db.session.scalars(select(Role).where(Role.id.in_(list(role_ids)))))
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(list(theme_ids)))))
    codes = list(
        db.session.scalars(select(Code).where(Code.id.in_(list(code_ids)), Code.retired.is_(False)))
    )
    for name, old, new in (
        ("roles", item.roles, roles),
        ("themes", item.themes, themes),
        ("codes", item.codes, codes),
    ):
        before = sorted(x.name for x in old)
        after = sorted(x.name for x in new)
        if audit.record_change(actor, "feedback", item.id, name, before, after):
            setattr(item, name, new)
    db.session.commit()


def set_transport_mode(item: Feedback, actor: User, mode: TransportMode | None) -> None:
    """Tag the transport mode or asset an item is about (or none), recording the change."""
    if audit.record_change(actor, "feedback", item.id, "transport_mode", item.transport_mode, mode):
        item.transport_mode = mode


def set_assessment(
    item: Feedback, actor: User, sentiment: Sentiment | None, priority: Priority
) -> None:
    """Set an item's sentiment and priority."""
    if audit.record_change(actor, "feedback", item.id, "sentiment", item.sentiment, sentiment):
        item.sentiment = sentiment
    if audit.record_change(actor, "feedback", item.id, "priority", item.priority, priority):
        item.priority = priority
    db.session.commit()


def assign(item: Feedback, actor: User, assignee: User | None) -> None:
    """Assign an item to a member or admin, or to nobody."""
    if assignee is not None and assignee.role not in (StaffRole.ADMIN, StaffRole.MEMBER):
        raise TriageError("Feedback can only be assigned to Implementation Group members")
    before = item.assignee.email if item.assignee else None
    after = assignee.email if assignee else None
    if audit.record_change(actor, "feedback", item.id, "assignee", before, after):
        item.assignee = assignee
        outbox.item_assigned(item, actor, assignee)
    db.session.commit()


def can_transition(current: FeedbackStatus, new: FeedbackStatus) -> bool:
    """Say whether the workflow allows moving from one status to another."""
    return new in TRANSITIONS[current]


def change_status(
    item: Feedback,
    actor: User,
    new: FeedbackStatus,
    duplicate_of: Feedback | None = None,
    commit: bool = True,
) -> None:
    """Move an item along the workflow, refusing moves it does not allow."""
    if not can_transition(item.status, new):
        raise TriageError(f"{item.reference} cannot move from {item.status.label} to {new.label}")
    if new is FeedbackStatus.DUPLICATE:
        if duplicate_of is None:
            raise TriageError("Enter the reference of the original item")
        if duplicate_of.id == item.id:
            raise TriageError("An item cannot be a duplicate of itself")
        if duplicate_of.duplicate_of_id == item.id:
            raise TriageError(f"{duplicate_of.reference} is already a duplicate of this item")
        audit.record_change(
            actor, "feedback", item.id, "duplicate_of", None, duplicate_of.reference
        )
        item.duplicate_of = duplicate_of
    elif item.duplicate_of_id is not None:
        audit.record_change(
            actor, "feedback", item.id, "duplicate_of", item.duplicate_of.reference, None
        )
        item.duplicate_of = None
    audit.record_change(actor, "feedback", item.id, "status", item.status, new)
    item.status = new
    # The retention clock starts when an item reaches a final state and stops if it reopens.
    item.closed_at = utcnow() if new in FINAL_STATUSES else None
    if commit:
        db.session.commit()


def add_note(item: Feedback, actor: User, body: str) -> InternalNote:
    """Add an internal note (never shown publicly)."""
    body = body.strip()
    if not body:
        raise TriageError("Enter a note")
    if len(body) > 5000:
        raise TriageError("A note must be 5,000 characters or fewer")
    note = InternalNote(feedback=item, author=actor, body=body)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "feedback", item.id, "note", "internal_note", None, f"note {note.id}")
    db.session.commit()
    return note


def set_public_reply(item: Feedback, actor: User | None, reply: str) -> None:
    """Publish (or withdraw, with an empty reply) the reply shown on the tracking page."""
    reply = reply.strip()
    if len(reply) > 5000:
        raise TriageError("A reply must be 5,000 characters or fewer")
    new = reply or None
    if audit.record_change(actor, "feedback", item.id, "public_reply", item.public_reply, new):
        item.public_reply = new
        item.public_reply_at = utcnow() if new else None
        outbox.reply_published(item)  # only to an author who consented; nothing if withdrawn
    db.session.commit()


def set_quote_approval(item: Feedback, actor: User | None, approved: bool) -> None:
    """Approve an item's text for quotation on public pages, or withdraw the approval (audited).
    Only text whose author consented to be quoted can be approved. The caller commits."""
    if approved and not item.consent_to_quote:
        raise TriageError("This person did not agree to be quoted, so it cannot be approved")
    if approved and item.status in (FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE):
        raise TriageError("Spam and duplicates cannot be quoted")
    if audit.record_change(
        actor, "feedback", item.id, "quote_approved", item.quote_approved, approved
    ):
        item.quote_approved = approved
        item.quote_approved_at = utcnow() if approved else None


# ---------------------------------------------------------------------------------------------
# Bulk actions


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
    """Return the items with these ids, tags loaded, in one query."""
    id_list = sorted(set(ids))[:500]
    if not id_list:
        return []
    return list(
        db.session.scalars(
            select(Feedback).where(Feedback.id.in_(id_list)).options(*_page_options())
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
    db.session.commit()
    return result


def bulk_status(
    items: list[Feedback], actor: User, new: FeedbackStatus, duplicate_of: Feedback | None = None
) -> BulkResult:
    """Move every selected item to a status, skipping (and reporting) refused moves."""
    result = BulkResult()
    for item in items:
        try:
            change_status(item, actor, new, duplicate_of=duplicate_of, commit=False)
            result.changed += 1
        except TriageError as error:
            result.refused.append(str(error))
    db.session.commit()
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
    db.session.commit()
    return result


# ---------------------------------------------------------------------------------------------
# Similar items


_STOPWORDS = frozenset(
    """about after again also because been before being could does doing during every from
    have having here just more most much only other over same should some such than that their
    them then there these they this those through very were what when where which while with
    would your yours really think thank thanks please""".split()
)
_WORDS = re.compile(r"[a-z]{4,}")


def _word_set(body: str) -> set[str]:
    return {w for w in _WORDS.findall(body.lower()) if w not in _STOPWORDS}


def _shingles(body: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", body.lower())
    return {tuple(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}


def similarity(a: str, b: str) -> float:
    """Return how alike two texts are (0 to 1): word-triple overlap, then word overlap."""
    sa, sb = _shingles(a), _shingles(b)
    if sa and sb:
        shingle_score = len(sa & sb) / len(sa | sb)
    else:
        shingle_score = 0.0
    wa, wb = _word_set(a), _word_set(b)
    word_score = len(wa & wb) / len(wa | wb) if wa and wb else 0.0
    return max(shingle_score, word_score * 0.8)


@dataclass
class SimilarItem:
    item: Feedback
    score: float


def similar_items(item: Feedback, limit: int = 5, threshold: float = 0.3) -> list[SimilarItem]:
    """Return existing items most like this one (campaign texts, copy and paste), best first.

    The search index narrows a million items to a few dozen candidates by their rarest-looking
    words; only those are compared closely.
    """
    words = sorted(_word_set(item.body), key=len, reverse=True)[: search.MAX_TERMS]
    if not words:
        return []
    query = search.SearchQuery(raw=" ".join(words), phrases=tuple((w,) for w in words))
    matches = search.ranked_matches(query, any_term=True).subquery()
    candidates = db.session.execute(
        select(Feedback)
        .join(matches, matches.c.id == Feedback.id)
        .where(Feedback.id != item.id)
        .order_by(matches.c.rank)
        .limit(40)
    ).scalars()
    scored = [SimilarItem(c, similarity(item.body, c.body)) for c in candidates]
    scored = [s for s in scored if s.score >= threshold]
    scored.sort(key=lambda s: (-s.score, s.item.received_at))
    return scored[:limit]


# ---------------------------------------------------------------------------------------------
# Codeframe


CODE_NAME_MAX = 120  # the length of codes.name


def _code_name(name: str) -> str:
    """Return the name tidied, or raise TriageError saying what is wrong with it."""
    name = " ".join(name.split())
    if not name:
        raise TriageError("Enter a name for the code")
    if len(name) > CODE_NAME_MAX:
        raise TriageError(f"A code name must be {CODE_NAME_MAX} characters or fewer")
    return name


def create_code(actor: User, name: str, parent: Code | None = None) -> Code:
    """Add a code to the codeframe (optionally under a parent)."""
    name = _code_name(name)
    if db.session.scalar(select(Code).where(func.lower(Code.name) == name.lower())):
        raise TriageError(f"A code called {name} already exists")
    if parent is not None and parent.retired:
        raise TriageError("Choose a parent code that is in use")
    code = Code(name=name, parent=parent)
    db.session.add(code)
    db.session.flush()
    audit.record(actor, "code", code.id, "create", "name", None, name)
    db.session.commit()
    return code


def rename_code(actor: User, code: Code, name: str) -> None:
    """Rename a code; tagged items follow automatically."""
    name = _code_name(name)
    clash = db.session.scalar(
        select(Code).where(func.lower(Code.name) == name.lower(), Code.id != code.id)
    )
    if clash is not None:
        raise TriageError(f"A code called {name} already exists")
    audit.record_change(actor, "code", code.id, "name", code.name, name)
    code.name = name
    db.session.commit()


def merge_codes(actor: User, source: Code, target: Code) -> int:
    """Move every tag from `source` to `target`, retire `source`; return items moved."""
    if source.id == target.id:
        raise TriageError("Choose two different codes to merge")
    if target.retired:
        raise TriageError("Merge into a code that is in use")
    tagged = select(feedback_codes.c.feedback_id).where(feedback_codes.c.code_id == source.id)
    already = select(feedback_codes.c.feedback_id).where(feedback_codes.c.code_id == target.id)
    moved = db.session.scalar(select(func.count()).select_from(tagged.subquery())) or 0
    # Set-based, so a code on 100,000 items merges in one statement, not a Python loop.
    db.session.execute(
        insert(feedback_codes).from_select(
            ["feedback_id", "code_id"],
            select(feedback_codes.c.feedback_id, literal(target.id)).where(
                feedback_codes.c.code_id == source.id, feedback_codes.c.feedback_id.not_in(already)
            ),
        )
    )
    db.session.execute(delete(feedback_codes).where(feedback_codes.c.code_id == source.id))
    for child in db.session.scalars(select(Code).where(Code.parent_id == source.id)):
        child.parent_id = target.id
    source.retired = True
    source.merged_into_id = target.id
    audit.record(actor, "code", source.id, "merge", "merged_into", source.name, target.name)
    audit.record(actor, "code", target.id, "merge", "items", None, f"{moved} from {source.name}")
    db.session.commit()
    db.session.expire_all()
    return moved


def set_code_retired(actor: User, code: Code, retired: bool) -> None:
    """Retire a code (kept on past items, not offered for new tags) or bring it back."""
    if audit.record_change(actor, "code", code.id, "retired", code.retired, retired):
        code.retired = retired
        if not retired:
            code.merged_into_id = None
    db.session.commit()
