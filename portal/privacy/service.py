"""Privacy rules: purge contact details after retention, find/export/erase what is held about
an email address, redact passages of feedback text, equality monitoring in aggregate."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Insert, delete, func, insert, select

from .. import audit, crypto, survey_definitions
from ..anonymise import scrub, suggestions  # noqa: F401  (suggestions moved there)
from ..core.unitofwork import RuleError
from ..extensions import db
from ..models import (
    ContactDetails,
    EqualityResponse,
    Feedback,
    SurveyResponse,
    User,
    utcnow,
)
from ..outbox import service as outbox
from ..periods import uk_date
from .models import EqualityToken

REDACTED = "[redacted]"
ERASED_TEXT = "[This feedback was erased at the request of the person who sent it.]"
SUPPRESS_BELOW = 5


class PrivacyError(RuleError):
    """A privacy action was refused; the message says why."""


# --- retention -----------------------------------------------------------------------------


@dataclass
class PurgeReport:
    contact_details: int = 0
    survey_emails: int = 0
    anonymised: int = 0
    references: list[str] = field(default_factory=list)
    outbox_rows: int = 0


def _email_questions(response: SurveyResponse) -> list[str]:
    return [
        q["id"]
        for q in survey_definitions.all_questions(response.version.definition)
        if q["type"] == "email"
    ]


def purge(months: int, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete contact details of items closed more than `months` ago; the feedback text stays,
    with anything that looks like contact details scrubbed. Safe to run again: it only finds
    what is still there."""
    now = now or utcnow()
    cutoff = now - timedelta(days=round(months * 30.44))
    report = PurgeReport()
    response_ids: list[int] = []
    items = list(
        db.session.scalars(
            select(Feedback).where(
                Feedback.closed_at.is_not(None),
                Feedback.closed_at < cutoff,
                Feedback.anonymised_at.is_(None),
            )
        )
    )
    for item in items:
        report.references.append(item.reference)
        if item.contact is not None:
            report.contact_details += 1
            if not dry_run:
                db.session.delete(item.contact)
        if not dry_run:
            item.body = scrub(item.body)
            item.anonymised_at = now
        report.anonymised += 1
        if item.survey_response_id and not dry_run:
            response = db.session.get(SurveyResponse, item.survey_response_id)
            report.survey_emails += _drop_survey_emails(response)
            response_ids.append(item.survey_response_id)
    if not dry_run:
        # Mail about purged items is stopped; delivered mail and stale follow requests go too.
        report.outbox_rows = outbox.purge(
            now, months, [item.id for item in items], survey_response_ids=response_ids
        )
    if not dry_run and items:
        audit.record(
            None,
            "privacy",
            0,
            "purge",
            "retention",
            None,
            f"{report.anonymised} items anonymised, {report.contact_details} contact details "
            f"deleted (closed before {uk_date(cutoff)})",
        )
    return report


def _drop_survey_emails(response: SurveyResponse | None) -> int:
    if response is None:
        return 0
    removed = 0
    answers = dict(response.answers)
    for qid in _email_questions(response):
        if answers.pop(qid, None):
            removed += 1
    if removed:
        response.answers = answers
        response.email_index = None
    return removed


# --- subject access and erasure --------------------------------------------------------------


def _normalise(email: str) -> str:
    email = (email or "").strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 320:
        raise PrivacyError("Enter an email address in the correct format, like name@example.com")
    return email


def _survey_responses_with(email: str) -> list[SurveyResponse]:
    """Find survey responses with this email answer through the keyed blind index (answers are
    stored encrypted), confirming each candidate against its decrypted answers."""
    candidates = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.email_index.in_(crypto.blind_indexes(email)))
    )
    found = []
    for response in candidates:
        for qid in _email_questions(response):
            value = response.answers.get(qid)
            if value and crypto.decrypt(str(value)).strip().lower() == email:
                found.append(response)
                break
    return found


def _contacts_with(email: str) -> list[ContactDetails]:
    """Find contact details with this email address through the keyed blind index."""
    return list(
        db.session.scalars(
            select(ContactDetails).where(
                ContactDetails.email_index.in_(crypto.blind_indexes(email))
            )
        )
    )


def subject_access(email: str) -> dict[str, Any]:
    """Return everything held about an email address, as a JSON-ready dict."""
    email = _normalise(email)
    contacts = _contacts_with(email)
    responses = _survey_responses_with(email)
    return {
        "email": email,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "feedback": [
            {
                "reference": c.feedback.reference,
                "received_at": c.feedback.received_at.isoformat(timespec="seconds"),
                "about": c.feedback.commitment.title if c.feedback.commitment else "General",
                "text": c.feedback.body,
                "organisation": c.feedback.organisation,
                "stakeholder_type": c.feedback.stakeholder_type.value,
                "locality": c.feedback.locality.value if c.feedback.locality else None,
                "status": c.feedback.status.value,
                "public_reply": c.feedback.public_reply,
                "name": c.name,
                "email": c.email,
                "consent_to_contact": {
                    "version": c.consent_version,
                    "at": c.consented_at.isoformat(timespec="seconds"),
                },
                "consent_to_quote": c.feedback.consent_to_quote,
            }
            for c in contacts
        ],
        "survey_responses": [
            {
                "reference": r.reference,
                "survey": r.version.title,
                "version": r.version.version,
                "submitted_at": r.submitted_at.isoformat(timespec="seconds"),
                "answers": {
                    k: crypto.decrypt(v) if isinstance(v, str) else v for k, v in r.answers.items()
                },
            }
            for r in responses
        ],
        **outbox.held_for(email),  # commitment follows and emails queued or sent
    }


