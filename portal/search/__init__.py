"""Search and similarity, shared by every feature that searches text or compares it.

- `fulltext`: the search box (SQLite FTS5 or PostgreSQL tsvector): parse, match, rank, highlight.
  Triage searches feedback with it; notes search their published versions with its parser.
- `similarity`: how alike two texts are, and the items most like one (triage's "similar items",
  near-duplicate quotes in meeting packs and "You said, we did").

No feature imports another feature's service to search or compare text: they import this.
"""

from .fulltext import (
    MAX_TERMS,
    SearchQuery,
    _tsquery_sql,
    highlight,
    match_clause,
    parse,
    ranked_matches,
    tsquery_sql,
)
from .similarity import SimilarItem, similar_items, similarity

__all__ = [
    "MAX_TERMS",
    "SearchQuery",
    "SimilarItem",
    "_tsquery_sql",
    "highlight",
    "match_clause",
    "parse",
    "ranked_matches",
    "similar_items",
    "similarity",
    "tsquery_sql",
]
