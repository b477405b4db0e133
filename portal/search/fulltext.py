"""Full-text search over feedback: SQLite FTS5 or PostgreSQL tsvector, ranked, highlighted.

Notes search its published versions with the same query parser (`parse`, `tsquery_sql`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    # Every term is a quoted FTS5 string, so no user text is ever read as FTS5 syntax.
    return operator.join('"' + " ".join(words) + '"' for words in query.phrases)


def tsquery_sql(query: SearchQuery, operator: str = " & ") -> str:
    parts = []
    for words in query.phrases:
        if len(words) == 1:
            parts.append(f"{words[0]}:*" if operator == " | " else words[0])
        else:
            parts.append("(" + " <-> ".join(words) + ")")
    return operator.join(parts)


RECENT_WINDOW = 2000
RECENT_ITEMS_PER_MATCH = 5  # PostgreSQL ranks matches among the newest 10,000 items


def ranked_matches(query: SearchQuery, any_term: bool = False, recent: int | None = None) -> Select:
    """Return a select of (id, rank) for matching feedback; lower rank is a better match.

    With `recent`, only the most recently recorded `recent` matches are ranked: a common word
    matches tens of thousands of items, and ranking them all costs hundreds of milliseconds.
    """
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        fts = table("feedback_fts", column("rowid"))
        expression = _fts5_expression(query, " OR " if any_term else " ")
        matches = (
            select(
                literal_column("feedback_fts.rowid").label("id"),
                literal_column("bm25(feedback_fts, 1.0, 0.5)", Float).label("rank"),
            )
            .select_from(fts)
            .where(text("feedback_fts MATCH :fts_query").bindparams(fts_query=expression))
        )
        if recent:
            window = matches.order_by(literal_column("feedback_fts.rowid").desc()).limit(recent)
            inner = window.subquery()
            return select(inner.c.id, inner.c.rank)
        return matches
    tsquery = func.to_tsquery("english", tsquery_sql(query, " | " if any_term else " & "))
    vector = literal_column("feedback.search_vector")
    # ts_rank rather than ts_rank_cd: the same ordering for short texts, at a fraction of the cost.
    # As double precision: ts_rank is a 4-byte real, which would not survive a round trip
    # through the page cursor exactly.
    rank = cast(-func.ts_rank(vector, tsquery), Float(precision=53)).label("rank")
    matches = select(Feedback.id.label("id"), rank).where(vector.op("@@")(tsquery))
    if recent:
        # PostgreSQL: look only among the most recent items (an id range the primary key
        # serves), so a common word does not fetch every matching row from the heap to rank it.
        # The bound is a literal, not a subquery, so the planner sees how narrow it is.
        newest = db.session.scalar(select(func.max(Feedback.id))) or 0
        return matches.where(Feedback.id > newest - recent * RECENT_ITEMS_PER_MATCH)
    return matches


def match_clause(query: SearchQuery) -> ColumnElement[bool]:
    """Return a WHERE clause keeping only feedback that matches the search (nothing ranked)."""
    if db.engine.dialect.name == "sqlite":
        fts = table("feedback_fts", column("rowid"))
        matching = (
            select(literal_column("feedback_fts.rowid"))
            .select_from(fts)
            .where(
                text("feedback_fts MATCH :fts_filter").bindparams(
                    fts_filter=_fts5_expression(query)
                )
            )
        )
        return Feedback.id.in_(matching)
    tsquery = func.to_tsquery("english", tsquery_sql(query))
    return literal_column("feedback.search_vector").op("@@")(tsquery)


def highlight(body: str, query: SearchQuery, width: int = 240) -> Markup:
    """Return an escaped excerpt of `body` around the first match, with matches in <mark>."""
    words = sorted({w for w in query.words if w}, key=len, reverse=True)
    if not words:
        excerpt = body[:width] + ("…" if len(body) > width else "")
        return escape(excerpt)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
    first = pattern.search(body)
    start = max(0, (first.start() if first else 0) - width // 3)
    end = min(len(body), start + width)
    excerpt = body[start:end]
    out = [Markup("…") if start else Markup("")]
    position = 0
    for found in pattern.finditer(excerpt):
        out.append(escape(excerpt[position : found.start()]))
        out.append(Markup("<mark>%s</mark>") % excerpt[found.start() : found.end()])
        position = found.end()
    out.append(escape(excerpt[position:]))
    if end < len(body):
        out.append(Markup("…"))
    return Markup("").join(out)


# The name notes used before this module was shared.
_tsquery_sql = tsquery_sql
