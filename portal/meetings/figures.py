"""The figures behind an agenda: aggregated in the database, one GROUP BY per measure."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Row, and_, func, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import (
    Channel,
    Code,
    Commitment,
    Feedback,
    FeedbackStatus,
    Priority,
    Sentiment,
    StakeholderType,
    TransportMode,
    feedback_codes,
)
from ..periods import Period, quarter_of
from ..search import similarity

QUOTES_PER_ITEM = 3
QUOTE_CANDIDATES = 25
NEAR_DUPLICATE = 0.5
TOP_CODES = 5
URGENCY_WEIGHT = 5


def _in_period(period: Period) -> ColumnElement[bool]:
    # Spam is not feedback; everything else received in the period counts.
    return and_(
        Feedback.received_at >= period.start_at,
        Feedback.received_at < period.end_before,
        Feedback.status != FeedbackStatus.SPAM,
        Feedback.commitment_id.is_not(None),
    )


# What an agenda item counts by, each with the values it can take (None: not set).
MEASURES = {
    "by_stakeholder": (Feedback.stakeholder_type, list(StakeholderType)),
    "by_channel": (Feedback.channel, list(Channel)),
    "by_transport_mode": (Feedback.transport_mode, [*TransportMode, None]),
    "by_status": (Feedback.status, list(FeedbackStatus)),
    "sentiment": (Feedback.sentiment, [*Sentiment, None]),
}


def period_measures(period: Period) -> dict[int, dict[str, Any]]:
    """Return per commitment its total, its urgent count and its count by each of MEASURES
    (values with no items left out), from ONE pass over the period's items: conditional sums
    in one GROUP BY, rather than a GROUP BY per measure that reads every item again."""
    columns = [func.count(), _count(Feedback.priority.in_([Priority.HIGH, Priority.URGENT]))]
    keys: list[tuple[str, str]] = []
    for measure, (column, values) in MEASURES.items():
        for value in values:
            columns.append(_count(column.is_(None) if value is None else column == value))
            keys.append((measure, "not_set" if value is None else value.value))
    rows = db.session.execute(
        select(Feedback.commitment_id, *columns)
        .where(_in_period(period))
        .group_by(Feedback.commitment_id)
    )
    result: dict[int, dict[str, Any]] = {}
    for commitment_id, total, urgent, *counts in rows:
        figures: dict[str, Any] = {"total": total, "urgent": urgent or 0}
        figures.update({measure: {} for measure in MEASURES})
        for (measure, label), count in zip(keys, counts, strict=True):
            if count:
                figures[measure][label] = count
        result[commitment_id] = figures
    return result


def _count(condition: ColumnElement[bool]):
    # COUNT(*) FILTER (WHERE ...) (SQLite 3.30+, PostgreSQL): the items meeting the condition,
    # counted without a CASE expression and a sum per item and measure (a third faster).
    return func.count().filter(condition)


def totals(period: Period) -> dict[int, int]:
    """Return the number of items per commitment in a period."""
    rows = db.session.execute(
        select(Feedback.commitment_id, func.count())
        .where(_in_period(period))
        .group_by(Feedback.commitment_id)
    )
    return dict(rows.all())


def code_counts(period: Period) -> dict[int, dict[str, int]]:
    """Return how many items in the period carry each code, per commitment."""
    rows = db.session.execute(
        select(Feedback.commitment_id, Code.name, func.count())
        .join(feedback_codes, feedback_codes.c.feedback_id == Feedback.id)
        .join(Code, Code.id == feedback_codes.c.code_id)
        .where(_in_period(period))
        .group_by(Feedback.commitment_id, Code.name)
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for commitment_id, name, count in rows:
        result[commitment_id][name] = count
    return result


def top_codes(period: Period) -> dict[int, list[tuple[str, int]]]:
    """Return each commitment's most used codes in the period, with counts."""
    return {
        k: sorted(v.items(), key=lambda x: (-x[1], x[0]))[:TOP_CODES]
        for k, v in code_counts(period).items()
    }


def latest_progress(on_or_before: Period) -> dict[int, dict[str, Any]]:
    """Return each commitment's latest progress update up to the end of a period."""
    from ..progress.service import latest_by_commitment

    return {
        commitment_id: {
            "status": u.status.value,
            "status_label": u.status.label,
            "quarter": u.period_label,
            "narrative": u.narrative,
        }
        for commitment_id, u in latest_by_commitment(quarter_of(on_or_before.end)).items()
    }


