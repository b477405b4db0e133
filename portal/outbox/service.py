"""Outbox rules: what is queued for whom, in the transaction of the change that causes it, and
how the worker delivers it. Nothing here commits: the caller's unit of work does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from .. import crypto
from ..core.unitofwork import RuleError
from ..crypto import blind_indexes
from ..extensions import db
from ..models import (
    Action,
    Commitment,
    Feedback,
    Note,
    ProgressUpdate,
    StaffRole,
    SurveyResponse,
    User,
    utcnow,
)
from ..security import external_url
from .backends import Backend, PermanentFailure, TemporaryFailure, default_sender
from .models import (
    CommitmentFollow,
    Frequency,
    MessageStatus,
    OutboxMessage,
    StaffEmailPreference,
)

CONFIRM_MAX_AGE = 7 * 24 * 3600  # a follow confirmation link works for 7 days
MAX_ATTEMPTS = 20  # temporary failures before a message is marked failed (about 3 days)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
RESEND_CONFIRMATION_AFTER = timedelta(minutes=10)
PUBLIC_KINDS = ("acknowledgement", "reply")
SURVEY_KINDS = ("survey_acknowledgement",)
FOLLOW_KINDS = ("follow_progress", "follow_outcome")


class OutboxError(RuleError):
    """A request was refused; the message is shown to the person."""


# --- links ----------------------------------------------------------------------------------


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="outbox-follow-confirm")


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="outbox-unsubscribe")


def confirm_token(follow: CommitmentFollow) -> str:
    """Return the signed, time-limited token of a follow's confirmation link."""
    return _confirm_serializer().dumps({"f": follow.id, "e": follow.email})


def unsubscribe_token(kind: str, ident: int | str) -> str:
    """Return the token of a one-click unsubscribe link: `f` a follow id, `r` a feedback
    reference, `s` a survey response reference, `u` a staff member's user id."""
    return _unsubscribe_serializer().dumps({kind: ident})


UNSUBSCRIBE_KEYS = {"f", "r", "s", "u"}


def staff_unsubscribe_url(user: User) -> str:
    """Return the one-click link that turns off every staff email to this person."""
    return external_url("outbox.unsubscribe", token=unsubscribe_token("u", user.id))


# --- queueing -------------------------------------------------------------------------------


def _message_id() -> str:
    domain = parseaddr(default_sender(current_app))[1].rpartition("@")[2] or "portal.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _render(name: str, context: dict[str, object]) -> str:
    # The app's Jinja environment (its filters, autoescaping by extension) without the request
    # context processors: emails are also rendered by commands, outside any request.
    return current_app.jinja_env.get_template(name).render(**context)


def queue(
    kind: str,
    to: str,
    subject: str,
    context: dict[str, object],
    *,
    feedback: Feedback | None = None,
    follow: CommitmentFollow | None = None,
    user: User | None = None,
    survey_response: SurveyResponse | None = None,
    unsubscribe_url: str | None = None,
    held: bool = False,
) -> OutboxMessage:
    """Render an email from templates/email/<kind>.{txt,html} and add it to the session."""
    context = {"subject": subject, "unsubscribe_url": unsubscribe_url, **context}
    headers: dict[str, str] = {}
    if unsubscribe_url:
        # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" to this URL.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = OutboxMessage(
        message_id=_message_id(),
        kind=kind,
        to_address=to,
        subject=subject,
        text_body=_render(f"email/{kind}.txt", context),
        html_body=_render(f"email/{kind}.html", context),
        headers=headers,
        status=MessageStatus.HELD if held else MessageStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        feedback=feedback,
        subscription=follow,
        user=user,
        survey_response=survey_response,
    )
    db.session.add(message)
    return message


def _contactable(item: Feedback) -> bool:
    contact = item.contact
    return bool(contact is not None and contact.consent_to_contact and contact.email)


