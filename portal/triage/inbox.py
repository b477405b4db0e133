"""The inbox: its filters (read from the query string), pages, status counts and neighbours."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import g, has_app_context
from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    any_,
    cast,
    event,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

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
from . import rows
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
    """Add the WHERE clauses for every filter that is set, a search included."""
    conditions = _conditions(filters, user, with_status)
    if filters.q:
        conditions.append(search.match_clause(filters.q))
    return query.where(*conditions) if conditions else query


def _conditions(
    filters: InboxFilters, user: User | None, with_status: bool, tokens: Iterable[str] = ()
) -> list:
    """The WHERE clauses of every filter that is set, but the search; `tokens`: the links (code,
    role, theme) the search asks the index for as tokens, which need no clause of their own."""
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
    if filters.role and "role" not in tokens:
        role_id = select(Role.id).where(Role.slug == filters.role).scalar_subquery()
        conditions.append(
            exists().where(
                feedback_roles.c.feedback_id == Feedback.id, feedback_roles.c.role_id == role_id
            )
        )
    if filters.theme and "theme" not in tokens:
        theme_id = select(Theme.id).where(Theme.slug == filters.theme).scalar_subquery()
        conditions.append(
            exists().where(
                feedback_themes.c.feedback_id == Feedback.id,
                feedback_themes.c.theme_id == theme_id,
            )
        )
    if filters.code and "code" not in tokens:
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
    return conditions


@dataclass
class InboxRow:
    """One row of the inbox: the item and, when searching, its highlighted excerpt."""

    item: rows.InboxItem
    excerpt: object


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None


def encode_cursor(*parts: object) -> str:
    """Return an opaque cursor for keyset pagination."""
    raw = "|".join(p.isoformat() if isinstance(p, datetime) else repr(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """Return a cursor's (received at, id), or None when it is missing or malformed."""
    if not cursor or len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        received, identifier = raw.split("|")
        received_at = datetime.fromisoformat(received)
    except ValueError:  # also UnicodeDecodeError and a wrong number of parts
        return None
    last_id = parse_id(identifier)
    if last_id is None or not search.valid_key(search.order_key(received_at, last_id)):
        return None  # nothing the inbox made: the first page
    return received_at, last_id


NEWEST_FIRST = (Feedback.received_at.desc(), Feedback.id.desc())


