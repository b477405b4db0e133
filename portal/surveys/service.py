"""Survey rules: syncing files into versions, opening and closing, submitting, results."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..core.unitofwork import RuleError
from ..database import savepoint
from ..extensions import db
from ..inputs import parse_date_range
from ..models import (
    Channel,
    Commitment,
    Feedback,
    StakeholderType,
    Survey,
    SurveyResponse,
    SurveyVersion,
)
from ..outbox import service as outbox
from ..privacy.keys import encrypt_survey_answers
from ..public.service import REFERENCE_ALPHABET, NewFeedback, build_feedback
from . import engine
from .schema import CLOSED_TYPES, check_paths, content_hash

RESPONSE_PREFIX = "SVS-"


class SurveyError(RuleError):
    """A survey action was refused; the message says why."""


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def sync(paths: list[Path] | None = None) -> SyncReport:
    """Load valid survey files; a changed file becomes a new version, old ones are kept."""
    report = SyncReport()
    for result in check_paths(paths):
        if not result.ok:
            report.problems.extend(str(p) for p in result.problems)
            continue
        definition = result.definition
        digest = content_hash(definition)
        survey = db.session.scalar(select(Survey).where(Survey.slug == definition["slug"]))
        if survey is None:
            survey = Survey(slug=definition["slug"])
            db.session.add(survey)
            report.created.append(definition["slug"])
        elif survey.current.content_hash == digest:
            report.unchanged.append(definition["slug"])
            continue
        elif definition["version"] <= survey.current.version:
            report.problems.append(
                f"{result.path.name}: the file changed but its version is still "
                f"{definition['version']}; raise it above {survey.current.version} to publish it"
            )
            continue
        else:
            report.new_versions.append(f"{definition['slug']} v{definition['version']}")
        survey.versions.append(
            SurveyVersion(
                version=definition["version"],
                content_hash=digest,
                title=definition["title"],
                opens_on=date.fromisoformat(definition["opens"]),
                closes_on=date.fromisoformat(definition["closes"]),
                definition=definition,
            )
        )
    db.session.flush()
    return report


def today() -> date:
    """Return today's date in the UK sense used for opening and closing (UTC)."""
    return datetime.now(UTC).date()


def is_open(version: SurveyVersion, on: date | None = None) -> bool:
    """Say whether a survey version accepts answers on a day (both ends inclusive)."""
    on = on or today()
    return version.opens_on <= on <= version.closes_on


def get_survey(slug: str) -> Survey | None:
    """Return the survey with this slug, versions loaded."""
    return db.session.scalar(
        select(Survey).where(Survey.slug == slug).options(selectinload(Survey.versions))
    )


def published_survey_query(slug: str) -> Select[tuple[Survey]]:
    """The query for a survey with at least one version, versions loaded (for
    `db.first_or_404`)."""
    return (
        select(Survey)
        .where(Survey.slug == slug, Survey.versions.any())
        .options(selectinload(Survey.versions))
    )


def open_surveys(on: date | None = None) -> list[SurveyVersion]:
    """Return the current version of every survey open today."""
    surveys = db.session.scalars(select(Survey).options(selectinload(Survey.versions)))
    current = [s.current for s in surveys if s.versions]
    return sorted([v for v in current if is_open(v, on)], key=lambda v: v.closes_on)


def version_by_id(version_id: int) -> SurveyVersion | None:
    """Return a stored survey version."""
    return db.session.get(SurveyVersion, version_id)


def _reference() -> str:
    return RESPONSE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(7))


def find_response(submission_key: str) -> SurveyResponse | None:
    """Return the response already stored under a one-time key."""
    return db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.submission_key == submission_key)
    )


@dataclass
class SubmittedResponse:
    response: SurveyResponse
    tracking: list[tuple[str, str]]  # (feedback reference, private token) per long answer
    duplicate: bool = False


def submit(
    version: SurveyVersion,
    answers: engine.Answers,
    submission_key: str,
    on: date | None = None,
) -> SubmittedResponse:
    """Store a response and turn each long-text answer into a feedback item, in one transaction.

    Refused when the survey is closed or an answer is missing; a repeat of the same one-time key
    returns the first response.
    """
    existing = find_response(submission_key)
    if existing is not None:
        return SubmittedResponse(existing, [], duplicate=True)
    if not is_open(version, on):
        raise SurveyError("This survey is closed")
    definition = version.definition
    answers = engine.prune(definition, answers)
    if engine.first_incomplete(definition, answers) is not None:
        raise SurveyError("Answer every question that needs an answer, then send your answers")
    who = engine.stakeholder_type(definition, answers)
    commitment_id = _first_commitment_id(definition)
    quote = answers.get("consent_to_quote") == "yes"
    # Email answers are stored encrypted, with a blind index for subject access.
    sealed = encrypt_survey_answers(answers, definition)
    stored, email_index = sealed if sealed is not None else (answers, None)
    for _ in range(5):
        response = SurveyResponse(
            reference=_reference(),
            version=version,
            submission_key=submission_key,
            stakeholder_type=who,
            answers=stored,
            email_index=email_index,
        )
        tracking = []
        for question in engine.all_questions(definition):
            text = answers.get(question["id"])
            if question["type"] != "long_text" or not text or len(text) < engine.LONG_MIN:
                continue
            feedback, token = build_feedback(
                NewFeedback(
                    body=text,
                    stakeholder_type=who,
                    commitment_id=commitment_id,
                    consent_to_quote=quote,
                    channel=Channel.SURVEY,
                )
            )
            feedback.survey_question_id = question["id"]
            response.feedback.append(feedback)
            tracking.append((feedback.reference, token))
        try:
            # In a savepoint: a duplicate key or reference undoes this attempt only. The
            # acknowledgement (only with consent and an address) is committed with the response
            # by the caller.
            with savepoint():
                db.session.add(response)
                outbox.survey_received(response, answers, tracking)
        except IntegrityError:
            existing = find_response(submission_key)
            if existing is not None:
                return SubmittedResponse(existing, [], duplicate=True)
            continue
        return SubmittedResponse(response, tracking)
    raise RuntimeError("Could not allocate a unique reference")


