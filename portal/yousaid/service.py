"""Building "You said, we did" for a period: counts and themes, consented quotes, decisions
and published outcomes. Nothing personal."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..anonymise import public_quote
from ..extensions import db
from ..meetings import figures
from ..models import Action, AgendaItem, Commitment, Decision, Feedback, FeedbackStatus, Meeting
from ..periods import Period
from ..search import similarity

QUOTES = 2


@dataclass
class CommitmentStory:
    commitment: Commitment
    said: int = 0
    themes: list[tuple[str, int]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)

    @property
    def main_theme(self) -> tuple[str, int] | None:
        """The theme most of the people who gave feedback wrote about, if the figures say so.

        "Mostly about signage" is claimed only when more than half of the items carry that code;
        otherwise the page lists the top themes with their counts and claims nothing.
        """
        if self.themes and self.said and self.themes[0][1] * 2 > self.said:
            return self.themes[0]
        return None


def build(period: Period, commitment: Commitment | None = None) -> list[CommitmentStory]:
    """Return one story per commitment with feedback or decisions in the period."""
    totals = figures.totals(period)
    codes = figures.top_codes(period)
    stories: dict[int, CommitmentStory] = {}
    commitments = {c.id: c for c in db.session.scalars(select(Commitment))}

    def story(commitment_id: int) -> CommitmentStory:
        if commitment_id not in stories:
            stories[commitment_id] = CommitmentStory(commitments[commitment_id])
        return stories[commitment_id]

    for commitment_id, count in totals.items():
        entry = story(commitment_id)
        entry.said = count
        entry.themes = codes.get(commitment_id, [])[:3]
    decisions = db.session.execute(
        select(AgendaItem.commitment_id, Decision.text)
        .join(Decision.item)
        .join(AgendaItem.meeting)
        .where(
            AgendaItem.commitment_id.is_not(None),
            Meeting.meeting_date >= period.start,
            Meeting.meeting_date <= period.end,
        )
        .order_by(Decision.id)
    )
    for commitment_id, text in decisions:
        story(commitment_id).decisions.append(text)
    outcomes = db.session.execute(
        select(AgendaItem.commitment_id, Action.outcome)
        .join(Action.item)
        .where(
            AgendaItem.commitment_id.is_not(None),
            Action.outcome_published_at >= period.start_at,
            Action.outcome_published_at < period.end_before,
        )
        .order_by(Action.id)
    )
    for commitment_id, text in outcomes:
        story(commitment_id).outcomes.append(text)
    for commitment_id, entry in stories.items():
        entry.quotes = _quotes(period, commitment_id)
    result = sorted(stories.values(), key=lambda s: (-s.said, s.commitment.position))
    if commitment is not None:
        result = [s for s in result if s.commitment.id == commitment.id]
    return result


def _quotes(period: Period, commitment_id: int) -> list[str]:
    candidates = db.session.scalars(
        select(Feedback)
        .where(
            Feedback.commitment_id == commitment_id,
            Feedback.consent_to_quote.is_(True),
            Feedback.quote_approved.is_(True),
            Feedback.received_at >= period.start_at,
            Feedback.received_at < period.end_before,
            Feedback.status.not_in([FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE]),
            func.length(Feedback.body) <= 400,
        )
        .order_by(Feedback.received_at.desc())
        .limit(20)
    )
    quotes: list[str] = []
    for item in candidates:
        text = public_quote(item)
        if text and all(similarity(text, q) < figures.NEAR_DUPLICATE for q in quotes):
            quotes.append(text)
        if len(quotes) == QUOTES:
            break
    return quotes
