"""Report figures, aggregated in the database, for a financial quarter or year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
    previous_volume: int = 0

    @property
    def change(self) -> int:
        return self.volume - self.previous_volume

    @property
    def has_news(self) -> bool:
        """Whether the report has anything to say about the commitment this quarter."""
        return bool(self.progress or self.volume or self.actions_opened or self.actions_closed)


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
    before = figures.totals(period.previous())
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
            before.get(c.id, 0),
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
    actions_open: list[tuple[str, str, date | None]] = field(default_factory=list)

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
        actions_open=[(d, o, due) for d, o, due in still_open],
    )


def quarterly_document(rows: list[CommitmentRow]) -> dict[str, Any]:
    """What the quarterly report's template needs beyond the rows: the feedback chart's data."""
    fed = [r for r in rows if r.volume]
    return {
        "rows": rows,
        "feedback_rows": [(r.commitment.title, r.volume, r.previous_volume) for r in fed],
        "feedback_current": [(r.commitment.title, r.volume) for r in fed],
        "feedback_previous": {r.commitment.title: r.previous_volume for r in fed},
    }


ANNUAL_BREAKDOWNS = (
    ("commitments", "Feedback per commitment", ["Commitment", "Feedback"], "by_commitment"),
    ("roles", "Feedback per role", ["Role", "Feedback"], "by_role"),
    ("themes", "Feedback per theme", ["Theme", "Feedback"], "by_theme"),
    (
        "stakeholders",
        "Feedback per stakeholder type",
        ["Stakeholder type", "Feedback"],
        "by_stakeholder",
    ),
    (
        "transport",
        "Feedback per transport mode or asset",
        ["Transport mode or asset", "Feedback"],
        "by_transport_mode",
    ),
)


def annual_document(pack: AnnualPack) -> dict[str, Any]:
    """What the annual pack's template needs: each breakdown without its empty rows (and
    without "Not given"), the commitments nobody wrote about, the contents list."""
    breakdowns = [
        (
            key,
            title,
            header,
            [(name, n) for name, n in getattr(pack, attribute) if n and name != "Not given"],
        )
        for key, title, header, attribute in ANNUAL_BREAKDOWNS
    ]
    sections = [("summary", "Summary")] + [(key, title) for key, title, _, _ in breakdowns]
    sections += [
        ("working-well", "What is working well"),
        ("to-improve", "Opportunities to improve"),
        ("auto-tagged", "Tags applied automatically"),
    ]
    return {
        "pack": pack,
        "breakdowns": breakdowns,
        "no_feedback": [name for name, n in pack.by_commitment if not n],
        "section_contents": sections,
    }


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
        "Actions open": (
            ["Action", "Owner", "Due"],
            [(d, o, uk_date(due)) for d, o, due in pack.actions_open],
        ),
        "Auto-applied tags": (
            ["Kind of tag", "Applied automatically"],
            auto_tag_counts(pack.period.start_at, pack.period.end_before).rows(),
        ),
    }
