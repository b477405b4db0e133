"""Report figures, aggregated in the database, for a financial quarter or year."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from ..extensions import db
from ..meetings import figures
from ..models import (
    STAKEHOLDER_LABELS,
    Action,
    ActionStatus,
    AgendaItem,
    Code,
    Commitment,
    Feedback,
    FeedbackStatus,
    ProgressUpdate,
    Role,
    Sentiment,
    Theme,
    TransportMode,
    commitment_roles,
    commitment_themes,
    feedback_codes,
)
from ..periods import Period, uk_date
from ..progress.service import latest_by_commitment
from ..tagging.service import auto_tag_counts


@dataclass
class CommitmentRow:
    commitment: Commitment
    progress: ProgressUpdate | None
    volume: int
    themes: list[tuple[str, int]]
    actions_opened: int
    actions_closed: int


def _action_counts(period: Period) -> tuple[dict[int, int], dict[int, int]]:
    opened = db.session.execute(
        select(AgendaItem.commitment_id, func.count())
        .join(Action.item)
        .where(Action.created_at >= period.start_at, Action.created_at < period.end_before)
        .group_by(AgendaItem.commitment_id)
    )
    closed = db.session.execute(
        select(AgendaItem.commitment_id, func.count())
        .join(Action.item)
        .where(Action.closed_at >= period.start_at, Action.closed_at < period.end_before)
        .group_by(AgendaItem.commitment_id)
    )
    return dict(opened.all()), dict(closed.all())


def quarterly(period: Period, year: int, quarter: int) -> list[CommitmentRow]:
    """Return per commitment: status, narrative, feedback volume and themes, actions."""
    volume = figures.totals(period)
    codes = figures.top_codes(period)
    opened, closed = _action_counts(period)
    progress = latest_by_commitment((year, quarter))
    commitments = db.session.scalars(
        select(Commitment).where(Commitment.active.is_(True)).order_by(Commitment.position)
    )
    return [
        CommitmentRow(
            c,
            progress.get(c.id),
            volume.get(c.id, 0),
            codes.get(c.id, [])[:3],
            opened.get(c.id, 0),
            closed.get(c.id, 0),
        )
        for c in commitments
    ]


@dataclass
class AnnualPack:
    period: Period
    by_commitment: list[tuple[str, int]]
    by_role: list[tuple[str, int]]
    by_theme: list[tuple[str, int]]
    by_stakeholder: list[tuple[str, int]]
    by_transport_mode: list[tuple[str, int]] = field(default_factory=list)
    working_well: list[tuple[str, int]] = field(default_factory=list)
    to_improve: list[tuple[str, int]] = field(default_factory=list)
    actions_done: list[tuple[str, str]] = field(default_factory=list)
    actions_open: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_commitment)


def _in_year(period: Period):
    return and_(
        Feedback.received_at >= period.start_at,
        Feedback.received_at < period.end_before,
        Feedback.status != FeedbackStatus.SPAM,
    )


def _codes_with(period: Period, sentiment: Sentiment) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Code.name, func.count())
        .join(feedback_codes, feedback_codes.c.code_id == Code.id)
        .join(Feedback, Feedback.id == feedback_codes.c.feedback_id)
        .where(_in_year(period), Feedback.sentiment == sentiment)
        .group_by(Code.name)
        .order_by(func.count().desc(), Code.name)
        .limit(8)
    )
    return [(name, count) for name, count in rows]


def annual(period: Period) -> AnnualPack:
    """Return the year's totals per commitment, role, theme and stakeholder type, and what is
    working well and what could improve (from codes by sentiment, and from actions)."""
    by_commitment = db.session.execute(
        select(Commitment.title, Commitment.example, func.count(Feedback.id))
        .join(
            Feedback, and_(Feedback.commitment_id == Commitment.id, _in_year(period)), isouter=True
        )
        .group_by(Commitment.id, Commitment.title, Commitment.example, Commitment.position)
        .order_by(Commitment.position)
    ).all()
    # Roles and themes are the framework areas of the commitment the feedback is about.
    by_role = db.session.execute(
        select(Role.name, func.count(Feedback.id))
        .join(commitment_roles, commitment_roles.c.role_id == Role.id)
        .join(
            Feedback,
            and_(Feedback.commitment_id == commitment_roles.c.commitment_id, _in_year(period)),
        )
        .group_by(Role.id, Role.name, Role.position)
        .order_by(Role.position)
    ).all()
    by_theme = db.session.execute(
        select(Theme.name, func.count(Feedback.id))
        .join(commitment_themes, commitment_themes.c.theme_id == Theme.id)
        .join(
            Feedback,
            and_(Feedback.commitment_id == commitment_themes.c.commitment_id, _in_year(period)),
        )
        .group_by(Theme.id, Theme.name, Theme.position)
        .order_by(Theme.position)
    ).all()
    by_stakeholder = db.session.execute(
        select(Feedback.stakeholder_type, func.count())
        .where(_in_year(period))
        .group_by(Feedback.stakeholder_type)
    ).all()
    by_transport_mode = db.session.execute(
        select(Feedback.transport_mode, func.count())
        .where(_in_year(period))
        .group_by(Feedback.transport_mode)
    ).all()
    done = db.session.execute(
        select(Action.description, Action.outcome)
        .where(
            Action.status == ActionStatus.DONE,
            Action.closed_at >= period.start_at,
            Action.closed_at < period.end_before,
        )
        .order_by(Action.closed_at)
    ).all()
    still_open = db.session.execute(
        select(Action.description, Action.owner, Action.due_date)
        .where(
            Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
            Action.created_at < period.end_before,
        )
        .order_by(Action.due_date)
    ).all()
    return AnnualPack(
        period=period,
        # An example is never presented as part of the published framework.
        by_commitment=[(f"{t} (example)" if example else t, n) for t, example, n in by_commitment],
        by_role=[(t, n) for t, n in by_role],
        by_theme=[(t, n) for t, n in by_theme],
        by_stakeholder=sorted(
            ((STAKEHOLDER_LABELS[s], n) for s, n in by_stakeholder), key=lambda x: -x[1]
        ),
        # Every mode in the report's order, then the items that name none.
        by_transport_mode=[
            (mode.label, dict(by_transport_mode).get(mode, 0)) for mode in TransportMode
        ]
        + [("Not given", dict(by_transport_mode).get(None, 0))],
        working_well=_codes_with(period, Sentiment.POSITIVE),
        to_improve=_codes_with(period, Sentiment.NEGATIVE),
        actions_done=[(d, o or "") for d, o in done],
        actions_open=[(d, o, uk_date(due)) for d, o, due in still_open],
    )


def auto_tag_blocks(period: Period) -> list[tuple]:
    """Return the tags auto-tagging applied in the period, counted apart from staff tagging."""
    counts = auto_tag_counts(period.start_at, period.end_before)
    return [
        ("h2", "Tags applied automatically"),
        (
            "p",
            f"Of the items received in this period, {counts.items} had at least one tag applied "
            f"by auto-tagging rather than by staff ({counts.total} tags in all).",
        ),
        ("table", ["Kind of tag", "Applied automatically"], counts.rows()),
    ]


def quarterly_blocks(title: str, rows: list[CommitmentRow]) -> list[tuple]:
    """Return the quarterly report as document blocks."""
    blocks: list[tuple] = [("h1", title)]
    blocks.append(
        (
            "table",
            ["Commitment", "Status", "Feedback", "Actions opened", "Actions closed"],
            [
                [
                    r.commitment.title,
                    r.progress.status.label if r.progress else "No update",
                    r.volume,
                    r.actions_opened,
                    r.actions_closed,
                ]
                for r in rows
            ],
        )
    )
    for r in rows:
        blocks.append(("h2", r.commitment.title))
        if r.progress:
            blocks.append(
                (
                    "p",
                    f"{r.progress.status.label} ({r.progress.period_label}): "
                    f"{r.progress.narrative}",
                )
            )
        else:
            blocks.append(("p", "No progress update has been posted."))
        themes = ", ".join(f"{name} ({count})" for name, count in r.themes) or "none coded yet"
        blocks.append(("p", f"Feedback this quarter: {r.volume}. Main themes: {themes}."))
    return blocks


def annual_blocks(title: str, pack: AnnualPack) -> list[tuple]:
    """Return the Annual Review pack as document blocks."""
    return [
        ("h1", title),
        (
            "p",
            f"{pack.total} pieces of feedback from {uk_date(pack.period.start)} to "
            f"{uk_date(pack.period.end)}.",
        ),
        ("h2", "Feedback per commitment"),
        ("table", ["Commitment", "Feedback"], pack.by_commitment),
        ("h2", "Feedback per role"),
        ("table", ["Role", "Feedback"], pack.by_role),
        ("h2", "Feedback per theme"),
        ("table", ["Theme", "Feedback"], pack.by_theme),
        ("h2", "Feedback per stakeholder type"),
        ("table", ["Stakeholder type", "Feedback"], pack.by_stakeholder),
        ("h2", "Feedback per transport mode or asset"),
        ("table", ["Transport mode or asset", "Feedback"], pack.by_transport_mode),
        ("h2", "What is working well"),
        ("table", ["Code in positive feedback", "Items"], pack.working_well),
        ("table", ["Action completed", "Outcome"], pack.actions_done),
        ("h2", "Opportunities to improve"),
        ("table", ["Code in negative feedback", "Items"], pack.to_improve),
        ("table", ["Open action", "Owner", "Due"], pack.actions_open),
    ]


def annual_sheets(pack: AnnualPack) -> dict:
    """Return the Annual Review data pack as spreadsheet sheets."""
    return {
        "Commitments": (["Commitment", "Feedback"], pack.by_commitment),
        "Roles": (["Role", "Feedback"], pack.by_role),
        "Themes": (["Theme", "Feedback"], pack.by_theme),
        "Stakeholder types": (["Stakeholder type", "Feedback"], pack.by_stakeholder),
        "Transport modes": (["Transport mode or asset", "Feedback"], pack.by_transport_mode),
        "Working well": (["Code in positive feedback", "Items"], pack.working_well),
        "To improve": (["Code in negative feedback", "Items"], pack.to_improve),
        "Actions done": (["Action", "Outcome"], pack.actions_done),
        "Actions open": (["Action", "Owner", "Due"], pack.actions_open),
        "Auto-applied tags": (
            ["Kind of tag", "Applied automatically"],
            auto_tag_counts(pack.period.start_at, pack.period.end_before).rows(),
        ),
    }