def inbox_query(
    filters: InboxFilters,
    user: User | None,
    query: Select | None = None,
    *,
    after: tuple[datetime, int] | None = None,
    with_status: bool = True,
    ordered: bool = True,
    plan: str | None = None,
    wide: bool = True,
) -> Select:
    """Return the inbox's query: every filter (a search is one of them), newest first, after
    the item `after` (received at, id) when given.

    The one place the inbox's items are selected from its filters: its pages, its status
    counts, the matches a PostgreSQL search reads once per request (`search_read`) and the
    staff export (portal/dataio) all start here. On SQLite a search drives the query from the
    search index, which lists matches newest first by itself (see `search.hits`): a page reads
    about as many matches as it shows, however common the word. On PostgreSQL a search is read
    as `plan` says (WALK or BITMAP; `search_plan` when not given); `wide`: the query reads
    whole rows (a page's), so a bitmap's matches are sorted by id and time before they are read.
    """
    query = select(Feedback) if query is None else query
    facets = _facets(filters, user) if filters.q else ()
    if facets is None:
        return query.where(false())  # a commitment, role or theme that does not exist
    # PostgreSQL keeps the tokens by triggers in the same transaction as the links (migration
    # 0013g): an item has a link's token exactly when it has the link, so asking the index for
    # the token is the whole filter ("bus" + a code: the code's 20,000 links were read and
    # hashed for its 3,570 matches, 3-5 ms).
    tokens = _indexed(filters) if facets and not search.keyed_index() else ()
    conditions = _conditions(filters, user, with_status, tokens)
    order = NEWEST_FIRST
    if filters.q and search.keyed_index():
        # A filter few items pass and spread over time (a code, an assignee) is part of the
        # search itself: FTS5 intersects the word's matches with the filter's, skipping through
        # the longer list ("bus" + a code: 1.3 s a page at a million items when each match was
        # joined to its item to test the code, a few ms now). Its condition below stays, so a
        # token the index has but the item no longer has cannot make a wrong match.
        hits = search.hits(filters.q, facets)
        # The other filters' newest and oldest items bound the walk through the matches: items
        # a filter selects are often bunched in time (closed ones are old, new ones recent), and
        # without the bound a common word's recent matches were all read and thrown away first
        # ("station" + closed: 1.9 s at a million items, 10-30 ms with it). Two index seeks.
        if conditions:
            bounds = _filter_bounds(conditions)
            if bounds is None:
                return query.where(false())  # the other filters select nothing
            conditions.append(hits.c.key.between(*bounds))
        conditions.append(Feedback.id == hits.c.id)
        # Bounds the index seeks to (the received_at conditions stay, and agree); a date past
        # what a key can hold (after 2106) needs no bound.
        if filters.date_from:
            start = search.order_key(_as_utc_start(filters.date_from))
            if search.valid_key(start):
                conditions.append(hits.c.key >= start)
        if filters.date_to:
            end = search.order_key(_as_utc_start(filters.date_to + timedelta(1)))
            if search.valid_key(end):
                conditions.append(hits.c.key < end)
        if after is not None:
            conditions.append(hits.c.key < search.order_key(*after))
        order = (hits.c.key.desc(),)
    else:
        if after is not None:
            conditions.append(tuple_(Feedback.received_at, Feedback.id) < tuple_(*after))
        if filters.q and not facets and (plan or search_plan(filters, user)) == WALK:
            conditions.append(search.checked_clause(filters.q))
        elif filters.q:
            conditions.append(search.match_clause(filters.q, facets))
            if ordered and wide:
                # Read from the search index: every match is read and sorted. Sort only their
                # ids and times, then fetch the page's rows by id, rather than sorting whole
                # rows joined to what the page loads with them ("bus" + a code: 3,570 matches,
                # 53 to 28 ms a page at a million items).
                matches = (
                    select(Feedback.id.label("id"), Feedback.received_at.label("received_at"))
                    .where(*conditions)
                    .order_by(*NEWEST_FIRST)
                    .subquery("matches")
                )
                query = query.join(matches, Feedback.id == matches.c.id)
                return query.order_by(matches.c.received_at.desc(), matches.c.id.desc())
    query = query.where(*conditions)
    return query.order_by(*order) if ordered else query


# PostgreSQL: how a search is read when the search index holds none of its filters. Either the
# newest-first walk of the items the other filters select (an index in the pages' order), each
# row checked against the search, stopping at the page's end; or the search index's bitmap of
# every match, read and sorted. The walk costs about a page over the word's share of the items
# ("bus", 18%: 280 rows; "safe space", 4%: 1,300), the bitmap as many rows as there are matches
# (40,480 for "safe space": 250-350 ms at a million items). At a share of WALK_SHARE (0.8%) the
# two cost about the same at a million items (6,400 rows walked, 8,000 matches).
#
# The share is measured near the page: the inbox walks the newest items the other filters select
# and counts matches, stopping at PROBE_MATCHES. For a single word, WORD_PROBE_ROWS of them (a
# common word is found within a few dozen rows: 0.1-0.2 ms), and when that finds fewer the
# planner's estimate decides (one EXPLAIN, nothing read, 0.5-0.65 ms of server CPU where 1,000
# rows walked in vain cost 2 ms): the column's statistics list the most common words with their
# shares, and a word they do not list is rarer than those. For two or more words, or a phrase,
# the estimate is far too low (it multiplies the words' shares as if they were independent:
# 1,488 estimated for "safe space", 40,480 found), so the probe walks PROBE_ROWS. A search with
# a filter the search index holds (a code, an assignee, a role, a theme) is always read from the
# index, which skips through the word's list using the token's.
WALK, BITMAP = "walk", "bitmap"
PROBE_ROWS = 1000
WORD_PROBE_ROWS = 200
PROBE_MATCHES = 8
WALK_SHARE = PROBE_MATCHES / PROBE_ROWS


_CACHES = ("inbox_search_plans", "inbox_search_reads")


