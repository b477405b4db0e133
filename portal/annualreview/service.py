"""Drafting, previewing and publishing the Annual Review of Social Value Impact (report §6).

A year has at most one draft (version 0): staff write its narrative, and its figures are
computed live whenever it is previewed. Publishing turns the draft into the next version
(1, 2, ...) and stores its figures as a snapshot, so a published review never changes; a
correction is a new draft that says what changed, published as the next version, and every
earlier version stays at its own address. Counts of feedback from 1 to 4 are suppressed in the
snapshot itself, so a small number never leaves the database. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..core.unitofwork import RuleError
from ..extensions import db
from ..inputs import TEXT_MAX
from ..models import Action, ActionStatus, Commitment, Feedback, FeedbackStatus, User, utcnow
from ..periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    financial_year,
    quarter_label,
    quarter_of,
    uk_date,
)
from ..progress.service import latest_by_commitment
from ..reports import service as reports
from ..yousaid import service as yousaid
from .models import AnnualReview, ReviewStatus

SUPPRESS_BELOW = 5
SUPPRESSED = "Fewer than 5"
SNAPSHOT_SCHEMA = 1
ENTITY = "annual_review"


class ReviewError(RuleError):
    """A rule of the Annual Review refused a change."""


# --- years ----------------------------------------------------------------------------------


def current_year() -> int:
    """The financial year today falls in."""
    return quarter_of(utcnow().date())[0]


def draftable(year: int) -> bool:
    """Whether a review of this financial year may be drafted: it has started, within range."""
    return FIRST_YEAR <= year <= min(LAST_YEAR, current_year())


def in_range(year: int) -> bool:
    """Whether a year can have an address at all."""
    return FIRST_YEAR <= year <= LAST_YEAR


# --- reading --------------------------------------------------------------------------------


def draft(year: int) -> AnnualReview | None:
    """Return the year's draft, if one is saved."""
    return db.session.scalar(
        select(AnnualReview).where(
            AnnualReview.year == year, AnnualReview.status == ReviewStatus.DRAFT
        )
    )


def versions(year: int) -> list[AnnualReview]:
    """Return the year's published versions, newest first."""
    return list(
        db.session.scalars(
            select(AnnualReview)
            .where(AnnualReview.year == year, AnnualReview.status == ReviewStatus.PUBLISHED)
            .order_by(AnnualReview.version.desc())
        )
    )


def published(year: int, number: int | None = None) -> AnnualReview | None:
    """Return one published version of a year's review (the latest when no number is given)."""
    query = select(AnnualReview).where(
        AnnualReview.year == year, AnnualReview.status == ReviewStatus.PUBLISHED
    )
    if number is not None:
        query = query.where(AnnualReview.version == number)
    return db.session.scalar(query.order_by(AnnualReview.version.desc()).limit(1))


def published_years() -> list[AnnualReview]:
    """Return the latest published version of each year, newest year first."""
    latest = (
        select(AnnualReview.year, func.max(AnnualReview.version).label("version"))
        .where(AnnualReview.status == ReviewStatus.PUBLISHED)
        .group_by(AnnualReview.year)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(AnnualReview)
            .join(
                latest,
                (latest.c.year == AnnualReview.year) & (latest.c.version == AnnualReview.version),
            )
            .order_by(AnnualReview.year.desc())
        )
    )


@dataclass
class YearStatus:
    year: int
    label: str
    draft: AnnualReview | None
    latest: AnnualReview | None


def overview(count: int = 5) -> list[YearStatus]:
    """Return the draft and latest published version of the last few financial years."""
    first = current_year()
    return [
        YearStatus(y, financial_year(y).label, draft(y), published(y))
        for y in range(first, max(FIRST_YEAR, first - count + 1) - 1, -1)
    ]


# --- the figures ----------------------------------------------------------------------------


def suppress(count: int) -> int | None:
    """A count of people's feedback as it may be published: 1 to 4 becomes None (suppressed)."""
    return None if 0 < count < SUPPRESS_BELOW else count


def suppressed_rows(rows: list[tuple[str, int]], adds_up: bool = False) -> list[list]:
    """Suppress the small counts of a table. When the rows add up to a published total, one
    suppressed cell could be worked out by subtraction, so the next smallest is hidden too."""
    result = [[label, suppress(count)] for label, count in rows]
    hidden = [row for row in result if row[1] is None]
    if adds_up and len(hidden) == 1:
        shown = [i for i, row in enumerate(result) if row[1]]
        if shown:
            smallest = min(shown, key=lambda i: rows[i][1])
            result[smallest][1] = None
    return result


def _table(table_id: str, caption: str, header: str, rows: list[list]) -> dict:
    return {
        "id": table_id,
        "caption": caption,
        "header": [header, "Pieces of feedback"],
        "rows": rows,
    }


