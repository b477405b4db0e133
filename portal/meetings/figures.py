"""The figures behind an agenda: aggregated in the database, one GROUP BY per measure."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Row, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import (
    Code,
    Commitment,
    Feedback,
    FeedbackStatus,
    Priority,
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


def _grouped(column, period: Period) -> dict[int, dict[str, int]]:
    rows = db.session.execute(
        select(Feedback.commitment_id, column, func.count())
        .where(_in_period(period))
        .group_by(Feedback.commitment_id, column)
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for commitment_id, key, count in rows:
        label = key.value if hasattr(key, "value") else (key if key is not None else "not_set")
        result[commitment_id][label] = count
    return result


def totals(period: Period) -> dict[int, int]:
    """Return the number of items per commitment in a period."""
    rows = db.session.execute(
        select(Feedback.commitment_id, func.count())
        .where(_in_period(period))
        .group_by(Feedback.commitment_id)
    )
    return dict(rows.all())


def urgent_counts(period: Period) -> dict[int, int]:
    """Return the number of high or urgent priority items per commitment."""
    rows = db.session.execute(
        select(Feedback.commitment_id, func.count())
        .where(_in_period(period), Feedback.priority.in_([Priority.HIGH, Priority.URGENT]))
        .group_by(Feedback.commitment_id)
    )
    return dict(rows.all())


def top_codes(period: Period) -> dict[int, list[tuple[str, int]]]:
    """Return each commitment's most used codes in the period, with counts."""
    rows = db.session.execute(
        select(Feedback.commitment_id, Code.name, func.count())
        .join(feedback_codes, feedback_codes.c.feedback_id == Feedback.id)
        .join(Code, Code.id == feedback_codes.c.code_id)
        .where(_in_period(period))
        .group_by(Feedback.commitment_id, Code.name)
    )
    result: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for commitment_id, name, count in rows:
        result[commitment_id].append((name, count))
    return {k: sorted(v, key=lambda x: (-x[1], x[0]))[:TOP_CODES] for k, v in result.items()}


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
    """Return recent quotable items per commitment (consent given, a readable length), using a
    window function so it is one query however many commitments there are."""
    if not commitment_ids:
        return {}
    length = func.length(Feedback.body)
    ranked = (
        select(
            Feedback.id,
            Feedback.reference,
            Feedback.body,
            Feedback.commitment_id,
            Feedback.sentiment,
            Feedback.consent_to_quote,
            Feedback.status,
            func.row_number()
            .over(
                partition_by=Feedback.commitment_id,
                order_by=(Feedback.received_at.desc(), Feedback.id.desc()),
            )
            .label("n"),
        )
        .where(
            _in_period(period),
            Feedback.commitment_id.in_(commitment_ids),
            Feedback.consent_to_quote.is_(True),
            Feedback.status != FeedbackStatus.DUPLICATE,
            length >= 40,
            length <= 600,
        )
        .subquery()
    )
    rows = db.session.execute(select(ranked).where(ranked.c.n <= QUOTE_CANDIDATES))
    result: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
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
    current = totals(period)
    if not current:
        return {}
    previous = totals(period.previous())
    by_stakeholder = _grouped(Feedback.stakeholder_type, period)
    by_channel = _grouped(Feedback.channel, period)
    by_transport_mode = _grouped(Feedback.transport_mode, period)
    by_status = _grouped(Feedback.status, period)
    by_sentiment = _grouped(Feedback.sentiment, period)
    urgent = urgent_counts(period)
    codes = top_codes(period)
    progress = latest_progress(period)
    titles = dict(
        db.session.execute(
            select(Commitment.id, Commitment.title).where(Commitment.id.in_(list(current)))
        ).all()
    )
    snapshots = {}
    for commitment_id, total in current.items():
        before = previous.get(commitment_id, 0)
        snapshots[commitment_id] = {
            "title": titles.get(commitment_id, ""),
            "total": total,
            "previous_total": before,
            "change": total - before,
            "change_percent": round(100 * (total - before) / before, 1) if before else None,
            "urgent": urgent.get(commitment_id, 0),
            "by_stakeholder": by_stakeholder.get(commitment_id, {}),
            "by_channel": by_channel.get(commitment_id, {}),
            "by_transport_mode": by_transport_mode.get(commitment_id, {}),
            "by_status": by_status.get(commitment_id, {}),
            "sentiment": by_sentiment.get(commitment_id, {}),
            "top_codes": codes.get(commitment_id, []),
            "progress": progress.get(commitment_id),
        }
    return snapshots


def order_key(snapshot: dict[str, Any]) -> tuple:
    """Order agenda items by volume and urgency: each urgent or high item weighs five."""
    return (-(snapshot["total"] + URGENCY_WEIGHT * snapshot["urgent"]), snapshot["title"])