def feedback_received(item: Feedback, token: str | None) -> OutboxMessage | None:
    """Queue the acknowledgement of new feedback, only when its author consented to contact."""
    if not token or not _contactable(item):
        return None
    tracking_url = external_url("public.track", token=token)
    return queue(
        "acknowledgement",
        item.contact.email,
        f"We have received your feedback: {item.reference}",
        {"item": item, "tracking_url": tracking_url},
        feedback=item,
        unsubscribe_url=_contact_unsubscribe(item),
    )


def _contact_unsubscribe(item: Feedback) -> str:
    # Keyed by reference, which exists before the item is flushed.
    return external_url("outbox.unsubscribe", token=unsubscribe_token("r", item.reference))


def reply_published(item: Feedback) -> OutboxMessage | None:
    """Queue the email telling a consenting author that a reply or outcome was published."""
    if not item.public_reply or not _contactable(item):
        return None
    return queue(
        "reply",
        item.contact.email,
        f"An update on your feedback: {item.reference}",
        {"item": item},
        feedback=item,
        unsubscribe_url=_contact_unsubscribe(item),
    )


def survey_contact(definition: dict, answers: dict) -> tuple[str, str] | None:
    """Return (email question id, address) when a survey response's author consented to be
    contacted and gave an address: the email question is shown only when its yes/no consent
    question has the answer its condition names, so both must be there. Answers are plain."""
    from .. import survey_definitions

    for question in survey_definitions.all_questions(definition):
        if question["type"] != "email":
            continue
        condition = question.get("condition") or {}
        consent = answers.get(condition.get("question"))
        address = answers.get(question["id"])
        if address and consent is not None and consent == condition.get("equals"):
            return question["id"], str(address).strip()
    return None


def _stored_survey_contact(response: SurveyResponse) -> str | None:
    """The address a stored response still holds with consent (email answers are encrypted)."""
    answers = dict(response.answers or {})
    found = survey_contact(response.version.definition, answers)
    if found is None:
        return None
    return crypto.decrypt(found[1])


def survey_received(
    response: SurveyResponse, answers: dict, tracking: list[tuple[str, str]]
) -> OutboxMessage | None:
    """Queue the acknowledgement of a survey response (its reference, and the private tracking
    link of each written answer that became feedback), only when its author consented to be
    contacted and gave an address. `answers` are the plain answers; `tracking` is
    (feedback reference, token) per written answer."""
    found = survey_contact(response.version.definition, answers)
    if found is None:
        return None
    links = [
        (reference, external_url("public.track", token=token)) for reference, token in tracking
    ]
    return queue(
        "survey_acknowledgement",
        found[1],
        f"We have received your survey answers: {response.reference}",
        {"response": response, "title": response.version.title, "links": links},
        survey_response=response,
        unsubscribe_url=external_url(
            "outbox.unsubscribe", token=unsubscribe_token("s", response.reference)
        ),
    )


def _followers(commitment_id: int | None) -> list[CommitmentFollow]:
    if commitment_id is None:
        return []
    return list(
        db.session.scalars(
            select(CommitmentFollow).where(
                CommitmentFollow.commitment_id == commitment_id,
                CommitmentFollow.confirmed_at.is_not(None),
            )
        )
    )


def _queue_for_followers(kind: str, commitment: Commitment, subject: str, context: dict) -> int:
    followers = _followers(commitment.id)
    for follow in followers:
        queue(
            kind,
            follow.email,
            subject,
            {"commitment": commitment, **context},
            follow=follow,
            unsubscribe_url=external_url(
                "outbox.unsubscribe", token=unsubscribe_token("f", follow.id)
            ),
        )
    return len(followers)


def progress_posted(update: ProgressUpdate) -> int:
    """Queue an update to everyone following the commitment progress was posted for."""
    commitment = update.commitment
    return _queue_for_followers(
        "follow_progress",
        commitment,
        f"Progress on: {commitment.title}",
        {
            "update": update,
            "commitment_url": external_url("public.commitment", slug=commitment.slug),
        },
    )