def build_snapshot(year: int) -> dict:
    """Compute the year's figures as they would be published now (small counts suppressed)."""
    period = financial_year(year)
    pack = reports.annual(period)
    total = _total(period)
    modes = suppressed_rows(pack.by_transport_mode, adds_up=True)
    known_modes = [row for row in modes if row[0] != "Not given"]
    not_given = next((row[1] for row in modes if row[0] == "Not given"), 0)
    tables = [
        _table(
            "commitments",
            "Feedback per commitment",
            "Commitment",
            suppressed_rows(pack.by_commitment),
        ),
        _table("roles", "Feedback per role", "Role", suppressed_rows(pack.by_role)),
        _table("themes", "Feedback per theme", "Theme", suppressed_rows(pack.by_theme)),
        _table(
            "stakeholders",
            "Feedback per stakeholder type",
            "Stakeholder type",
            suppressed_rows(pack.by_stakeholder, adds_up=True),
        ),
        _table(
            "transport",
            "Feedback per transport mode or asset, where known",
            "Transport mode or asset",
            known_modes,
        ),
    ]
    return {
        "schema": SNAPSHOT_SCHEMA,
        "year": year,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_at": utcnow().date().isoformat(),
        "total": suppress(total),
        "transport_not_given": not_given,
        "tables": tables,
        "working_well_codes": suppressed_rows(pack.working_well),
        "to_improve_codes": suppressed_rows(pack.to_improve),
        "actions_completed": _actions_closed(period),
        "actions_open": _actions_open(period),
        "progress": _progress(year),
        "you_said": _you_said(period),
    }


def _total(period: Period) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Feedback)
        .where(
            Feedback.received_at >= period.start_at,
            Feedback.received_at < period.end_before,
            Feedback.status != FeedbackStatus.SPAM,
        )
    )


def _actions_closed(period: Period) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Action)
        .where(
            Action.status == ActionStatus.DONE,
            Action.closed_at >= period.start_at,
            Action.closed_at < period.end_before,
        )
    )


def _actions_open(period: Period) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Action)
        .where(
            Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
            Action.created_at < period.end_before,
        )
    )


def _progress(year: int) -> list[dict]:
    """Each active commitment's latest progress status up to the year's last quarter."""
    latest = latest_by_commitment((year, 4))
    commitments = db.session.scalars(
        select(Commitment).where(Commitment.active.is_(True)).order_by(Commitment.position)
    )
    rows = []
    for commitment in commitments:
        update = latest.get(commitment.id)
        rows.append(
            {
                "commitment": commitment.public_title,
                "status": update.status.label if update else "No update",
                "quarter": quarter_label(update.year, update.quarter) if update else "",
                "narrative": update.narrative if update else "",
            }
        )
    return rows


def _you_said(period: Period) -> list[dict]:
    """Per commitment: how many gave feedback, the approved quotes, decisions and outcomes."""
    return [
        {
            "commitment": story.commitment.public_title,
            "said": suppress(story.said),
            "quotes": list(story.quotes),
            "decisions": list(story.decisions),
            "outcomes": [text for text in story.outcomes if text],
        }
        for story in yousaid.build(period)
        if story.quotes or story.decisions or story.outcomes
    ]


# --- drafting and publishing ------------------------------------------------------------------


@dataclass
class DraftInput:
    introduction: str = ""
    working_well: str = ""
    to_improve: str = ""
    change_note: str = ""


FIELD_LABELS = {
    "introduction": "Introduction",
    "working_well": "What is working well",
    "to_improve": "Opportunities to improve",
    "change_note": "What this version changes",
}


def validate(year: int, data: DraftInput) -> dict[str, str]:
    """Return a message per field that breaks a rule (empty when the draft may be saved)."""
    errors: dict[str, str] = {}
    if not data.introduction.strip():
        errors["introduction"] = "Enter an introduction"
    for name, label in FIELD_LABELS.items():
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = f"{label} must be {TEXT_MAX:,} characters or fewer"
    if published(year) is not None and not data.change_note.strip() and "change_note" not in errors:
        errors["change_note"] = (
            "Enter what this version changes: the review for this year is already published"
        )
    return errors


def starting_text(year: int) -> DraftInput:
    """What the draft form starts with: the saved draft, else the latest published version's
    narrative (a correction starts from what is published), else nothing."""
    source = draft(year) or published(year)
    if source is None:
        return DraftInput()
    return DraftInput(
        source.introduction,
        source.working_well,
        source.to_improve,
        source.change_note if source.status is ReviewStatus.DRAFT else "",
    )


def save_draft(actor: User, year: int, data: DraftInput) -> AnnualReview:
    """Create or update the year's draft (the caller validated `data`)."""
    if not draftable(year):
        raise ReviewError("Choose a financial year that has started")
    review = draft(year)
    if review is None:
        review = AnnualReview(year=year, version=0, status=ReviewStatus.DRAFT)
        db.session.add(review)
        db.session.flush()
        audit.record(actor, ENTITY, review.id, "create", "year", None, year)
    for name in FIELD_LABELS:
        value = getattr(data, name).strip()
        audit.record_change(actor, ENTITY, review.id, name, getattr(review, name), value)
        setattr(review, name, value)
    review.updated_by_id = actor.id
    return review


