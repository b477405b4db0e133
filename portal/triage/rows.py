"""The inbox's rows: what each row shows, read as plain values, and each row's HTML kept.

A page of fifty items was loaded as ORM objects (each with its commitment, whose roles and
themes came along, and its roles, themes, codes and assignee: seven statements and a few
thousand attribute loads) and rendered by walking those objects in the template, with a link
built by `url_for` per row: about 30 ms of CPU a page, most of a request. Here a page is three
statements (the items' columns, their tags, the names of their commitments and assignees),
each row is a frozen `InboxItem`, and a row's HTML is rendered once per distinct row and link
(`portal/core/fragments.py`, bounded, per process; `FRAGMENT_CACHE = False` renders every row):
a row's key holds everything it shows, so a change to the item is a new key, never stale HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import Select, String, bindparam, literal, select, union_all
from sqlalchemy.orm import aliased

from ..core.fragments import _cache
from ..extensions import db
from ..models import (
    Code,
    Commitment,
    Feedback,
    FeedbackStatus,
    Role,
    StaffRole,
    StakeholderType,
    Theme,
    User,
    feedback_codes,
    feedback_roles,
    feedback_themes,
)

ROW_TEMPLATE = "triage/_inbox_row.html"


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One inbox item as its row shows it (and as the suggestion markers score it)."""

    id: int
    reference: str
    received_at: datetime
    commitment_id: int | None
    commitment_title: str | None
    body: str
    stakeholder_type: StakeholderType
    status: FeedbackStatus
    assignee_name: str | None
    tags: tuple[str, ...]  # roles, then themes, then codes, each in its own order


ITEM_COLUMNS = (
    Feedback.id,
    Feedback.reference,
    Feedback.received_at,
    Feedback.commitment_id,
    Feedback.body,
    Feedback.stakeholder_type,
    Feedback.status,
    Feedback.assignee_id,
)


def item_columns() -> Select:
    """The statement the inbox's query starts from: only the columns a row shows."""
    return select(*ITEM_COLUMNS)


def load_items(query: Select) -> list[InboxItem]:
    """Run the inbox's query (started from `item_columns()`) and return its items, in order,
    with their tags, commitment titles and assignee names (two more statements)."""
    found = db.session.execute(query).all()
    if not found:
        return []
    ids = [row.id for row in found]
    tags: dict[int, list[str]] = {}
    for feedback_id, name in db.session.execute(_tags_query(), {"ids": ids}):
        tags.setdefault(feedback_id, []).append(name)
    names = _names(
        {row.commitment_id for row in found if row.commitment_id is not None},
        {row.assignee_id for row in found if row.assignee_id is not None},
    )
    return [
        InboxItem(
            id=row.id,
            reference=row.reference,
            received_at=row.received_at,
            commitment_id=row.commitment_id,
            commitment_title=names.get(("c", row.commitment_id)),
            body=row.body,
            stakeholder_type=row.stakeholder_type,
            status=row.status,
            assignee_name=names.get(("u", row.assignee_id)),
            tags=tuple(tags.get(row.id, ())),
        )
        for row in found
    ]


@cache
def _tags_query() -> Any:
    """The role, theme and code names of the items `:ids`: roles by position, then themes by
    position, then codes by name (the order the row lists them in). Built once: making a
    statement costs more than running it."""
    ids = bindparam("ids", expanding=True)
    roles = (
        select(
            feedback_roles.c.feedback_id,
            Role.name,
            literal(0).label("kind"),
            Role.position.label("position"),
        )
        .join(Role, Role.id == feedback_roles.c.role_id)
        .where(feedback_roles.c.feedback_id.in_(ids))
    )
    themes = (
        select(
            feedback_themes.c.feedback_id,
            Theme.name,
            literal(1),
            Theme.position,
        )
        .join(Theme, Theme.id == feedback_themes.c.theme_id)
        .where(feedback_themes.c.feedback_id.in_(ids))
    )
    codes = (
        select(feedback_codes.c.feedback_id, Code.name, literal(2), literal(0))
        .join(Code, Code.id == feedback_codes.c.code_id)
        .where(feedback_codes.c.feedback_id.in_(ids))
    )
    everything = union_all(roles, themes, codes).subquery()
    return select(everything.c.feedback_id, everything.c.name).order_by(
        everything.c.feedback_id,
        everything.c.kind,
        everything.c.position,
        everything.c.name,
    )