def outcome_published(action: Action) -> int:
    """Tell the authors of linked feedback, and followers of the agenda item's commitment."""
    for item in action.feedback:
        reply_published(item)
    commitment = action.item.commitment if action.item else None
    if commitment is None:
        return 0
    return _queue_for_followers(
        "follow_outcome",
        commitment,
        f"You said, we did: {commitment.title}",
        {
            "action": action,
            "commitment_url": external_url("public.commitment", slug=commitment.slug),
            "yousaid_url": external_url("yousaid.index", commitment=commitment.slug),
        },
    )


# --- following a commitment -----------------------------------------------------------------


def request_follow(commitment: Commitment, email: str) -> CommitmentFollow:
    """Record a wish to follow and queue the confirmation email (double opt-in). Asking again
    resends the confirmation at most every 10 minutes; a confirmed follow gets nothing."""
    email = email.strip()
    follow = db.session.scalar(
        select(CommitmentFollow).where(
            CommitmentFollow.commitment_id == commitment.id,
            CommitmentFollow.email_index.in_(blind_indexes(email)),
        )
    )
    now = utcnow()
    if follow is None:
        follow = CommitmentFollow(commitment=commitment, email=email, created_at=now)
        db.session.add(follow)
        db.session.flush()
    elif follow.confirmed_at is not None or _recent_confirmation(follow, now):
        return follow
    queue(
        "follow_confirm",
        follow.email,
        f"Confirm you want updates on: {commitment.title}",
        {
            "commitment": commitment,
            "confirm_url": external_url("outbox.confirm", token=confirm_token(follow)),
        },
        follow=follow,
        unsubscribe_url=external_url("outbox.unsubscribe", token=unsubscribe_token("f", follow.id)),
    )
    return follow


def _recent_confirmation(follow: CommitmentFollow, now: datetime) -> bool:
    last = db.session.scalar(
        select(func.max(OutboxMessage.created_at)).where(
            OutboxMessage.subscription_id == follow.id, OutboxMessage.kind == "follow_confirm"
        )
    )
    if last is None:
        return False
    if last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    return now - last < RESEND_CONFIRMATION_AFTER


def follow_for_token(token: str) -> CommitmentFollow:
    """Return the follow a confirmation link is for; OutboxError if it is bad or expired."""
    try:
        data = _confirm_serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as error:
        raise OutboxError("expired") from error
    except BadSignature as error:
        raise OutboxError("invalid") from error
    follow = db.session.get(CommitmentFollow, data.get("f")) if isinstance(data, dict) else None
    if follow is None or follow.email != data.get("e"):
        raise OutboxError("invalid")
    return follow


def confirm_follow(follow: CommitmentFollow) -> None:
    """Start sending updates to a follow (idempotent)."""
    if follow.confirmed_at is None:
        follow.confirmed_at = utcnow()


@dataclass
class Unsubscribed:
    what: str  # "follow", "feedback", "survey" or "staff"
    commitment: Commitment | None = None
    reference: str | None = None


def valid_unsubscribe_token(token: str) -> bool:
    """Say whether an unsubscribe link is one the portal made (it never expires)."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        return False
    return isinstance(data, dict) and bool(UNSUBSCRIBE_KEYS & set(data))


def unsubscribe(token: str) -> Unsubscribed:
    """Stop the emails a one-click link stands for; safe to repeat. OutboxError if invalid."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature as error:
        raise OutboxError("invalid") from error
    if not isinstance(data, dict):
        raise OutboxError("invalid")
    if "f" in data:
        follow = db.session.get(CommitmentFollow, data["f"])
        if follow is None:
            return Unsubscribed("follow")
        commitment = follow.commitment
        _cancel(OutboxMessage.subscription_id == follow.id)
        db.session.delete(follow)
        return Unsubscribed("follow", commitment=commitment)
    if "r" in data:
        item = db.session.scalar(select(Feedback).where(Feedback.reference == data["r"]))
        if item is None:
            return Unsubscribed("feedback")
        if item.contact is not None:
            item.contact.consent_to_contact = False
        _cancel(OutboxMessage.feedback_id == item.id)
        return Unsubscribed("feedback", reference=item.reference)
    if "s" in data:
        response = db.session.scalar(
            select(SurveyResponse).where(SurveyResponse.reference == data["s"])
        )
        if response is None:
            return Unsubscribed("survey")
        drop_survey_emails(response)
        _cancel(OutboxMessage.survey_response_id == response.id)
        return Unsubscribed("survey", reference=response.reference)
    if "u" in data:
        user = db.session.get(User, data["u"])
        if user is not None:
            set_frequency(user, Frequency.NONE)
        return Unsubscribed("staff")
    raise OutboxError("invalid")


