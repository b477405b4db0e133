"""The triage workflow: which statuses are open or final, which moves are allowed, and the
error every triage rule raises."""

from __future__ import annotations

from ..core.unitofwork import RuleError
from ..models import FeedbackStatus

OPEN_STATUSES = frozenset(
    {
        FeedbackStatus.NEW,
        FeedbackStatus.IN_REVIEW,
        FeedbackStatus.REFERRED,
        FeedbackStatus.ACTIONED,
    }
)
FINAL_STATUSES = frozenset({FeedbackStatus.CLOSED, FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE})
# The workflow. Spam and duplicate are reachable from any open state; closed items can be
# reopened for review and spam/duplicates restored, so a mistake is never a dead end.
TRANSITIONS: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    FeedbackStatus.NEW: frozenset({FeedbackStatus.IN_REVIEW}),
    FeedbackStatus.IN_REVIEW: frozenset({FeedbackStatus.REFERRED, FeedbackStatus.ACTIONED}),
    FeedbackStatus.REFERRED: frozenset({FeedbackStatus.ACTIONED, FeedbackStatus.CLOSED}),
    FeedbackStatus.ACTIONED: frozenset({FeedbackStatus.CLOSED}),
    FeedbackStatus.CLOSED: frozenset({FeedbackStatus.IN_REVIEW}),
    FeedbackStatus.SPAM: frozenset({FeedbackStatus.NEW}),
    FeedbackStatus.DUPLICATE: frozenset({FeedbackStatus.NEW}),
}
for _open in OPEN_STATUSES:
    TRANSITIONS[_open] = TRANSITIONS[_open] | {FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE}


class TriageError(RuleError):
    """An action was refused; the message is shown to the person."""


def can_transition(current: FeedbackStatus, new: FeedbackStatus) -> bool:
    """Say whether the workflow allows moving from one status to another."""
    return new in TRANSITIONS[current]