def publish(actor: User, year: int) -> AnnualReview:
    """Publish the year's draft as its next version, with its figures fixed as they are now."""
    review = draft(year)
    if review is None:
        latest = published(year)
        if latest is not None:  # e.g. the publish button pressed twice
            raise ReviewError(
                f"There is no draft to publish: version {latest.version} is already published"
            )
        raise ReviewError("Save a draft of this year's review before publishing it")
    data = DraftInput(
        review.introduction, review.working_well, review.to_improve, review.change_note
    )
    errors = validate(year, data)
    if errors:
        raise ReviewError(next(iter(errors.values())))
    latest = published(year)
    snapshot = build_snapshot(year)  # before the row changes: its queries flush the session
    review.version = (latest.version if latest else 0) + 1
    review.status = ReviewStatus.PUBLISHED
    review.snapshot = snapshot
    review.published_at = utcnow()
    review.published_by_id = actor.id
    if latest is None:
        review.change_note = ""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise ReviewError(
            "This year's review was published by someone else at the same time: reload the page"
        ) from error
    audit.record(actor, ENTITY, review.id, "publish", "version", None, review.version)
    return review


# --- what a page shows ----------------------------------------------------------------------


@dataclass
class ReviewPage:
    """A review as pages and documents show it: its narrative, figures and version."""

    year: int
    label: str
    start: date
    end: date
    as_at: date
    figures: dict
    introduction: str
    working_well: str
    to_improve: str
    version: int
    change_note: str
    published_at: date | None
    preview: bool = False
    draft_saved: bool = False
    versions: list[AnnualReview] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Annual Review of Social Value Impact {self.label}"


def page(review: AnnualReview) -> ReviewPage:
    """The published review `review` as a page, from its stored snapshot."""
    figures = review.snapshot or {}
    return ReviewPage(
        year=review.year,
        label=figures["label"],
        start=date.fromisoformat(figures["start"]),
        end=date.fromisoformat(figures["end"]),
        as_at=date.fromisoformat(figures["as_at"]),
        figures=figures,
        introduction=review.introduction,
        working_well=review.working_well,
        to_improve=review.to_improve,
        version=review.version,
        change_note=review.change_note,
        published_at=review.published_at.date() if review.published_at else None,
        versions=versions(review.year),
    )


def preview(year: int) -> ReviewPage:
    """The year's draft (or an empty one) with its figures computed now, as a page."""
    text = draft(year)
    figures = build_snapshot(year)
    latest = published(year)
    return ReviewPage(
        year=year,
        label=figures["label"],
        start=date.fromisoformat(figures["start"]),
        end=date.fromisoformat(figures["end"]),
        as_at=date.fromisoformat(figures["as_at"]),
        figures=figures,
        introduction=text.introduction if text else "",
        working_well=text.working_well if text else "",
        to_improve=text.to_improve if text else "",
        version=(latest.version if latest else 0) + 1,
        change_note=(text.change_note if text else "") if latest else "",
        published_at=None,
        preview=True,
        draft_saved=text is not None,
        versions=versions(year),
    )


def sheets(review: ReviewPage) -> dict:
    """The review's data pack as spreadsheet sheets (counts under 5 written as words)."""

    def count(value: int | None) -> int | str:
        return SUPPRESSED if value is None else value

    figures = review.figures
    result: dict = {
        "About": (
            ["Item", "Value"],
            [
                ["Title", review.title],
                ["Financial year", f"{uk_date(review.start)} to {uk_date(review.end)}"],
                ["Version", review.version],
                ["Figures as at", uk_date(review.as_at)],
                ["Pieces of feedback", count(figures["total"])],
                ["Transport mode not given", count(figures["transport_not_given"])],
                ["Actions completed in the year", figures["actions_completed"]],
                ["Actions still open", figures["actions_open"]],
                ["Counts of 1 to 4", "Suppressed, written as 'Fewer than 5'"],
                ["What this version changes", review.change_note],
            ],
        )
    }
    for table in figures["tables"]:
        result[table["caption"].removeprefix("Feedback per ").capitalize()[:31]] = (
            table["header"],
            [[label, count(n)] for label, n in table["rows"]],
        )
    result["Working well"] = (
        ["Code in positive feedback", "Pieces of feedback"],
        [[label, count(n)] for label, n in figures["working_well_codes"]],
    )
    result["To improve"] = (
        ["Code in negative feedback", "Pieces of feedback"],
        [[label, count(n)] for label, n in figures["to_improve_codes"]],
    )
    result["Progress"] = (
        ["Commitment", "Status", "Quarter", "Narrative"],
        [[p["commitment"], p["status"], p["quarter"], p["narrative"]] for p in figures["progress"]],
    )
    result["You said, we did"] = (
        ["Commitment", "Kind", "Text"],
        [
            [story["commitment"], kind, text]
            for story in figures["you_said"]
            for kind, texts in (
                ("Quote", story["quotes"]),
                ("Decision", story["decisions"]),
                ("Outcome", story["outcomes"]),
            )
            for text in texts
        ],
    )
    return result