@dataclass
class ErasureReport:
    contact_details: int = 0
    texts_redacted: int = 0
    survey_responses: int = 0
    emails_and_follows: int = 0


def erase(actor: User, email: str, redact_text: bool = False) -> ErasureReport:
    """Erase what is held about an email: contact details always, the feedback text when asked.
    The audit trail records what was done and to which references, never the email itself."""
    email = _normalise(email)
    report = ErasureReport()
    references = []
    for contact in list(_contacts_with(email)):
        item = contact.feedback
        references.append(item.reference)
        db.session.delete(contact)
        report.contact_details += 1
        if redact_text:
            item.body = ERASED_TEXT
            item.organisation = None
            item.consent_to_quote = False
            report.texts_redacted += 1
    for response in _survey_responses_with(email):
        references.append(response.reference)
        _drop_survey_emails(response)
        report.survey_responses += 1
        if redact_text:
            for item in response.feedback:
                item.body = ERASED_TEXT
                item.consent_to_quote = False
                report.texts_redacted += 1
    report.emails_and_follows = outbox.erase_address(email)
    if not references and not report.emails_and_follows:
        raise PrivacyError("Nothing is held about that email address")
    audit.record(
        actor,
        "privacy",
        0,
        "erasure",
        "references",
        None,
        f"{', '.join(references)}; contact details removed"
        + ("; text redacted" if redact_text else ""),
    )
    return report


# --- redaction -------------------------------------------------------------------------------


def redact(actor: User, item: Feedback, passages: list[str]) -> int:
    """Replace each passage in an item's text with [redacted]. The original is not kept: the
    audit trail records how many passages went, not what they said, and the search index is
    updated by its triggers."""
    passages = [p for p in (p.strip() for p in passages) if p]
    if not passages:
        raise PrivacyError("Choose or enter the text to redact")
    body = item.body
    count = 0
    for passage in passages:
        if passage not in body:
            raise PrivacyError("That text is not in the feedback (it must match exactly)")
        count += body.count(passage)
        body = body.replace(passage, REDACTED)
    item.body = body
    audit.record(actor, "feedback", item.id, "redact", "body", None, f"{count} passages redacted")
    return count


# --- equality monitoring -----------------------------------------------------------------------

AGE_BANDS = [
    "Under 16",
    "16 to 24",
    "25 to 34",
    "35 to 44",
    "45 to 54",
    "55 to 64",
    "65 to 74",
    "75 or over",
    "Prefer not to say",
]
DISABILITY = ["Yes", "No", "Prefer not to say"]
ETHNICITY = [
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Mixed or multiple ethnic groups",
    "White",
    "Other ethnic group",
    "Prefer not to say",
]
SEX = ["Female", "Male", "Prefer not to say"]
QUESTIONS = {
    "age_band": ("What is your age?", AGE_BANDS),
    "disability": ("Do you consider yourself to have a disability?", DISABILITY),
    "ethnicity": ("What is your ethnic group?", ETHNICITY),
    "sex": ("What is your sex?", SEX),
}


EQUALITY_TOKEN_HOURS = 24


def issue_equality_token(now: datetime | None = None) -> str:
    """Return a fresh one-time token allowing one set of equality answers (only its hash is
    stored, with no link to the submission it was issued with)."""
    token = secrets.token_urlsafe(24)
    now = now or utcnow()
    # One INSERT in the caller's transaction, not an object for the session's flush: issued
    # with every feedback submission, where the flush cost more than the statement.
    db.session.connection().execute(
        _insert_equality_token(),
        {
            "token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "expires_at": now + timedelta(hours=EQUALITY_TOKEN_HOURS),
        },
    )
    return token


@cache
def _insert_equality_token() -> Insert:
    return insert(EqualityToken.__table__)


def equality_token_valid(token: str | None) -> bool:
    """Say whether an equality token can still be used."""
    if not token:
        return False
    row = db.session.get(EqualityToken, hashlib.sha256(token.encode()).hexdigest())
    return row is not None and _aware(row.expires_at) > utcnow()


def use_equality_token(token: str | None) -> bool:
    """Spend a one-time equality token; False if it was already used, expired or unknown.
    One DELETE, so two requests racing with the same token cannot both succeed."""
    if not token:
        return False
    table = EqualityToken.__table__
    result = db.session.execute(
        delete(table).where(
            table.c.token_hash == hashlib.sha256(token.encode()).hexdigest(),
            table.c.expires_at > utcnow(),
        )
    )
    return result.rowcount == 1


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def record_equality(answers: dict[str, str], on: date | None = None) -> EqualityResponse | None:
    """Store equality answers apart from any feedback (only the month is kept). All optional.
    The caller spends the one-time token first and commits."""
    cleaned = {}
    for key, (_, options) in QUESTIONS.items():
        value = (answers.get(key) or "").strip()
        if value and value not in options:
            raise PrivacyError("Choose an answer from the list")
        cleaned[key] = value or None
    if not any(cleaned.values()):
        return None
    on = on or datetime.now(UTC).date()
    response = EqualityResponse(month=on.replace(day=1), **cleaned)
    db.session.add(response)
    return response


def equality_report() -> dict[str, list[tuple[str, str]]]:
    """Counts per answer, with counts under 5 shown as "fewer than 5"."""
    report = {}
    for key, (label, options) in QUESTIONS.items():
        column = getattr(EqualityResponse, key)
        counts = dict(
            db.session.execute(
                select(column, func.count()).where(column.is_not(None)).group_by(column)
            ).all()
        )
        report[label] = [
            (
                option,
                "fewer than 5"
                if 0 < counts.get(option, 0) < SUPPRESS_BELOW
                else str(counts.get(option, 0)),
            )
            for option in options
        ]
    return report