def _first_commitment_id(definition: dict[str, Any]) -> int | None:
    slugs = definition.get("commitments") or []
    if not slugs:
        return None
    return db.session.scalar(select(Commitment.id).where(Commitment.slug == slugs[0]))


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class ResultFilters:
    stakeholder_type: StakeholderType | None = None
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> ResultFilters:
        """Parse the results filter form."""
        filters = cls()
        who = args.get("stakeholder_type", "")
        if who:
            try:
                filters.stakeholder_type = StakeholderType(who)
            except ValueError:
                filters.errors["stakeholder_type"] = "Choose who answered from the list"
        # The GOV.UK date inputs (from-day, from-month, from-year); links made before them may
        # still carry from=YYYY-MM-DD.
        sent = parse_date_range(args, ("Sent from", "Sent to"))
        filters.date_from, filters.date_to = sent.start, sent.end
        filters.errors.update(sent.errors)
        filters.typed.update(sent.typed)
        return filters


@dataclass
class OptionCount:
    value: str
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: dict[str, Any]
    answered: int
    counts: list[OptionCount]
    texts: list[tuple[str, Any]]  # (answer, feedback reference or response reference)
    earlier_version_only: bool = False


@dataclass
class SurveyResults:
    responses: list[SurveyResponse]
    questions: list[QuestionResult]


def responses(survey: Survey, filters: ResultFilters | None = None) -> list[SurveyResponse]:
    """Return a survey's responses (every version), filtered, oldest first."""
    filters = filters or ResultFilters()
    version_ids = [v.id for v in survey.versions]
    query = (
        select(SurveyResponse)
        .where(SurveyResponse.version_id.in_(version_ids))
        .options(selectinload(SurveyResponse.feedback), selectinload(SurveyResponse.version))
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    )
    if filters.stakeholder_type:
        query = query.where(SurveyResponse.stakeholder_type == filters.stakeholder_type)
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
        query = query.where(SurveyResponse.submitted_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(SurveyResponse.submitted_at < end)
    return list(db.session.scalars(query))


def question_columns(survey: Survey) -> list[tuple[dict[str, Any], bool]]:
    """Return every question across versions: the current wording first, then retired ones.
    Email answers are contact details: they never appear in results or exports."""
    seen: dict[str, tuple[dict[str, Any], bool]] = {}
    for question in engine.all_questions(survey.current.definition):
        seen[question["id"]] = (question, False)
    for version in reversed(survey.versions[:-1]):
        for question in engine.all_questions(version.definition):
            seen.setdefault(question["id"], (question, True))
    return [(q, retired) for q, retired in seen.values() if q["type"] != "email"]


def results(survey: Survey, filters: ResultFilters | None = None) -> SurveyResults:
    """Count answers per question and option; collect free-text answers with their items."""
    rows = responses(survey, filters)
    out = []
    for question, retired in question_columns(survey):
        qid = question["id"]
        given = [r for r in rows if not engine._empty(r.answers.get(qid))]
        counts: list[OptionCount] = []
        texts: list[tuple[str, Any]] = []
        if question["type"] in CLOSED_TYPES:
            tally: Counter[str] = Counter()
            for response in given:
                value = response.answers[qid]
                for v in value if isinstance(value, list) else [value]:
                    tally[str(v)] += 1
            total = len(given)
            for value, label in engine.options(question):
                count = tally.get(value, 0)
                counts.append(
                    OptionCount(value, label, count, round(100 * count / total, 1) if total else 0)
                )
        else:
            for response in given:
                linked = next(
                    (f.reference for f in response.feedback if f.survey_question_id == qid), None
                )
                texts.append((response.answers[qid], linked))
        out.append(QuestionResult(question, len(given), counts, texts, retired))
    return SurveyResults(rows, out)


def export_rows(survey: Survey, filters: ResultFilters | None = None):
    """Return (header, rows) for the CSV/XLSX export: one row per response."""
    columns = question_columns(survey)
    header = ["reference", "submitted_at", "survey_version", "stakeholder_type"] + [
        q["id"] for q, _ in columns
    ]
    rows = []
    for response in responses(survey, filters):
        row: list[Any] = [
            response.reference,
            response.submitted_at.isoformat(timespec="seconds"),
            response.version.version,
            response.stakeholder_type.value,
        ]
        for question, _ in columns:
            value = response.answers.get(question["id"])
            row.append("; ".join(map(str, value)) if isinstance(value, list) else value)
        rows.append(row)
    return header, rows


def feedback_for(response: SurveyResponse) -> list[Feedback]:
    """Return the feedback items a response created."""
    return list(response.feedback)
