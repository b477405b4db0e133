"""How alike two texts are, and the existing feedback most like an item (campaign texts, copy and
paste). Used by the triage item page, and by meeting packs and "You said, we did" to leave out
near-duplicate quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Feedback
from . import fulltext

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
    words = sorted(_word_set(item.body), key=len, reverse=True)[: fulltext.MAX_TERMS]
    if not words:
        return []
    query = fulltext.SearchQuery(raw=" ".join(words), phrases=tuple((w,) for w in words))
    matches = fulltext.ranked_matches(query, any_term=True).subquery()
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
