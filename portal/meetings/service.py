"""Meeting rules: periods, building and editing the agenda, decisions, actions and outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..agenda import ensure_notes_item, list_meetings  # noqa: F401  (moved there)
from ..agenda import insert_before_aob as _insert_before_aob
from ..anonymise import quotable
from ..core.unitofwork import RuleError
from ..extensions import db
from ..inputs import TEXT_MAX
from ..models import (
    Action,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    AgendaQuote,
    Decision,
    Feedback,
    FeedbackStatus,
    Meeting,
    User,
    utcnow,
)
from ..outbox import service as outbox
from ..periods import Period
from ..triage.workflow import OPEN_STATUSES
from . import figures

DEFAULT_PERIOD_DAYS = 90
STANDING = ("Welcome and apologies", "Minutes and actions of the previous meeting")


class MeetingError(RuleError):
    """A meeting action was refused; the message is shown to the person, at `field` (the name
    of the form field it is about) when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def get_meeting(meeting_id: int) -> Meeting | None:
    """Return a meeting with its agenda loaded."""
    return db.session.scalar(meeting_query(meeting_id))


def meeting_query(meeting_id: int) -> Select[tuple[Meeting]]:
    """The query for a meeting with its agenda loaded (for `db.first_or_404`)."""
    return (
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.items).selectinload(AgendaItem.quotes),
            selectinload(Meeting.items).selectinload(AgendaItem.decisions),
            selectinload(Meeting.items)
            .selectinload(AgendaItem.actions)
            .selectinload(Action.feedback),
        )
    )


def previous_meeting(before: date, exclude_id: int | None = None) -> Meeting | None:
    """Return the latest meeting held before a date."""
    query = select(Meeting).where(Meeting.meeting_date < before)
    if exclude_id:
        query = query.where(Meeting.id != exclude_id)
    return db.session.scalar(query.order_by(Meeting.meeting_date.desc()).limit(1))


def default_period(meeting_date: date) -> Period:
    """Since the day after the previous meeting's period, or else the last 90 days."""
    end = meeting_date - timedelta(days=1)
    previous = previous_meeting(meeting_date)
    if previous is not None and previous.period_end < end:
        return Period(previous.period_end + timedelta(days=1), end)
    return Period(end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end)


def period_of(meeting: Meeting) -> Period:
    """Return a meeting's feedback period."""
    return Period(meeting.period_start, meeting.period_end)