def _names(commitment_ids: set[int], user_ids: set[int]) -> dict[tuple[str, int], str]:
    """The titles of these commitments and the display names of these users, in one statement."""
    if not commitment_ids and not user_ids:
        return {}
    found = db.session.execute(
        _names_query(), {"commitments": list(commitment_ids), "users": list(user_ids)}
    )
    # A user's display name is their name, or their email when they gave none (User.display_name).
    return {(kind, id_): name or email for kind, id_, name, email in found}


@cache
def _names_query() -> Any:
    return union_all(
        select(
            literal("c").label("kind"),
            Commitment.id,
            Commitment.title,
            literal(None, String).label("email"),
        ).where(Commitment.id.in_(bindparam("commitments", expanding=True))),
        select(literal("u"), User.id, User.name, User.email).where(
            User.id.in_(bindparam("users", expanding=True))
        ),
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of the inbox's filter and bulk-action lists: `value` as the form sends it."""

    id: int | None
    slug: str
    title: str
    active: bool = True

    @property
    def name(self) -> str:
        return self.title

    label = display_name = name


def choices() -> dict[str, list[Choice]]:
    """The lists the inbox's filters and bulk actions offer, as plain values (one statement
    each): every commitment (in use first, in framework order, then retired ones: their
    feedback stays listed and filterable), the roles and themes in use, the codes that can be
    used for tagging (parents first) and the accounts feedback can be assigned to."""
    statements = _choice_queries()
    run = db.session.execute
    codes = run(statements["codes"]).all()
    codes.sort(key=lambda c: (c[3] if c[3] is not None else c[1], c[2] or 0))  # as active_codes
    return {
        "commitments": [Choice(*row) for row in run(statements["commitments"])],
        "roles": [Choice(*row) for row in run(statements["roles"])],
        "themes": [Choice(*row) for row in run(statements["themes"])],
        "codes": [
            Choice(id_, str(id_), f"{parent_name} › {name}" if parent_name is not None else name)
            for id_, name, _, parent_name in codes
        ],
        "members": [
            Choice(id_, str(id_), name or email) for id_, name, email in run(statements["members"])
        ],
    }


@cache
def _choice_queries() -> dict[str, Any]:
    parent = aliased(Code)
    return {
        "commitments": select(
            Commitment.id, Commitment.slug, Commitment.title, Commitment.active
        ).order_by(Commitment.active.desc(), Commitment.position, Commitment.id),
        **{
            key: select(model.id, model.slug, model.name)
            .where(model.active.is_(True))
            .order_by(model.position)
            for key, model in (("roles", Role), ("themes", Theme))
        },
        "codes": select(Code.id, Code.name, Code.parent_id, parent.name)
        .outerjoin(parent, parent.id == Code.parent_id)
        .where(Code.retired.is_(False)),
        "members": select(User.id, User.name, User.email)
        .where(User.active.is_(True), User.role.in_([StaffRole.ADMIN, StaffRole.MEMBER]))
        .order_by(User.name, User.email),
    }


def render_row(row: Any, suggestion: Any, link_query: str) -> Markup:
    """Return one row's HTML: the item's facts, its excerpt, its "Suggested" marker (or None)
    and the filters its link carries back (`link_query`, a query string or "")."""
    marker = (
        None
        if suggestion is None
        else (suggestion.key, suggestion.name, suggestion.word, bool(suggestion.likely))
    )

    def render() -> Markup:
        # A macro of an autoescaped template returns Markup: everything in it escaped as rendered.
        macro = current_app.jinja_env.get_template(ROW_TEMPLATE).module.inbox_row  # type: ignore[attr-defined]
        return macro(row.item, row.excerpt, marker, link_query)

    cache = _cache()
    if cache is None:
        return render()
    key = ("inbox-row", row.item, type(row.excerpt).__name__, str(row.excerpt), marker, link_query)
    return cache.get_or_render(key, render)
