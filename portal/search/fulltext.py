"""Full-text search over feedback: SQLite FTS5 or PostgreSQL tsvector, ranked, highlighted.

Notes search its published versions with the same query parser (`parse`, `tsquery_sql`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from markupsafe import Markup, escape
from sqlalchemy import Float, Select, cast, column, func, literal_column, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Feedback

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12


@dataclass(frozen=True)
class SearchQuery:
    """A person's search, parsed into quoted phrases and single words."""

    raw: str
    phrases: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> list[str]:
        return [w for phrase in self.phrases for w in phrase]

    def __bool__(self) -> bool:
        return bool(self.phrases)


def parse(raw: str | None) -> SearchQuery:
    """Split a search box into phrases ("in quotes") and words; drop punctuation."""
    raw = (raw or "").strip()[:200]
    phrases: list[tuple[str, ...]] = []
    for quoted, bare in _TOKEN.findall(raw):
        words = tuple(w.lower() for w in _WORD.findall(quoted or bare))
        if words:
            phrases.append(words)
    return SearchQuery(raw=raw, phrases=tuple(phrases[:MAX_TERMS]))


def _fts5_expression(query: SearchQuery, operator: str = " ") -> str:
    # Every term is a quoted FTS5 string, so no user text is ever read as FTS5 syntax; the
    # words are looked for in the text columns only, never in the index's `facets`.
    terms = operator.join('"' + " ".join(words) + '"' for words in query.phrases)
    return "{body organisation} : (" + terms + ")"


# The search index (migration 0013g) also holds a token per value of these filters an item has:
# "xc6" for code 6 (SQLite: the FTS5 column `facets`; PostgreSQL: the tsvector column
# `feedback.search_facets`, indexed with the words). A search with such a filter asks for the
# token too, and the index intersects the two lists of matches itself.
FACET_PREFIXES = {
    "assignee": "xa",
    "commitment": "xm",
    "code": "xc",
    "role": "xr",
    "theme": "xt",
}


def facet(name: str, identifier: int) -> str:
    """Return the search index's token for one filter value (an id, so never user text)."""
    return f"{FACET_PREFIXES[name]}{int(identifier)}"


def tsquery_sql(query: SearchQuery, operator: str = " & ") -> str:
    parts = []
    for words in query.phrases:
        if len(words) == 1:
            parts.append(f"{words[0]}:*" if operator == " | " else words[0])
        else:
            parts.append("(" + " <-> ".join(words) + ")")
    return operator.join(parts)


# SQLite's index (migrations 0012i, 0013g) is keyed by the item's place in the inbox's order:
# rowid = (received_at in whole seconds since 1970) * 2^31 + id.
KEY_SHIFT = 2**31
ID_MASK = KEY_SHIFT - 1


def order_key(received_at: datetime, identifier: int = 0) -> int:
    """Return the SQLite search index's rowid for an item received at this time (UTC)."""
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    return math.floor(received_at.timestamp()) * KEY_SHIFT + identifier


def valid_key(key: int) -> bool:
    """True for a key SQLite can store (a 64-bit integer: items received 1902 to 2106)."""
    return -(2**63) <= key < 2**63


def keyed_index() -> bool:
    """True where the search index hands matches over newest first (SQLite's FTS5)."""
    return db.engine.dialect.name == "sqlite"


def _fts_hits(expression: str, name: str = "fts_query") -> Select:
    return (
        select(
            literal_column("feedback_fts.rowid").label("key"),
            literal_column(f"feedback_fts.rowid & {ID_MASK}").label("id"),
        )
        .select_from(table("feedback_fts", column("rowid")))
        .where(text(f"feedback_fts MATCH :{name}").bindparams(**{name: expression}))
    )


def hits(query: SearchQuery, facets: tuple[str, ...] = ()):
    """SQLite: the matches as a subquery of (key, id), to list newest first by `key`; with
    `facets` (see `facet`), only the items that have every one of them."""
    expression = " AND ".join([_fts5_expression(query), *(f"facets : {f}" for f in facets)])
    return _fts_hits(expression, "fts_hits").subquery("hits")