def drop_survey_emails(response: SurveyResponse) -> int:
    """Delete a survey response's email answers (and their blind index); return how many."""
    from ..survey_definitions import email_question_ids

    answers = dict(response.answers or {})
    removed = 0
    for qid in email_question_ids(response.version.definition):
        if answers.pop(qid, None):
            removed += 1
    if removed:
        response.answers = answers
        response.email_index = None
    return removed


def _cancel(condition) -> int:
    """Cancel messages not yet delivered that match the condition."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(condition, OutboxMessage.status.in_([MessageStatus.PENDING, MessageStatus.HELD]))
        .values(status=MessageStatus.CANCELLED, last_error="withdrawn before delivery")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- privacy: subject access, erasure, retention -------------------------------------------


def held_for(email: str) -> dict[str, list[dict[str, object]]]:
    """Return the follows and queued or sent emails held for an address (subject access)."""
    email = email.strip().lower()
    follows = db.session.scalars(
        select(CommitmentFollow).where(CommitmentFollow.email_index.in_(blind_indexes(email)))
    )
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_index.in_(blind_indexes(email)))
        .order_by(OutboxMessage.id)
    )
    return {
        "follows": [
            {
                "commitment": f.commitment.slug,
                "requested_at": f.created_at.isoformat(),
                "confirmed_at": f.confirmed_at.isoformat() if f.confirmed_at else None,
            }
            for f in follows
        ],
        "emails": [
            {
                "subject": m.subject,
                "status": m.status.value,
                "queued_at": m.created_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in messages
        ],
    }


def erase_address(email: str) -> int:
    """Delete every follow and every email to or about an address; return how many rows went."""
    email = email.strip().lower()
    follows = db.session.execute(
        select(CommitmentFollow.id).where(CommitmentFollow.email_index.in_(blind_indexes(email)))
    ).scalars()
    follow_ids = list(follows)
    removed = db.session.execute(
        OutboxMessage.__table__.delete().where(
            (OutboxMessage.to_index.in_(blind_indexes(email)))
            | OutboxMessage.subscription_id.in_(follow_ids or [-1])
        )
    ).rowcount
    removed += db.session.execute(
        CommitmentFollow.__table__.delete().where(CommitmentFollow.id.in_(follow_ids or [-1]))
    ).rowcount
    return removed or 0


def purge(
    now: datetime, months: int, feedback_ids: list[int], survey_response_ids: list[int] = ()
) -> int:
    """Retention: delete mail about purged items and survey responses, drop delivered mail and
    unconfirmed follows older than the retention period / the confirmation window. Returns
    rows removed."""
    cutoff = now - timedelta(days=round(months * 30.44))
    removed = 0
    if feedback_ids:
        removed += db.session.execute(
            OutboxMessage.__table__.delete().where(OutboxMessage.feedback_id.in_(feedback_ids))
        ).rowcount
    if survey_response_ids:
        removed += db.session.execute(
            OutboxMessage.__table__.delete().where(
                OutboxMessage.survey_response_id.in_(list(survey_response_ids))
            )
        ).rowcount
    removed += db.session.execute(
        OutboxMessage.__table__.delete().where(
            OutboxMessage.created_at < cutoff,
            OutboxMessage.status.in_(
                [MessageStatus.SENT, MessageStatus.DIGESTED, MessageStatus.CANCELLED]
            ),
        )
    ).rowcount
    removed += db.session.execute(
        CommitmentFollow.__table__.delete().where(
            CommitmentFollow.confirmed_at.is_(None),
            CommitmentFollow.created_at < now - timedelta(seconds=CONFIRM_MAX_AGE),
        )
    ).rowcount
    return removed or 0


# --- staff alerts and digests ---------------------------------------------------------------


def preference(user: User) -> StaffEmailPreference:
    """Return a staff member's email preference (immediate by default), creating it if absent."""
    pref = db.session.get(StaffEmailPreference, user.id)
    if pref is None:
        pref = StaffEmailPreference(user_id=user.id, frequency=Frequency.IMMEDIATE)
        db.session.add(pref)
    return pref


