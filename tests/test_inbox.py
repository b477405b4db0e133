"""The inbox's one query: every filter, a search among them, newest first; every match reached
by paging (with or without a search, with or without other filters); counts capped honestly."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import event, select, text

from portal.dataio import export
from portal.extensions import db
from portal.models import Commitment, Feedback, FeedbackStatus, Role, Theme, User
from portal.search import fulltext as search
from portal.triage import codeframe, inbox, service

from . import factories
from .conftest import login

S = FeedbackStatus
BASE = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ("bus", "station", "ferry", "tunnel")


@pytest.fixture
def member(app_ctx, make_user) -> User:
    return db.session.get(User, make_user("member"))


@pytest.fixture
def corpus(member, make_user):
    """Forty items over forty days, some received at the same moment (ties broken by id), with
    words, statuses, commitments, codes and assignees spread so that every filter picks some."""
    other = db.session.get(User, make_user("admin"))
    commitments = list(db.session.scalars(select(Commitment).order_by(Commitment.id).limit(2)))
    code = service.create_code(member, "Lighting")
    items = []
    for n in range(40):
        words = " ".join(w for i, w in enumerate(WORDS) if n % (i + 2) == 0) or "nothing"
        # Every third item shares its moment with the one before it.
        received = BASE + timedelta(days=n - (n % 3 == 2))
        commitment = commitments[n % 2].id if n % 5 else None
        item = factories.feedback(
            f"Item {n} about {words}", received_at=received, commitment=commitment
        )
        if n % 3 == 1:
            service.change_status(item, member, S.IN_REVIEW)
        if n % 3 == 0:
            service.set_tags(item, member, [], [], [code.id])
        if n % 6 == 0:
            service.assign(item, member, other)
        items.append(item)
    db.session.commit()
    return {"items": items, "code": code, "other": other, "commitments": commitments}


def walk(filters, user, limit=4) -> list[int]:
    seen, cursor = [], None
    for _ in range(100):
        page = service.inbox_page(filters, user, cursor, limit=limit)
        assert len(page.rows) <= limit
        seen += [row.item.id for row in page.rows]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor
    raise AssertionError("paging did not end")


def new_request() -> None:
    """Forget what this request read of a search (its plan and its matches), as a new request
    would: the inbox reads a search once per request."""
    for name in ("inbox_search_plans", "inbox_search_reads"):
        g.pop(name, None)


def expected(items, keep) -> list[int]:
    chosen = [db.session.get(Feedback, i.id) for i in items]
    chosen = [i for i in chosen if keep(i)]
    return [i.id for i in sorted(chosen, key=lambda i: (i.received_at, i.id), reverse=True)]


def mentions(word):
    return lambda item: re.search(rf"\b{word}\b", item.body) is not None


@pytest.fixture(params=["whole", "short"])
def read(request, monkeypatch):
    """PostgreSQL reads a search's newest matches once for its page and its counts; "short": so
    few (COUNT_CAP, COUNT_WINDOW) that most pages are not among them and are read on their own."""
    if request.param == "short":
        monkeypatch.setattr(inbox, "COUNT_CAP", 2)
        monkeypatch.setattr(inbox, "COUNT_WINDOW", 5)
    return request.param


@pytest.mark.parametrize("word", WORDS)
def test_a_search_alone_reaches_every_match_newest_first(corpus, member, word, plan, read):
    filters = service.InboxFilters.from_args({"q": word})
    seen = walk(filters, member)
    assert seen == expected(corpus["items"], mentions(word))
    assert len(seen) == len(set(seen)) and seen


FILTERS = {
    "status": ({"status": "in_review"}, lambda i, c: i.status is S.IN_REVIEW),
    "commitment": (
        {"commitment": "<first>"},
        lambda i, c: i.commitment_id == c["commitments"][0].id,
    ),
    "no commitment": ({"commitment": "none"}, lambda i, c: i.commitment_id is None),
    "code": ({"code": "<code>"}, lambda i, c: c["code"] in i.codes),
    "date range": (
        {"from": "2026-01-05", "to": "2026-01-20"},
        lambda i, c: (
            datetime(2026, 1, 5) <= i.received_at.replace(tzinfo=None) < datetime(2026, 1, 21)
        ),
    ),
    "assignee": ({"assignee": "<other>"}, lambda i, c: i.assignee_id == c["other"].id),
    "nobody assigned": ({"assignee": "none"}, lambda i, c: i.assignee_id is None),
    "two filters": (
        {"status": "new", "from": "2026-01-10"},
        lambda i, c: (
            i.status is S.NEW and i.received_at.replace(tzinfo=None) >= datetime(2026, 1, 10)
        ),
    ),
}


def resolve(args: dict, corpus) -> dict:
    values = {
        "<first>": corpus["commitments"][0].slug,
        "<code>": str(corpus["code"].id),
        "<other>": str(corpus["other"].id),
    }
    return {k: values.get(v, v) for k, v in args.items()}


@pytest.mark.parametrize("word", ["bus", "ferry"])
def test_a_search_with_any_filter_reaches_every_match(corpus, member, word, plan, read):
    for name, (args, keep) in FILTERS.items():
        filters = service.InboxFilters.from_args({**resolve(args, corpus), "q": word})
        assert not filters.errors, name
        want = expected(corpus["items"], lambda i: mentions(word)(i) and keep(i, corpus))  # noqa: B023
        assert want, f"the corpus should give {name} some matches"
        assert walk(filters, member) == want, name
        # Without the search, the same filter walks its items in the same order.
        plain = service.InboxFilters.from_args(resolve(args, corpus))
        assert walk(plain, member, limit=7) == expected(
            corpus["items"],
            lambda i: keep(i, corpus),  # noqa: B023
        ), name


def test_a_search_that_matches_nothing_with_a_filter_is_empty(corpus, member):
    filters = service.InboxFilters.from_args({"q": "hovercraft", "status": "new"})
    page = service.inbox_page(filters, member)
    assert page.rows == [] and page.next_cursor is None
    assert service.status_counts(filters, member).label() == "0"


def test_a_search_with_a_filter_that_selects_nothing_is_empty(corpus, member):
    # The word matches items, but no item has this status: the search is not even walked.
    filters = service.InboxFilters.from_args({"q": "bus", "status": "spam"})
    page = service.inbox_page(filters, member)
    assert page.rows == [] and page.next_cursor is None
    counts = service.status_counts(filters, member)
    assert counts[S.SPAM] == 0 and counts.label() != "0"  # the other tabs count the word's matches


def test_a_search_with_a_filter_keeps_matches_whose_ids_run_against_their_times(app_ctx, member):
    # Within one second ids need not follow the times (a submission stamped before it waited for
    # the write lock, an import with fractions of a second): the filter's first and last items
    # are still found by a search combined with it.
    closed = {"received_at": BASE + timedelta(0, 0.9), "status": S.CLOSED}
    later = factories.feedback("The station lift is broken", **closed)
    closed["received_at"] = BASE + timedelta(0, 0.1)
    earlier = factories.feedback("The station is dark", **closed)
    plain = factories.feedback("The station clock is wrong", received_at=BASE + timedelta(1))
    db.session.commit()
    assert earlier.id > later.id
    filters = service.InboxFilters.from_args({"q": "station", "status": "closed"})
    assert sorted(walk(filters, member)) == sorted([later.id, earlier.id])
    assert plain.id not in walk(service.InboxFilters.from_args({"status": "closed"}), member)
    assert service.status_counts(filters, member)[S.CLOSED] == 2


def test_a_search_with_a_filter_follows_every_change_to_the_items(corpus, member):
    """On SQLite a search with a code, assignee, commitment, role or theme asks the search index
    for the filter's token (migration 0013g); the index must follow every way an item gains or
    loses one: tagging, assigning, a new commitment, codes merged or deleted, the text edited,
    the item deleted. After each change, search + filter lists what the items say."""
    items, other, code = corpus["items"], corpus["other"], corpus["code"]
    first, second = corpus["commitments"]
    role, theme = (
        db.session.scalars(select(Role).limit(1)).one(),
        db.session.scalars(select(Theme).limit(1)).one(),
    )
    spare = service.create_code(member, "Seating")
    checks = {
        "code": ({"code": str(code.id)}, lambda i: code in i.codes),
        "spare code": ({"code": str(spare.id)}, lambda i: spare in i.codes),
        "assignee": ({"assignee": str(other.id)}, lambda i: i.assignee_id == other.id),
        "me": ({"assignee": "me"}, lambda i: i.assignee_id == member.id),
        "commitment": ({"commitment": first.slug}, lambda i: i.commitment_id == first.id),
        "other commitment": ({"commitment": second.slug}, lambda i: i.commitment_id == second.id),
        "role": ({"role": role.slug}, lambda i: role in i.roles),
        "theme": ({"theme": theme.slug}, lambda i: theme in i.themes),
        "two": (
            {"code": str(code.id), "assignee": str(other.id)},
            lambda i: code in i.codes and i.assignee_id == other.id,
        ),
    }

    def facets(item):
        tokens = {"xa": [item.assignee_id], "xm": [item.commitment_id]}
        tokens |= {"xc": [c.id for c in item.codes], "xr": [r.id for r in item.roles]}
        tokens["xt"] = [t.id for t in item.themes]
        return sorted(f"{p}{i}" for p, ids in tokens.items() for i in ids if i is not None)

    def agree(step):
        db.session.flush()
        db.session.expire_all()
        alive = [i for i in items if db.session.get(Feedback, i.id) is not None]
        if search.keyed_index():  # SQLite: the index holds exactly each item's tokens
            indexed = dict(db.session.execute(text("SELECT rowid, facets FROM feedback_fts")).all())
            assert {search.order_key(i.received_at, i.id) for i in alive} == set(indexed), step
            for item in alive:
                key = search.order_key(item.received_at, item.id)
                assert sorted((indexed[key] or "").split()) == facets(item), (step, item.id)
        else:  # PostgreSQL: the column the faceted search index is built on
            rows = db.session.execute(text("SELECT id, search_facets::text FROM feedback"))
            indexed = {i: sorted(re.findall(r"'([^']+)'", v)) for i, v in rows}
            for item in alive:
                assert indexed[item.id] == facets(item), (step, item.id)
        for name, (args, keep) in checks.items():
            for word in ("bus", "ferry", "lift"):
                filters = service.InboxFilters.from_args({**args, "q": word})
                want = expected(alive, lambda i: mentions(word)(i) and keep(i))  # noqa: B023
                assert walk(filters, member) == want, (step, name, word)

    agree("as made")
    bus = [db.session.get(Feedback, i) for i in expected(items, mentions("bus"))]
    service.set_tags(bus[0], member, [role.id], [theme.id], [code.id, spare.id])
    service.set_tags(bus[1], member, [role.id], [], [spare.id])
    service.assign(bus[2], member, member)
    service.assign(bus[3], member, other)
    agree("tagged and assigned")
    service.set_tags(bus[0], member, [], [theme.id], [spare.id])  # a code and a role removed
    service.assign(bus[3], member, None)
    service.assign(bus[2], member, other)  # from one member to another
    bus[4].commitment_id = second.id if bus[4].commitment_id == first.id else first.id
    agree("untagged, reassigned, moved")
    codeframe.merge_codes(member, spare, code)  # links inserted and deleted in bulk
    agree("codes merged")
    bus[5].body = "Nothing about it any more, only the lift"
    bus[6].body = bus[6].body + " and the lift"
    agree("text edited")
    db.session.delete(bus[1])
    db.session.delete(code)  # its links go by cascade
    agree("item and code deleted")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        inbox.encode_cursor(-3.5, 12, "all"),  # a best-match cursor from before: ignored
        inbox.encode_cursor(1.5, 12),
        inbox.encode_cursor("2026-01-01", "x"),
        inbox.encode_cursor(datetime(1, 1, 1), 5),  # out of the years the portal handles
        inbox.encode_cursor(BASE, 10**30),  # no such id: larger than the database holds
        inbox.encode_cursor(BASE, -4),
        "A" * 201,
    ],
)
def test_a_bad_or_old_cursor_shows_the_first_page(corpus, member, cursor):
    filters = service.InboxFilters.from_args({"q": "bus"})
    first = service.inbox_page(filters, member, limit=4)
    again = service.inbox_page(filters, member, cursor, limit=4)
    assert [r.item.id for r in again.rows] == [r.item.id for r in first.rows]


@pytest.fixture(params=["walk", "bitmap"])
def plan(request, monkeypatch):
    """Every search without index tokens read one way: walking the newest items and checking each
    (PostgreSQL's plan for a common word or phrase) or from the search index's bitmap."""
    chosen = {"walk": inbox.WALK, "bitmap": inbox.BITMAP}[request.param]
    monkeypatch.setattr(inbox, "search_plan", lambda *args, **kwargs: chosen)
    return chosen


def test_counts_are_the_same_whichever_way_the_search_is_read(corpus, member, monkeypatch, plan):
    for args in ({"q": "bus"}, {"q": "ferry", "status": "new"}, {"q": "bus", "assignee": "none"}):
        filters = service.InboxFilters.from_args(args)
        keep = mentions(args["q"])
        if "assignee" in args:
            keep = lambda i, m=keep: m(i) and i.assignee_id is None  # noqa: E731
        matches = [db.session.get(Feedback, i) for i in expected(corpus["items"], keep)]
        counts = service.status_counts(filters, member)
        assert counts.label() == str(len(matches)), args
        for status in S:
            assert counts[status] == sum(i.status is status for i in matches), (args, status)
        monkeypatch.setattr(inbox, "COUNT_CAP", 3)
        new_request()
        assert service.status_counts(filters, member).label() == "3+"
        monkeypatch.setattr(inbox, "COUNT_CAP", 1000)
        new_request()


@pytest.mark.parametrize("phrase", ['"bus station"', '"station bus"', '"ferry" tunnel'])
def test_a_phrase_reaches_every_match_whichever_way_it_is_read(corpus, member, plan, phrase):
    # "bus station" is in every sixth item (both words, in that order); "station bus" in none,
    # though both words are: the walk checks the phrase itself, not only its words.
    if phrase == '"bus station"':
        keep = lambda i: "bus station" in i.body  # noqa: E731
    elif phrase == '"station bus"':
        keep = lambda i: False  # noqa: E731
    else:
        keep = lambda i: mentions("ferry")(i) and mentions("tunnel")(i)  # noqa: E731
    want = expected(corpus["items"], keep)
    assert walk(service.InboxFilters.from_args({"q": phrase}), member) == want
    new = [i for i in want if db.session.get(Feedback, i).status is S.NEW]
    assert walk(service.InboxFilters.from_args({"q": phrase, "status": "new"}), member) == new
    counts = service.status_counts(service.InboxFilters.from_args({"q": phrase}), member)
    assert counts.label() == str(len(want))


def test_a_walked_search_counts_the_newest_items_and_says_the_count_is_a_lower_bound(
    corpus, member, monkeypatch
):
    # PostgreSQL counts a search it walks among the newest COUNT_WINDOW items the other filters
    # select; past them the count is "at least". SQLite's search index needs no window.
    monkeypatch.setattr(inbox, "search_plan", lambda *args, **kwargs: inbox.WALK)
    monkeypatch.setattr(inbox, "COUNT_WINDOW", 10)
    matches = expected(corpus["items"], mentions("bus"))
    newest = expected(corpus["items"], lambda i: True)[:10]
    filters = service.InboxFilters.from_args({"q": "bus"})
    counts = service.status_counts(filters, member)
    if db.engine.dialect.name == "postgresql":
        assert counts.label() == f"{len(set(matches) & set(newest))}+" == "5+"
        assert all(counts.label(s).endswith("+") for s in S)
    else:
        assert counts.label() == str(len(matches))
    # Every match is still reached by paging.
    assert walk(filters, member) == matches
    # A window holding every item the filters select: exact.
    monkeypatch.setattr(inbox, "COUNT_WINDOW", 40)
    new_request()
    assert service.status_counts(filters, member).label() == str(len(matches))


def test_the_plan_follows_the_estimate_for_a_word_and_the_share_measured_for_a_phrase(
    corpus, member, monkeypatch
):
    """PostgreSQL walks a search that matches often enough (WALK_SHARE) and reads a rarer one from
    the search index. For a single word a short probe of the newest items (WORD_PROBE_ROWS) or,
    when it finds few, the planner's estimate says how often (one EXPLAIN); for
    words that go together it is far too low, so the share is measured near the page
    (PROBE_MATCHES among the newest PROBE_ROWS items). A filter the index holds as a token (a
    code) is always read from the index. The status filter plays no part: the page and its counts
    share one plan. SQLite's search index lists matches newest first by itself: it never asks."""

    def plan_for(raw: str, **args) -> str:
        new_request()
        return inbox.search_plan(service.InboxFilters.from_args({"q": raw, **args}), member)

    if db.engine.dialect.name != "postgresql":
        monkeypatch.setattr(inbox, "search_plan", None)  # calling it would fail
        assert walk(service.InboxFilters.from_args({"q": '"bus station"'}), member)
        assert service.status_counts(service.InboxFilters.from_args({"q": "bus"}), member)
        return
    db.session.execute(text("ANALYZE feedback"))
    share = search.estimated_share(search.parse("bus"))
    assert 0.25 < share < 0.75  # 20 of the 40 items
    assert search.estimated_share(search.parse("hovercraft")) < 0.05
    assert plan_for("bus") == inbox.WALK
    assert plan_for("bus", status="spam") == inbox.WALK
    # A single word: found often among the newest few items, a walk with nothing estimated;
    # otherwise the estimate, never the long probe.
    monkeypatch.setattr(search, "estimated_share", None)  # calling it would fail
    assert plan_for("bus") == inbox.WALK
    monkeypatch.setattr(inbox, "WORD_PROBE_ROWS", 6)  # 3 of the newest 6 say "bus"
    monkeypatch.setattr(search, "estimated_share", lambda query: 0.001)
    assert plan_for("bus") == inbox.BITMAP
    monkeypatch.setattr(search, "estimated_share", lambda query: 0.5)
    monkeypatch.setattr(inbox, "PROBE_ROWS", 0)  # the long probe would find nothing
    assert plan_for("hovercraft") == inbox.WALK
    monkeypatch.setattr(inbox, "PROBE_ROWS", 1000)
    # Words that go together: measured, never estimated.
    monkeypatch.setattr(search, "estimated_share", None)  # calling it would fail
    monkeypatch.setattr(inbox, "PROBE_MATCHES", 5)
    assert plan_for('"bus station"') == inbox.WALK  # 7 of the 40 items
    assert plan_for("bus station") == inbox.WALK
    assert plan_for('"station bus"') == inbox.BITMAP
    assert plan_for('"bus station"', status="spam") == inbox.WALK
    # Near the page: among the newest 6 items only one says "bus station".
    monkeypatch.setattr(inbox, "PROBE_ROWS", 6)
    assert plan_for('"bus station"') == inbox.BITMAP
    # A code: its token and the words from the index, nothing estimated or measured.
    assert plan_for("bus", code=str(corpus["code"].id)) == inbox.BITMAP
    # Decided once per request.
    filters = service.InboxFilters.from_args({"q": '"bus station"'})
    assert plan_for('"bus station"') == inbox.BITMAP
    monkeypatch.setattr(inbox, "PROBE_ROWS", 1000)
    assert inbox.search_plan(filters, member) == inbox.BITMAP
    new_request()
    assert inbox.search_plan(filters, member) == inbox.WALK


def test_counts_with_a_search_are_exact_below_the_cap_and_say_so_above(corpus, member, monkeypatch):
    filters = service.InboxFilters.from_args({"q": "bus"})
    matches = [db.session.get(Feedback, i) for i in expected(corpus["items"], mentions("bus"))]
    counts = service.status_counts(filters, member)
    assert counts.label() == str(len(matches))
    assert counts[S.IN_REVIEW] == sum(i.status is S.IN_REVIEW for i in matches)
    monkeypatch.setattr(inbox, "COUNT_CAP", 5)
    new_request()
    capped = service.status_counts(filters, member)
    assert capped.label() == "5+" and sum(capped.counts.values()) == 5
    assert all(capped.label(s).endswith("+") for s in S)


def test_export_lists_what_the_inbox_lists(corpus, member):
    filters = service.InboxFilters.from_args({"q": "bus", "status": "new"})
    exported = [row[0] for row in db.session.execute(export.export_query(filters, member, False))]
    assert exported == walk(filters, member)


def test_inbox_over_http_pages_a_search_with_a_filter(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        made = [
            factories.feedback(f"Ferry note {n}", received_at=BASE + timedelta(hours=n)).id
            for n in range(60)
        ]
        factories.feedback("A bus note", received_at=BASE)
    seen, url = [], "/triage?q=ferry&status=new"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "newest first" in html and "best match" not in html
        seen += [int(v) for v in re.findall(r'name="ids" value="(\d+)"', html)]
        link = re.search(r'rel="next" href="([^"]+)"', html)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert seen == made[::-1]
    assert "All (60)" in client.get("/triage?q=ferry").get_data(as_text=True)


@pytest.mark.parametrize(
    "dates",
    [
        {"from": "1900-01-01", "to": "2199-12-31"},
        {"from": "2199-01-01"},
        {"to": "1900-01-01"},
    ],
)
def test_a_search_with_dates_at_the_ends_of_the_years_allowed(corpus, member, client, dates):
    filters = service.InboxFilters.from_args({"q": "bus", **dates})
    assert not filters.errors
    keep = {
        "from": lambda i: i.received_at.year >= int(dates["from"][:4]),
        "to": lambda i: i.received_at.year <= int(dates["to"][:4]),
    }
    want = expected(
        corpus["items"],
        lambda i: mentions("bus")(i) and all(keep[k](i) for k in dates),
    )
    assert walk(filters, member, limit=10) == want
    assert login(client, member.email).status_code == 303
    response = client.get("/triage", query_string={"q": "bus", **dates})
    assert response.status_code == 200


def statements_of(action) -> list[str]:
    """The SQL statements `action()` runs."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


@pytest.mark.parametrize(
    "args",
    [
        {"q": "bus"},
        {"q": "bus", "status": "in_review"},
        {"q": "ferry", "code": "<code>"},
        {"q": '"bus station"', "status": "new"},
    ],
)
def test_a_search_page_and_its_counts_read_the_matches_once(corpus, member, args, plan):
    """PostgreSQL reads a search it takes from the index (BITMAP) once per request for its page
    and its status counts, in one statement (they were two reads of every match); a walked one
    is two short reads, the page's walk and the newest COUNT_WINDOW items for the counts. The
    plan itself is decided once (see the test above). SQLite reads its search index for each."""
    filters = service.InboxFilters.from_args(resolve(args, corpus))
    new_request()
    found = statements_of(
        lambda: (service.inbox_page(filters, member), service.status_counts(filters, member))
    )
    searched = [s for s in found if "search_vector" in s or "feedback_fts" in s]
    page = service.inbox_page(filters, member)
    want = expected(
        corpus["items"],
        lambda i: (
            all(mentions(w)(i) for w in search.parse(args["q"]).words)
            and (i.status.value == args["status"] if "status" in args else True)
            and (corpus["code"] in i.codes if "code" in args else True)
            and ("bus station" in i.body if '"' in args["q"] else True)
        ),
    )
    assert [r.item.id for r in page.rows] == want[:50]
    if db.engine.dialect.name != "postgresql":
        assert len(searched) == 2
        return
    reads = [s for s in searched if s.startswith("WITH ranked")]
    if plan == inbox.BITMAP:  # (as a code always is)
        assert len(reads) == len(searched) == 1, searched
    else:
        assert not reads and len(searched) == 2, searched


def test_a_rare_word_with_a_status_reaches_matches_older_than_any_window(
    app_ctx, member, monkeypatch, plan
):
    # The word is only in the oldest items, long before the newest hundred; with a status
    # filter, and with the read of the newest matches short, every page is still reached.
    old = [
        factories.feedback(
            f"A hovercraft note {n}",
            received_at=BASE + timedelta(hours=n),
            status=S.NEW if n % 2 else S.CLOSED,
        )
        for n in range(9)
    ]
    for n in range(100):
        factories.feedback(f"Newer note {n}", received_at=BASE + timedelta(days=10, hours=n))
    db.session.commit()
    monkeypatch.setattr(inbox, "COUNT_WINDOW", 20)
    filters = service.InboxFilters.from_args({"q": "hovercraft", "status": "closed"})
    assert walk(filters, member, limit=2) == [i.id for i in old[::2]][::-1]
    counts = service.status_counts(filters, member)
    if db.engine.dialect.name == "postgresql" and plan == inbox.WALK:
        assert counts.label() == "0+"  # none among the newest 20: at least none, honestly
    else:
        assert counts.label() == "9" and counts[S.CLOSED] == 5


def test_a_word_with_a_code_reaches_matches_spread_over_time(app_ctx, member, monkeypatch):
    # A code on every seventh item, the word on every other: their matches are spread over the
    # whole time, and more of them than the read of the newest matches holds.
    code = service.create_code(member, "Lighting")
    made = []
    for n in range(70):
        item = factories.feedback(
            f"Note {n}" + (" about the bus" if n % 2 else ""),
            received_at=BASE + timedelta(hours=n),
        )
        if n % 7 == 0:
            service.set_tags(item, member, [], [], [code.id])
        made.append(item)
    db.session.commit()
    want = [i.id for i in made if i.id and "bus" in i.body and code in i.codes][::-1]
    assert len(want) == 5
    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    filters = service.InboxFilters.from_args({"q": "bus", "code": str(code.id)})
    assert walk(filters, member, limit=2) == want
    new_request()
    counts = service.status_counts(filters, member)
    assert counts.label() == "3+" and sum(counts.counts.values()) == 3
    monkeypatch.setattr(inbox, "COUNT_CAP", 1000)
    new_request()
    assert service.status_counts(filters, member).label() == "5"


def test_a_search_read_in_a_request_is_read_again_after_a_change(corpus, member):
    # A bulk action changes items and shows the inbox again in the same request: what the
    # request read of the search before the change is not used after it.
    filters = service.InboxFilters.from_args({"q": "bus", "code": str(corpus["code"].id)})
    new_request()
    before = service.status_counts(filters, member)
    first = service.inbox_page(filters, member).rows[0].item
    assert first.status is S.NEW
    service.change_status(db.session.get(Feedback, first.id), member, S.IN_REVIEW)
    db.session.flush()
    after = service.status_counts(filters, member)
    assert after[S.NEW] == before[S.NEW] - 1 and after[S.IN_REVIEW] == before[S.IN_REVIEW] + 1
    assert service.inbox_page(filters, member).rows[0].item.status is S.IN_REVIEW