def ranked_matches(query: SearchQuery, any_term: bool = False) -> Select:
    """Return a select of (id, rank) for matching feedback; lower rank is a better match.

    Ranking reads every match, so it is for narrowed sets (similar items, with `any_term`); the
    inbox lists matches newest first instead.
    """
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        expression = _fts5_expression(query, " OR " if any_term else " ")
        return _fts_hits(expression).with_only_columns(
            literal_column(f"feedback_fts.rowid & {ID_MASK}").label("id"),
            literal_column("bm25(feedback_fts, 1.0, 0.5, 0.0)", Float).label("rank"),
        )
    tsquery = func.to_tsquery("english", tsquery_sql(query, " | " if any_term else " & "))
    vector = literal_column("feedback.search_vector")
    # ts_rank rather than ts_rank_cd: the same ordering for short texts, at a fraction of the cost.
    rank = cast(-func.ts_rank(vector, tsquery), Float(precision=53)).label("rank")
    return select(Feedback.id.label("id"), rank).where(vector.op("@@")(tsquery))


def checked_clause(query: SearchQuery, vector=None) -> ColumnElement[bool]:
    """PostgreSQL: the search as a check on each row read (`ts_match_vq`, the function behind
    `@@`), which no index can answer: the planner reads the rows in the order the rest of the
    query asks for (the inbox's newest-first index) and tests each one, never building a bitmap
    of every match from the search index (see `portal.triage.inbox.search_plan`)."""
    vector = literal_column("feedback.search_vector") if vector is None else vector
    return func.ts_match_vq(vector, func.to_tsquery("english", tsquery_sql(query)))


def match_clause(query: SearchQuery, facets: tuple[str, ...] = ()) -> ColumnElement[bool]:
    """Return a WHERE clause keeping only feedback that matches the search (nothing ranked); with
    `facets` (PostgreSQL, see `facet`), only the items that have every one of them too.

    On SQLite this reads every match first: the inbox joins `hits` instead."""
    if db.engine.dialect.name == "sqlite":
        matching = _fts_hits(_fts5_expression(query), "fts_filter").subquery()
        return Feedback.id.in_(select(matching.c.id))
    tsquery = func.to_tsquery("english", tsquery_sql(query))
    if not facets:
        return literal_column("feedback.search_vector").op("@@")(tsquery)
    # Migration 0013g: one GIN index holds the words and the tokens, so the two are looked up
    # together (the index skips through the common word's list using the rarer token's).
    tokens = func.to_tsquery("simple", " & ".join(facets))
    both = literal_column("(feedback.search_vector || feedback.search_facets)")
    return both.op("@@")(tsquery.op("&&")(tokens))


def highlight(body: str, query: SearchQuery, width: int = 240) -> Markup:
    """Return an escaped excerpt of `body` around the first match, with matches in <mark>."""
    words = frozenset(w for w in query.words if w)
    if not words:
        excerpt = body[:width] + ("…" if len(body) > width else "")
        return escape(excerpt)
    pattern = _highlighter(words)
    first = pattern.search(body)
    start = max(0, (first.start() if first else 0) - width // 3)
    end = min(len(body), start + width)
    excerpt = body[start:end]
    # Built as text, each piece of the body escaped, and marked safe once (an inbox page
    # highlights fifty excerpts: Markup's own operators cost most of the time).
    out = ["…" if start else ""]
    position = 0
    for found in pattern.finditer(excerpt):
        out.append(str(escape(excerpt[position : found.start()])))
        out.append(f"<mark>{escape(found.group())}</mark>")
        position = found.end()
    out.append(str(escape(excerpt[position:])))
    if end < len(body):
        out.append("…")
    return Markup("".join(out))  # noqa: S704 (every piece of the body is escaped above)


@lru_cache(maxsize=256)
def _highlighter(words: frozenset[str]) -> re.Pattern[str]:
    """The pattern that marks these words (and words they begin), longest first."""
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in ordered) + r")\w*", re.IGNORECASE)


# The name notes used before this module was shared.
_tsquery_sql = tsquery_sql


def estimated_share(query: SearchQuery) -> float:
    """PostgreSQL: the planner's estimate of the share of feedback items matching the search,
    from one EXPLAIN (nothing is read). Reliable for a single word (the column's statistics list
    the most common words and their shares; a word they do not list is rarer than those), far
    too low for words that go together (it multiplies their shares)."""
    statement = text(
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM feedback"
        " WHERE search_vector @@ to_tsquery('english', :search)"
        " UNION ALL SELECT 1 FROM feedback"
    )
    plan = db.session.execute(statement, {"search": tsquery_sql(query)}).scalar_one()
    matching, everything = (part["Plan Rows"] for part in plan[0]["Plan"]["Plans"])
    return matching / max(everything, 1)