def set_frequency(user: User, frequency: Frequency) -> None:
    """Choose immediate alerts, a daily digest or no emails; "no emails" also cancels what is
    queued or held for this person."""
    preference(user).frequency = frequency
    if frequency is Frequency.NONE:
        _cancel(OutboxMessage.user_id == user.id)


def _wants_staff_email(user: User) -> bool:
    pref = db.session.get(StaffEmailPreference, user.id)
    return user.active and (pref is None or pref.frequency is not Frequency.NONE)


def _staff_context(user: User, context: dict) -> dict:
    return {"user": user, "account_url": external_url("outbox.account"), **context}


def staff_alert(user: User, kind: str, subject: str, context: dict) -> OutboxMessage | None:
    """Queue an alert to a staff member, held for their digest if they chose one, nothing if
    they chose no emails."""
    if not _wants_staff_email(user):
        return None
    daily = preference(user).frequency is Frequency.DAILY
    return queue(
        kind,
        user.email,
        subject,
        _staff_context(user, context),
        user=user,
        held=daily,
        unsubscribe_url=staff_unsubscribe_url(user),
    )


def item_assigned(item: Feedback, actor: User, assignee: User | None) -> None:
    """Tell someone an item was assigned to them (not when they assigned it to themselves)."""
    if assignee is None or assignee.id == actor.id:
        return
    staff_alert(
        assignee,
        "staff_assigned",
        f"Feedback {item.reference} was assigned to you",
        {"item": item, "item_url": external_url("triage.item", reference=item.reference)},
    )


def note_submitted(note: Note) -> None:
    """Tell every Implementation Group member that a note is waiting for review."""
    members = db.session.scalars(
        select(User).where(User.role == StaffRole.MEMBER, User.active.is_(True))
    )
    url = external_url("notes.show", note_id=note.id)
    for member in members:
        if member.id != note.author_id:
            staff_alert(
                member,
                "staff_note_submitted",
                f"A note to review: {note.title}",
                {"note": note, "note_url": url},
            )


def note_returned(note: Note) -> None:
    """Tell a note's author it came back with comments."""
    if note.author is None:
        return
    staff_alert(
        note.author,
        "staff_note_returned",
        f"Your note was returned with comments: {note.title}",
        {"note": note, "note_url": external_url("notes.show", note_id=note.id)},
    )


@dataclass
class DigestReport:
    daily: int = 0
    weekly: int = 0
    alerts: int = 0
    recipients: list[str] = field(default_factory=list)


