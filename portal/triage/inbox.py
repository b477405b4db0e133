"""The inbox: its filters (read from the query string), pages, status counts and neighbours."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, exists, or_, select, tuple_

from ..extensions import db
from ..inputs import parse_date_range, parse_id
from ..models import (
    Channel,
    Commitment,
    ContactDetails,
    Feedback,
    FeedbackStatus,
    FeedbackStatusCount,
    Locality,
    Role,
    StakeholderType,
    Theme,
    TransportMode,
    User,
    feedback_codes,
    feedback_roles,
    feedback_themes,
)
from ..search import fulltext as search
from ..search.lookup import item_options as page_options
from .workflow import OPEN_STATUSES  # noqa: F401

PAGE_SIZE = 50


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
        # The GOV.UK date inputs (from-day, from-month, from-year); links made before them (and
        # the inbox's own paging links) carry from=YYYY-MM-DD.
        received = parse_date_range(args, ("Received from", "Received to"))
        filters.date_from, filters.date_to = received.start, received.end
        filters.typed.update(received.typed)
        filters.errors.update(received.errors)
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
    result = db.session.execute(query.options(*page_options()).limit(limit + 1)).all()
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
            .options(*page_options())
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