def create_meeting(
    actor: User,
    title: str,
    meeting_date: date,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Meeting:
    """Create a meeting and build its draft agenda."""
    title = " ".join((title or "").split())
    if not title:
        raise MeetingError("Enter a title for the meeting")
    if (period_start is None) != (period_end is None):
        raise MeetingError("Enter both the start and the end of the period, or neither")
    if period_start is None:
        period = default_period(meeting_date)
    else:
        period = Period(period_start, period_end)
    if period.end < period.start:
        raise MeetingError("The end of the period must be the same as or after its start")
    meeting = Meeting(
        title=title,
        meeting_date=meeting_date,
        period_start=period.start,
        period_end=period.end,
        created_by_id=actor.id,
        previous_meeting=previous_meeting(meeting_date),  # its minutes are approved at this one
    )
    db.session.add(meeting)
    db.session.flush()
    build_agenda(meeting)
    audit.record(actor, "meeting", meeting.id, "create", "title", None, title)
    db.session.flush()
    return meeting


def _previous_actions_summary(meeting: Meeting) -> dict:
    previous = previous_meeting(meeting.meeting_date, exclude_id=meeting.id)
    if previous is None:
        return {"previous_meeting": None, "actions": []}
    actions = db.session.scalars(
        select(Action)
        .join(AgendaItem)
        .where(AgendaItem.meeting_id == previous.id)
        .order_by(Action.id)
    )
    return {
        "previous_meeting": {"id": previous.id, "title": previous.title},
        "actions": [
            {"description": a.description, "owner": a.owner, "status": a.status.label}
            for a in actions
        ],
    }


def build_agenda(meeting: Meeting) -> None:
    """Build the draft agenda: standing items, one item per commitment with feedback (by volume
    and urgency), best-practice notes of the period when there are any, any other business."""
    snapshots = figures.commitment_snapshots(period_of(meeting))
    items: list[AgendaItem] = [
        AgendaItem(kind=AgendaItemKind.STANDING, title=STANDING[0], snapshot={}),
        AgendaItem(
            kind=AgendaItemKind.STANDING,
            title=STANDING[1],
            snapshot=_previous_actions_summary(meeting),
        ),
    ]
    ordered = sorted(snapshots.items(), key=lambda pair: figures.order_key(pair[1]))
    quotes = figures.quote_candidates(period_of(meeting), [cid for cid, _ in ordered])
    for commitment_id, snapshot in ordered:
        snapshot["quotes"] = _quote_dicts(figures.choose_quotes(quotes.get(commitment_id, []), []))
        items.append(
            AgendaItem(
                kind=AgendaItemKind.COMMITMENT,
                title=snapshot["title"],
                commitment_id=commitment_id,
                snapshot=snapshot,
            )
        )
    notes = _notes_snapshot(meeting)
    if notes["notes"]:
        items.append(
            AgendaItem(kind=AgendaItemKind.NOTES, title="Best-practice notes", snapshot=notes)
        )
    items.append(AgendaItem(kind=AgendaItemKind.AOB, title="Any other business", snapshot={}))
    for position, item in enumerate(items, start=1):
        item.position = position
        meeting.items.append(item)
    meeting.figures_built_at = utcnow()


def _notes_snapshot(meeting: Meeting) -> dict:
    """Return the best-practice notes published in the meeting's period (none until the notes
    feature adds them)."""
    from ..notes import service as notes_service

    period = period_of(meeting)
    return {
        "notes": [
            {"id": n.id, "title": n.title, "slug": n.slug}
            for n in notes_service.published_between(period.start_at, period.end_before)
        ]
    }


def _quote_dicts(rows) -> list[dict]:
    quotes = []
    for row in rows:
        text = quotable(row.body, row.consent_to_quote, FeedbackStatus(row.status))
        if text:
            quotes.append({"feedback_id": row.id, "reference": row.reference, "text": text})
    return quotes


def refresh_figures(actor: User, meeting: Meeting) -> None:
    """Rebuild the snapshot figures, keeping edited titles, summaries, order and pins; add items
    for commitments that now have feedback."""
    period = period_of(meeting)
    snapshots = figures.commitment_snapshots(period)
    existing = {i.commitment_id: i for i in meeting.items if i.commitment_id is not None}
    quotes = figures.quote_candidates(period, list(snapshots))
    for commitment_id, snapshot in sorted(
        snapshots.items(), key=lambda pair: figures.order_key(pair[1])
    ):
        item = existing.get(commitment_id)
        if item is None:
            item = AgendaItem(
                kind=AgendaItemKind.COMMITMENT, title=snapshot["title"], commitment_id=commitment_id
            )
            _insert_before_aob(meeting, item)
        pinned = [q.feedback.body for q in item.quotes]
        snapshot["quotes"] = _quote_dicts(
            figures.choose_quotes(quotes.get(commitment_id, []), pinned)
        )
        item.snapshot = snapshot
    for item in meeting.items:
        if item.commitment_id is not None and item.commitment_id not in snapshots:
            item.snapshot = dict(item.snapshot, total=0, stale=True)
        if item.kind is AgendaItemKind.STANDING and item.title == STANDING[1]:
            item.snapshot = _previous_actions_summary(meeting)
    meeting.figures_built_at = utcnow()
    audit.record(actor, "meeting", meeting.id, "refresh", "figures", None, None)
    db.session.flush()


def _renumber(meeting: Meeting) -> None:
    for position, item in enumerate(sorted(meeting.items, key=lambda i: i.position), start=1):
        item.position = position


def item_in(meeting: Meeting, item_id: int) -> AgendaItem:
    """Return an item of this meeting, or refuse."""
    for item in meeting.items:
        if item.id == item_id:
            return item
    raise MeetingError("That agenda item is not part of this meeting")


def move_item(actor: User, meeting: Meeting, item: AgendaItem, direction: str) -> None:
    """Move an item one place up or down."""
    ordered = sorted(meeting.items, key=lambda i: i.position)
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        raise MeetingError("That item cannot move further")
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    audit.record(actor, "agenda_item", item.id, "move", "position", index + 1, other + 1)
    db.session.flush()


def add_item(actor: User, meeting: Meeting, title: str) -> AgendaItem:
    """Add an item before any other business."""
    title = " ".join((title or "").split())
    if not title:
        raise MeetingError("Enter a title for the agenda item", "title")
    if len(title) > 200:
        raise MeetingError("An agenda item title must be 200 characters or fewer", "title")
    item = AgendaItem(kind=AgendaItemKind.OTHER, title=title, snapshot={})
    _insert_before_aob(meeting, item)
    db.session.flush()
    audit.record(actor, "agenda_item", item.id, "create", "title", None, title)
    db.session.flush()
    return item


def remove_item(actor: User, meeting: Meeting, item: AgendaItem) -> None:
    """Remove an item (its decisions and actions go with it)."""
    if item.actions and any(a.outcome_published_at for a in item.actions):
        raise MeetingError("This item has published outcomes and cannot be removed")
    audit.record(actor, "agenda_item", item.id, "delete", "title", item.title, None)
    meeting.items.remove(item)
    db.session.flush()
    _renumber(meeting)
    db.session.flush()


def edit_item(actor: User, item: AgendaItem, title: str, summary: str) -> None:
    """Rename an item and edit its summary text."""
    title = " ".join((title or "").split())
    if not title:
        raise MeetingError("Enter a title for the agenda item", "title")
    if len(title) > 200:
        raise MeetingError("An agenda item title must be 200 characters or fewer", "title")
    if len(summary or "") > TEXT_MAX:
        raise MeetingError(f"A summary must be {TEXT_MAX:,} characters or fewer", "summary")
    audit.record_change(actor, "agenda_item", item.id, "title", item.title, title)
    audit.record_change(actor, "agenda_item", item.id, "summary", item.summary, summary.strip())
    item.title = title
    item.summary = summary.strip()
    db.session.flush()


def pin_quote(actor: User, item: AgendaItem, feedback: Feedback) -> None:
    """Pin a quote to an item: only feedback on its commitment whose author consented."""
    if item.commitment_id is None or feedback.commitment_id != item.commitment_id:
        raise MeetingError("Only feedback about this item's commitment can be pinned", "reference")
    if not feedback.consent_to_quote:
        raise MeetingError(
            f"{feedback.reference} cannot be quoted: no consent was given", "reference"
        )
    if any(q.feedback_id == feedback.id for q in item.quotes):
        raise MeetingError(f"{feedback.reference} is already pinned", "reference")
    item.quotes.append(AgendaQuote(feedback=feedback))
    audit.record(actor, "agenda_item", item.id, "pin", "quote", None, feedback.reference)
    db.session.flush()


def unpin_quote(actor: User, item: AgendaItem, feedback_id: int) -> None:
    """Unpin a quote."""
    quote = next((q for q in item.quotes if q.feedback_id == feedback_id), None)
    if quote is None:
        raise MeetingError("That quote is not pinned")
    audit.record(actor, "agenda_item", item.id, "unpin", "quote", quote.feedback.reference, None)
    item.quotes.remove(quote)
    db.session.flush()


@dataclass
class Quote:
    feedback_id: int
    reference: str
    text: str
    pinned: bool


def quotes_for(item: AgendaItem) -> list[Quote]:
    """Return an item's quotes: pinned ones first, then the automatic choice, at most three."""
    pinned = [
        Quote(q.feedback_id, q.feedback.reference, text, True)
        for q in item.quotes
        if (text := quotable(q.feedback.body, q.feedback.consent_to_quote, q.feedback.status))
    ]
    pinned_ids = {q.feedback_id for q in pinned}
    automatic = [
        Quote(q["feedback_id"], q["reference"], q["text"], False)
        for q in item.snapshot.get("quotes", [])
        if q["feedback_id"] not in pinned_ids
    ]
    return (pinned + automatic)[: max(figures.QUOTES_PER_ITEM, len(pinned))]


def pinnable(meeting: Meeting, item: AgendaItem, limit: int = 10) -> list[Feedback]:
    """Return recent quotable feedback on the item's commitment in the period, to pin."""
    if item.commitment_id is None:
        return []
    period = period_of(meeting)
    return list(
        db.session.scalars(
            select(Feedback)
            .where(
                Feedback.commitment_id == item.commitment_id,
                Feedback.consent_to_quote.is_(True),
                Feedback.received_at >= period.start_at,
                Feedback.received_at < period.end_before,
                Feedback.status.not_in([FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE]),
            )
            .order_by(Feedback.received_at.desc())
            .limit(limit)
        )
    )


def add_decision(actor: User, item: AgendaItem, text: str) -> Decision:
    """Record a decision on an item."""
    text = (text or "").strip()
    if not text:
        raise MeetingError("Enter the decision", "text")
    if len(text) > TEXT_MAX:
        raise MeetingError(f"A decision must be {TEXT_MAX:,} characters or fewer", "text")
    decision = Decision(text=text, created_by_id=actor.id)
    item.decisions.append(decision)
    db.session.flush()
    audit.record(actor, "decision", decision.id, "create", "text", None, text)
    db.session.flush()
    return decision


def _references(text: str) -> list[Feedback]:
    references = [r.strip().upper() for r in (text or "").replace(",", " ").split() if r.strip()]
    if not references:
        return []
    found = list(db.session.scalars(select(Feedback).where(Feedback.reference.in_(references))))
    missing = sorted(set(references) - {f.reference for f in found})
    if missing:
        raise MeetingError(f"No feedback with reference {', '.join(missing)}", "references")
    return found


def add_action(
    actor: User,
    item: AgendaItem,
    description: str,
    owner: str,
    due: date | None,
    references: str = "",
) -> Action:
    """Record an action (owner, due date) on an item, optionally linked to feedback items."""
    description = (description or "").strip()
    owner = " ".join((owner or "").split())
    if not description:
        raise MeetingError("Enter what the action is", "description")
    if not owner:
        raise MeetingError("Enter who owns the action", "owner")
    linked = _references(references)
    action = Action(description=description, owner=owner[:200], due_date=due, feedback=linked)
    item.actions.append(action)
    db.session.flush()
    audit.record(actor, "action", action.id, "create", "description", None, description)
    db.session.flush()
    return action


def update_action(
    actor: User, action: Action, status: ActionStatus, references: str | None = None
) -> None:
    """Change an action's status (and, optionally, the feedback linked to it)."""
    audit.record_change(actor, "action", action.id, "status", action.status, status)
    action.status = status
    if status in (ActionStatus.DONE, ActionStatus.DROPPED):
        action.closed_at = action.closed_at or utcnow()
    else:
        action.closed_at = None
    if references is not None:
        linked = _references(references)
        audit.record_change(
            actor,
            "action",
            action.id,
            "feedback",
            [f.reference for f in action.feedback],
            [f.reference for f in linked],
        )
        action.feedback = linked
    db.session.flush()


def publish_outcome(actor: User, action: Action, outcome: str) -> int:
    """Publish what came of an action: it becomes the public reply of every linked item, and
    open items move to "actioned". Returns how many items were updated."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise MeetingError("Enter the outcome to publish", "outcome")
    if len(outcome) > TEXT_MAX:
        raise MeetingError(f"An outcome must be {TEXT_MAX:,} characters or fewer", "outcome")
    if not action.feedback:
        raise MeetingError(
            "Link feedback items to the action before publishing its outcome", "outcome"
        )
    audit.record_change(actor, "action", action.id, "outcome", action.outcome, outcome)
    action.outcome = outcome
    action.outcome_published_at = utcnow()
    for item in action.feedback:
        audit.record_change(actor, "feedback", item.id, "public_reply", item.public_reply, outcome)
        item.public_reply = outcome
        item.public_reply_at = action.outcome_published_at
        # A decision of the Group: open items are actioned, whatever step they had reached.
        if item.status in OPEN_STATUSES and item.status is not FeedbackStatus.ACTIONED:
            audit.record_change(actor, "feedback", item.id, "status", item.status, "actioned")
            item.status = FeedbackStatus.ACTIONED
    outbox.outcome_published(action)  # consenting authors once each, and the followers
    db.session.flush()
    return len(action.feedback)