def build_digests(now: datetime) -> DigestReport:
    """Queue each daily digest of held alerts, and each officer's weekly digest of new feedback
    on their commitments when a week has passed since the last. Safe to run more often."""
    report = DigestReport()
    held = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.HELD, OutboxMessage.user_id.is_not(None))
            .order_by(OutboxMessage.user_id, OutboxMessage.id)
        )
    )
    by_user: dict[int, list[OutboxMessage]] = {}
    for message in held:
        by_user.setdefault(message.user_id, []).append(message)
    for user_id, alerts in by_user.items():
        user = db.session.get(User, user_id)
        wanted = user is not None and _wants_staff_email(user)
        for alert in alerts:
            alert.status = MessageStatus.DIGESTED if wanted else MessageStatus.CANCELLED
        if not wanted:
            continue
        queue(
            "staff_digest",
            user.email,
            f"Your daily digest: {len(alerts)} {'update' if len(alerts) == 1 else 'updates'}",
            _staff_context(user, {"alerts": alerts}),
            user=user,
            unsubscribe_url=staff_unsubscribe_url(user),
        )
        preference(user).last_daily_digest_at = now
        report.daily += 1
        report.alerts += len(alerts)
        report.recipients.append(user.email)
    officers = db.session.scalars(
        select(User).where(User.role == StaffRole.OFFICER, User.active.is_(True))
    )
    for officer in officers:
        if not officer.commitments or not _wants_staff_email(officer):
            continue
        pref = preference(officer)
        last = pref.last_weekly_digest_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=now.tzinfo)
        if last is not None and now - last < timedelta(days=7) - timedelta(hours=1):
            continue
        since = last or now - timedelta(days=7)
        counts = dict(
            db.session.execute(
                select(Feedback.commitment_id, func.count())
                .where(
                    Feedback.commitment_id.in_([c.id for c in officer.commitments]),
                    Feedback.received_at >= since,
                    Feedback.received_at < now,
                )
                .group_by(Feedback.commitment_id)
            ).all()
        )
        pref.last_weekly_digest_at = now
        rows = [
            (c, counts.get(c.id, 0), external_url("public.commitment", slug=c.slug))
            for c in officer.commitments
        ]
        total = sum(n for _, n, _ in rows)
        if total == 0:
            continue
        queue(
            "officer_weekly",
            officer.email,
            f"This week: {total} new feedback {'item' if total == 1 else 'items'} "
            "on your commitments",
            _staff_context(officer, {"rows": rows, "since": since, "total": total}),
            user=officer,
            unsubscribe_url=staff_unsubscribe_url(officer),
        )
        report.weekly += 1
        report.recipients.append(officer.email)
    return report


# --- delivery -------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th temporary failure: 30 s, 1 min, 2 min … at most 6 h."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def due_ids(now: datetime, limit: int) -> list[int]:
    """Return the ids of the next messages to deliver, oldest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == MessageStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def still_wanted(message: OutboxMessage) -> bool:
    """Check at the last moment that the person can still be written to."""
    if message.kind in PUBLIC_KINDS:
        item = message.feedback
        return bool(
            item is not None
            and _contactable(item)
            and item.contact.email.lower() == message.to_address.lower()
        )
    if message.kind in FOLLOW_KINDS:
        return message.subscription is not None and message.subscription.confirmed_at is not None
    if message.kind == "follow_confirm":
        return message.subscription is not None
    if message.kind in SURVEY_KINDS:
        response = message.survey_response
        address = _stored_survey_contact(response) if response is not None else None
        return bool(address and address.lower() == message.to_address.lower())
    if message.user_id is not None:
        return message.user is not None and _wants_staff_email(message.user)
    return True


@dataclass
class Delivery:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0
    stopped_early: bool = False


def deliver(backend: Backend, message: OutboxMessage, now: datetime, report: Delivery) -> None:
    """Try one message and record what happened (the caller commits straight after)."""
    if message.status is not MessageStatus.PENDING:
        return
    if not still_wanted(message):
        message.status = MessageStatus.CANCELLED
        message.last_error = "the person can no longer be written to"
        report.cancelled += 1
        return
    message.attempts += 1
    try:
        backend.send(message)
    except TemporaryFailure as error:
        message.last_error = str(error)[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
            report.failed += 1
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            report.deferred += 1
        report.stopped_early = report.stopped_early or error.connection
        return
    except PermanentFailure as error:
        message.status = MessageStatus.FAILED
        message.last_error = str(error)[:2000]
        report.failed += 1
        return
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    report.sent += 1


def retry(message: OutboxMessage) -> None:
    """Put a failed message back in the queue (admins, from /admin/outbox)."""
    if message.status is not MessageStatus.FAILED:
        raise OutboxError("Only a failed message can be retried")
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()


def status_counts() -> dict[MessageStatus, int]:
    """Count the outbox's messages by status, every status present."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = dict.fromkeys(MessageStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def problem_messages(limit: int = 200) -> list[OutboxMessage]:
    """Failed messages and those waiting after a temporary failure, newest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                (OutboxMessage.status == MessageStatus.FAILED)
                | ((OutboxMessage.status == MessageStatus.PENDING) & (OutboxMessage.attempts > 0))
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