def quote_candidates(period: Period, commitment_ids: list[int]) -> dict[int, list[Row]]:
    """Return recent quotable items per commitment (consent given, a readable length), newest
    first, up to QUOTE_CANDIDATES each, in one query however many commitments there are.

    Each commitment's part reads its newest items along the (commitment, received) index and
    stops at the QUOTE_CANDIDATES-th quotable one: a window function numbering every quotable
    item of the period (all of them read, sorted and numbered, to keep 25 per commitment) took
    a third of an agenda's build over a quarter of 100,000 items."""
    if not commitment_ids:
        return {}
    length = func.length(Feedback.body)
    columns = (
        Feedback.id,
        Feedback.reference,
        Feedback.body,
        Feedback.commitment_id,
        Feedback.sentiment,
        Feedback.consent_to_quote,
        Feedback.status,
        Feedback.received_at,
    )
    newest = [
        select(*columns)
        .where(
            _in_period(period),
            Feedback.commitment_id == commitment_id,
            Feedback.consent_to_quote.is_(True),
            Feedback.status != FeedbackStatus.DUPLICATE,
            length >= 40,
            length <= 600,
        )
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
        .limit(QUOTE_CANDIDATES)
        .subquery()
        for commitment_id in dict.fromkeys(commitment_ids)
    ]
    rows = db.session.execute(union_all(*(select(*part.c) for part in newest)))
    result: dict[int, list[Row]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.received_at, r.id), reverse=True):
        result[row.commitment_id].append(row)
    return result


def choose_quotes(candidates: list, pinned_texts: list[str], limit: int = QUOTES_PER_ITEM):
    """Pick up to `limit` quotes, varied in sentiment and never near-duplicates of each other
    or of the pinned ones."""
    chosen: list = []
    texts = list(pinned_texts)
    seen_sentiments: set = set()
    # First pass prefers a sentiment not yet represented; the second fills any gap.
    for prefer_new in (True, False):
        for row in candidates:
            if len(chosen) + len(pinned_texts) >= limit:
                return chosen
            if row in chosen:
                continue
            if prefer_new and row.sentiment in seen_sentiments:
                continue
            if any(similarity(row.body, t) >= NEAR_DUPLICATE for t in texts):
                continue
            chosen.append(row)
            texts.append(row.body)
            seen_sentiments.add(row.sentiment)
    return chosen


def commitment_snapshots(period: Period) -> dict[int, dict[str, Any]]:
    """Return the figures for every commitment with feedback in the period."""
    measured = period_measures(period)
    if not measured:
        return {}
    current = {commitment_id: m["total"] for commitment_id, m in measured.items()}
    before_period = period.previous()
    measured_before = period_measures(before_period)
    codes = top_codes(period)
    codes_before = code_counts(before_period)
    progress = latest_progress(period)
    titles = dict(
        db.session.execute(
            select(Commitment.id, Commitment.title).where(Commitment.id.in_(list(current)))
        ).all()
    )
    snapshots = {}
    for commitment_id, total in current.items():
        then = measured_before.get(commitment_id, {})
        before = then.get("total", 0)
        top = codes.get(commitment_id, [])
        snapshots[commitment_id] = {
            "title": titles.get(commitment_id, ""),
            "total": total,
            "previous_total": before,
            "change": total - before,
            "change_percent": round(100 * (total - before) / before, 1) if before else None,
            "urgent": measured[commitment_id]["urgent"],
            **{key: measured[commitment_id][key] for key in MEASURES},
            "top_codes": top,
            "progress": progress.get(commitment_id),
            # The same measures for the previous period of the same length, for the agenda's
            # one table of this period, previous period and change.
            "previous": {
                "urgent": then.get("urgent", 0),
                **{key: then.get(key, {}) for key in MEASURES},
                "top_codes": {
                    name: codes_before.get(commitment_id, {}).get(name, 0) for name, _ in top
                },
            },
        }
    return snapshots


def order_key(snapshot: dict[str, Any]) -> tuple:
    """Order agenda items by volume and urgency: each urgent or high item weighs five."""
    return (-(snapshot["total"] + URGENCY_WEIGHT * snapshot["urgent"]), snapshot["title"])