def _request_cache(name: str) -> dict:
    """A dictionary kept for this request (a new one each call outside a request), forgotten
    whenever the session writes (see `_forget_reads`)."""
    return g.setdefault(name, {}) if has_app_context() else {}


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_reads(session: Session, *_args) -> None:
    """What a request read of a search is stale once anything is written (a bulk action shows
    the inbox again in the same request)."""
    if has_app_context():
        for name in _CACHES:
            g.pop(name, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_reads_on_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _forget_reads(state.session)


def _search_key(filters: InboxFilters, user: User | None) -> tuple:
    """What a search's plan and matches depend on: the filters but the status, and the user."""
    return (
        tuple(filters.to_args(without=["status"]).items()),
        getattr(user, "id", None),  # (a proxy for nobody in a streamed export)
    )


def search_plan(filters: InboxFilters, user: User | None) -> str:
    """WALK or BITMAP (see above) for the search in `filters`, the status filter left out: the
    page and its counts share one plan. Decided once per request."""
    plans = _request_cache("inbox_search_plans")
    key = _search_key(filters, user)
    if key not in plans:
        if _facets(filters, user) != ():
            plans[key] = BITMAP  # the filter's token is in the search index (or nothing is)
        elif len(filters.q.words) == 1:
            # A common word is found among the first few rows (0.1-0.2 ms); only a rarer one
            # costs the EXPLAIN (0.5-0.65 ms of server CPU, where the probe's 1,000 rows cost 2).
            common = _probe(filters, user, WORD_PROBE_ROWS) >= PROBE_MATCHES
            share = 1.0 if common else search.estimated_share(filters.q)
            plans[key] = WALK if share >= WALK_SHARE else BITMAP
        else:
            plans[key] = WALK if _probe(filters, user, PROBE_ROWS) >= PROBE_MATCHES else BITMAP
    return plans[key]


def _probe(filters: InboxFilters, user: User | None, rows: int) -> int:
    """How many of the newest `rows` items the filters but the status select match the search,
    counting up to PROBE_MATCHES."""
    walked = (
        select(literal_column("feedback.search_vector").label("vector"))
        .select_from(Feedback)
        .where(*_conditions(filters, user, with_status=False))
        .order_by(*NEWEST_FIRST)
        .limit(rows)
        .subquery()
    )
    found = (
        select(literal_column("1"))
        .select_from(walked)
        .where(search.checked_clause(filters.q, walked.c.vector))
        .limit(PROBE_MATCHES)
        .subquery()
    )
    return db.session.scalar(select(func.count()).select_from(found))


@dataclass
class SearchRead:
    """PostgreSQL, a search read from the index (BITMAP): what one statement read of its newest
    COUNT_CAP + 1 matches (the status filter left out) for both its page and its status counts
    (two reads of every match before: "bus" + a code, 3,570 matches read and sorted twice). The
    counts of the first COUNT_CAP of them, whether that is all of them, and the ids of the
    page's items for `page` (status, after, limit): up to limit + 1 (the last saying more
    follow), or None when the matches read do not hold the whole page."""

    counts: dict[FeedbackStatus, int]
    complete: bool
    ids: list[int] | None
    page: tuple


def search_read(
    filters: InboxFilters,
    user: User | None,
    after: tuple[datetime, int] | None = None,
    limit: int = PAGE_SIZE,
    *,
    any_page: bool = False,
) -> SearchRead:
    """A search read from the index, once per request (see `SearchRead`); `any_page`: only its
    counts are wanted."""
    cache = _request_cache("inbox_search_reads")
    key = _search_key(filters, user)
    page = (filters.status, after, limit)
    found = cache.get(key)
    if found is None or (found.page != page and not any_page):
        found = cache[key] = _read_search(filters, user, after, limit)
    return found


def _read_search(
    filters: InboxFilters, user: User | None, after: tuple[datetime, int] | None, limit: int
) -> SearchRead:
    newest = inbox_query(
        filters,
        user,
        select(Feedback.received_at, Feedback.id, Feedback.status),
        with_status=False,
        plan=BITMAP,
        wide=False,
    ).limit(COUNT_CAP + 1)
    c = newest.subquery("newest")
    order = (c.c.received_at.desc(), c.c.id.desc())
    ranked = select(c, func.row_number().over(order_by=order).label("rank")).cte("ranked")
    counted = ranked.c.rank <= COUNT_CAP
    shown = []
    if filters.status is not None:
        shown.append(ranked.c.status == filters.status)
    if after is not None:
        shown.append(tuple_(ranked.c.received_at, ranked.c.id) < tuple_(*after))
    no_time, no_id = cast(null(), Feedback.received_at.type), cast(null(), Integer)
    # Three parts: the counts per status, how many matches are past the cap (0 or 1), the page.
    statement = union_all(
        select(ranked.c.status, func.count(), no_time, no_id)
        .where(counted)
        .group_by(ranked.c.status),
        select(cast(null(), Feedback.status.type), func.count(), no_time, no_id).where(~counted),
        select(ranked.c.status, cast(null(), Integer), ranked.c.received_at, ranked.c.id)
        .where(*shown)
        .order_by(ranked.c.received_at.desc(), ranked.c.id.desc())
        .limit(limit + 1),
    )
    counts = {status: 0 for status in FeedbackStatus}
    complete, ids = True, []
    for status, number, _, id_ in db.session.execute(statement):
        if id_ is not None:
            ids.append(id_)
        elif status is None:
            complete = not number
        else:
            counts[FeedbackStatus(status)] = number
    whole = complete or len(ids) > limit
    return SearchRead(counts, complete, ids if whole else None, (filters.status, after, limit))


# The filters looked up in the search index with the words (see `_facets`). On PostgreSQL not
# the commitment: its own index walked newest first serves a search with it better (a
# commitment holds about 7% of the items), and with it the planner combined the two indexes
# instead (22 to 170-300 ms a page at a million items).
INDEXED_FILTERS = {
    "sqlite": ("assignee", "commitment", "code", "role", "theme"),
    "postgresql": ("assignee", "code", "role", "theme"),
}


def _indexed(filters: InboxFilters) -> dict[str, object]:
    """The filters set that the search index on this database also holds (see `_facets`)."""
    values = {
        "assignee": filters.assignee if filters.assignee != "none" else None,
        "commitment": filters.commitment if filters.commitment != "none" else None,
        "code": filters.code,
        "role": filters.role,
        "theme": filters.theme,
    }
    names = INDEXED_FILTERS.get(db.engine.dialect.name, ())
    return {name: values[name] for name in names if values[name]}


def _facets(filters: InboxFilters, user: User | None) -> tuple[str, ...] | None:
    """The search index's tokens for the filters set that it holds (see `search.facet`), or
    None when a commitment, role or theme named does not exist."""
    facets = []
    models = {"commitment": Commitment, "role": Role, "theme": Theme}
    for name, value in _indexed(filters).items():
        if name == "assignee":
            identifier = user.id if value == "me" and user is not None else parse_id(str(value))
        elif name == "code":
            identifier = value
        else:
            model = models[name]
            identifier = db.session.scalar(select(model.id).where(model.slug == value))
            if identifier is None:
                return None
        if identifier is not None:
            facets.append(search.facet(name, identifier))
    return tuple(facets)


def _filter_bounds(conditions: list) -> tuple[int, int] | None:
    """Return the search index keys bounding the items the (non-search) conditions select, or
    None when they select nothing. A key counts whole seconds, then the id: the bounds take in
    the whole first and last second, since within one second ids need not follow the times."""
    base = select(Feedback.received_at, Feedback.id).where(*conditions).limit(1)
    newest = db.session.execute(base.order_by(*NEWEST_FIRST)).first()
    if newest is None:
        return None
    oldest = db.session.execute(base.order_by(Feedback.received_at, Feedback.id)).one()
    return search.order_key(oldest.received_at), search.order_key(
        newest.received_at
    ) + search.ID_MASK


def inbox_page(
    filters: InboxFilters,
    user: User | None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    known: dict[str, list[rows.Choice]] | None = None,
) -> InboxPage:
    """Return one page of the inbox, newest first, after `cursor` (a keyset: every item that
    matches, with or without a search, is reached by following the pages). `known`: the page's
    `rows.choices()`, when already read (commitment titles and assignee names)."""
    after = decode_cursor(cursor)
    ids = None
    if filters.q and not search.keyed_index() and search_plan(filters, user) == BITMAP:
        ids = search_read(filters, user, after, limit).ids
    if ids is None:
        query = inbox_query(filters, user, rows.item_columns(), after=after)
    elif not ids:
        return InboxPage([], None)
    else:
        # One array parameter: 51 listed ids were a statement psycopg parsed again each time.
        chosen = Feedback.id == any_(literal(ids, ARRAY(Integer)))
        query = rows.item_columns().where(chosen).order_by(*NEWEST_FIRST)
    items, more = rows.load_page(query, limit, known)
    next_cursor = encode_cursor(items[-1].received_at, items[-1].id) if more else None
    return InboxPage([InboxRow(i, search.highlight(i.body, filters.q)) for i in items], next_cursor)


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


# PostgreSQL, a search read by walking (see `search_plan`): its counts read at most this many of
# the newest items the other filters select. Each row read is an item's search column read and
# checked (3-5 us at a million items: 2,000 rows are 6-10 ms); counting up to COUNT_CAP matches
# in the pages' order instead read 5,500 rows for "bus" (18% of the items) and 25,000 for
# "safe space" (4%), and any other order reads a bitmap of every match first.
COUNT_WINDOW = 2000


def _walked_statuses(filters: InboxFilters, user: User | None) -> tuple[list, bool]:
    """A walked search's matches among the newest COUNT_WINDOW items the other filters select
    (their statuses, newest first, up to COUNT_CAP + 1), and whether that may not be all."""
    # The newest COUNT_WINDOW + 1 items, numbered; the last one only says whether the window
    # held them all (it is never counted).
    number = func.row_number().over(order_by=NEWEST_FIRST).label("number")
    walked = (
        select(Feedback.status, literal_column("feedback.search_vector").label("vector"), number)
        .where(*_conditions(filters, user, with_status=False))
        .order_by(*NEWEST_FIRST)
        .limit(COUNT_WINDOW + 1)
        .subquery()
    )
    matched = search.checked_clause(filters.q, walked.c.vector)
    found = db.session.execute(
        select(walked.c.status, walked.c.number)
        .where(or_(matched, walked.c.number > COUNT_WINDOW))
        .limit(COUNT_CAP + 2)
    ).all()
    statuses = [status for status, n in found if n <= COUNT_WINDOW]
    return statuses, len(statuses) < len(found) or len(statuses) > COUNT_CAP


def status_counts(filters: InboxFilters, user: User | None) -> StatusCounts:
    """Count the filtered items per status (the status filter itself left out).

    Unfiltered, the totals come from the table the database keeps by triggers (exact, instant).
    Filtered, at most COUNT_CAP + 1 matching rows are read: exact counts for a filter that
    matches up to COUNT_CAP items, lower bounds ("at least", shown as N+) beyond that. On
    PostgreSQL a search read from the index is counted from the one read its page is taken
    from (`search_read`), and a walked one (a common word or phrase) among the newest
    COUNT_WINDOW items the other filters select: exact when that is all of them, lower bounds
    otherwise (a bitmap of every match would be read first to count in any other order).
    """
    others = filters.to_args(without=["status"])
    if not others:
        totals = db.session.execute(select(FeedbackStatusCount.status, FeedbackStatusCount.n))
        counts = {status: 0 for status in FeedbackStatus}
        for status, number in totals:
            counts[FeedbackStatus(status)] = max(number, 0)
        return StatusCounts(counts)
    result = StatusCounts({status: 0 for status in FeedbackStatus})
    plan = search_plan(filters, user) if filters.q and not search.keyed_index() else None
    if plan == BITMAP:
        read = search_read(filters, user, any_page=True)
        result.counts.update(read.counts)
        capped = not read.complete
    else:
        if plan == WALK:
            statuses, capped = _walked_statuses(filters, user)
        else:
            # One bounded query: exact below the cap; past it, "at least" (shown N+).
            query = inbox_query(
                filters, user, select(Feedback.status), with_status=False, ordered=False
            )
            statuses = list(db.session.scalars(query.limit(COUNT_CAP + 1)))
            capped = len(statuses) > COUNT_CAP
        for status in statuses[:COUNT_CAP]:
            result.counts[FeedbackStatus(status)] += 1
    if capped:
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
