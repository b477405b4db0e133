"""The framework as every feature lists it: the roles, themes and commitments in use, in their
published order, for the public pages and the forms and filters of notes, progress, triage, the
outbox and "You said, we did". Read-only; editing the framework is `framework_admin`'s."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select

from .extensions import db
from .models import Commitment, Horizon, Role, Theme


@dataclass(frozen=True)
class FrameworkFilters:
    """What the framework page is narrowed to."""

    theme: str | None = None
    horizon: Horizon | None = None
    transport: bool = False


def list_roles() -> list[Role]:
    """Return the framework's roles in their published order."""
    return list(
        db.session.scalars(select(Role).where(Role.active.is_(True)).order_by(Role.position))
    )


def list_themes() -> list[Theme]:
    """Return the framework's themes in their published order."""
    return list(
        db.session.scalars(select(Theme).where(Theme.active.is_(True)).order_by(Theme.position))
    )


def list_commitments(filters: FrameworkFilters | None = None) -> list[Commitment]:
    """Return active commitments, narrowed by theme, horizon and transport relevance."""
    filters = filters or FrameworkFilters()
    query = select(Commitment).where(Commitment.active.is_(True)).order_by(Commitment.position)
    if filters.theme:
        query = query.where(Commitment.themes.any(Theme.slug == filters.theme))
    if filters.horizon:
        query = query.where(Commitment.horizon == filters.horizon)
    if filters.transport:
        query = query.where(Commitment.transport.is_(True))
    return list(db.session.scalars(query))


def group_by_primary_role(commitments: list[Commitment]) -> list[tuple[Role, list[Commitment]]]:
    """Group commitments under their first-listed role, keeping the roles' order."""
    groups: dict[int, tuple[Role, list[Commitment]]] = {}
    for commitment in commitments:
        role = commitment.primary_role
        if role is None:
            continue
        groups.setdefault(role.id, (role, []))[1].append(commitment)
    return sorted(groups.values(), key=lambda group: group[0].position)


def get_commitment(slug: str) -> Commitment | None:
    """Return the active commitment with this slug, if any."""
    return db.session.scalar(commitment_query(slug))


def commitment_query(slug: str) -> Select[tuple[Commitment]]:
    """The query for the active commitment with this slug (for `db.first_or_404`)."""
    return select(Commitment).where(Commitment.slug == slug, Commitment.active.is_(True))


def commitment_choices() -> list[tuple[str, str]]:
    """Return (slug, title) pairs of the commitments in use, for the feedback forms; an example
    says so in its label."""
    rows = db.session.execute(
        select(Commitment.slug, Commitment.title, Commitment.example)
        .where(Commitment.active.is_(True))
        .order_by(Commitment.position)
    )
    # Three columns, not whole commitments with their roles and themes: every feedback form
    # (shown or posted) asks for these, and loading the objects was a third of a submission.
    return [(slug, f"{title} (example)" if example else title) for slug, title, example in rows]


@dataclass(frozen=True)
class FrameworkCounts:
    """How many commitments in use are the authority's own, and how many are examples."""

    published: int
    examples: int


def framework_counts() -> FrameworkCounts:
    """Count the commitments in use, published and example."""
    commitments = list_commitments()
    examples = sum(1 for c in commitments if c.example)
    return FrameworkCounts(published=len(commitments) - examples, examples=examples)
