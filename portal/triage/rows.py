"""The inbox's rows: what each row shows, read as plain values, and each row's HTML kept.

A page of fifty items was loaded as ORM objects (each with its commitment, whose roles and
themes came along, and its roles, themes, codes and assignee: seven statements and a few
thousand attribute loads) and rendered by walking those objects in the template, with a link
built by `url_for` per row: about 30 ms of CPU a page, most of a request. Here a page is three
statements (the items' columns, their tags, and the filter lists, which hold the commitments'
titles and the assignees' names),
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
from sqlalchemy import (
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from ..core.fragments import kept
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


def load_page(
    query: Select, limit: int, known: dict[str, list[Choice]] | None = None
) -> tuple[list[InboxItem], bool]:
    """Run the inbox's query (started from `item_columns()`) for `limit` items and return them,
    in order, with their tags (one more statement), and whether more items follow. Commitment
    titles and assignee names come from `known`, the page's `choices()` (read here when not
    given), which lists every commitment; an assignee who can no longer be assigned is looked
    up on its own."""
    found = db.session.execute(query.limit(limit + 1)).all()
    more = len(found) > limit
    found = found[:limit]  # (the tags of a page's 50 ids: a statement psycopg keeps parsed)
    if not found:
        return [], more
    tags: dict[int, list[str]] = {}
    for feedback_id, name in db.session.execute(_tags_query(), {"ids": [r.id for r in found]}):
        tags.setdefault(feedback_id, []).append(name)
    known = choices() if known is None else known
    titles = {c.id: c.title for c in known["commitments"]}
    people = {m.id: m.title for m in known["members"]}
    others = {r.assignee_id for r in found if r.assignee_id is not None} - people.keys()
    if others:
        people |= _display_names(others)
    items = [
        InboxItem(
            id=row.id,
            reference=row.reference,
            received_at=row.received_at,
            commitment_id=row.commitment_id,
            commitment_title=titles.get(row.commitment_id),
            body=row.body,
            stakeholder_type=row.stakeholder_type,
            status=row.status,
            assignee_name=people.get(row.assignee_id),
            tags=tuple(tags.get(row.id, ())),
        )
        for row in found
    ]
    return items, more


def _number(value: int) -> Any:
    """A constant written into the statement (not a parameter)."""
    return literal_column(str(int(value)), Integer)


@cache
def _tags_query() -> Any:
    """The role, theme and code names of the items `:ids`: roles by position, then themes by
    position, then codes by name (the order the row lists them in). Built once: making a
    statement costs more than running it. The ids are listed once, outside the three links (the
    databases push the condition into each): a list of 150 made the statement too long for
    psycopg to keep parsed (more than 50 parameters), and the constants are written in it."""
    links = union_all(
        select(
            feedback_roles.c.feedback_id,
            Role.name,
            _number(0).label("kind"),
            Role.position.label("position"),
        ).join(Role, Role.id == feedback_roles.c.role_id),
        select(feedback_themes.c.feedback_id, Theme.name, _number(1), Theme.position).join(
            Theme, Theme.id == feedback_themes.c.theme_id
        ),
        select(feedback_codes.c.feedback_id, Code.name, _number(2), _number(0)).join(
            Code, Code.id == feedback_codes.c.code_id
        ),
    ).subquery()
    return (
        select(links.c.feedback_id, links.c.name)
        .where(links.c.feedback_id.in_(bindparam("ids", expanding=True)))
        .order_by(links.c.feedback_id, links.c.kind, links.c.position, links.c.name)
    )


def _display_names(user_ids: set[int]) -> dict[int, str]:
    """These accounts' display names: their name, or their email when they gave none (as
    User.display_name)."""
    found = db.session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(sorted(user_ids)))
    )
    return {id_: name or email for id_, name, email in found}


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
    """The lists the inbox's filters and bulk actions offer, as plain values, in one statement:
    every commitment (in use first, in framework order, then retired ones: their feedback stays
    listed and filterable), the roles and themes in use, the codes that can be used for tagging
    (parents first) and the accounts feedback can be assigned to."""
    found: dict[str, list] = {kind: [] for kind in CHOICE_KINDS}
    for kind, *row in db.session.execute(_choices_query()):
        found[kind].append(row)
    # Codes parents first, as codeframe.active_codes sorts them (in Python, not the database's
    # collation).
    found["codes"].sort(key=lambda c: (c[4] if c[4] is not None else c[2], c[5] or 0))
    return {
        "commitments": [
            Choice(id_, slug, title, active)
            for id_, slug, title, active, *_ in found["commitments"]
        ],
        "roles": [Choice(id_, slug, title) for id_, slug, title, *_ in found["roles"]],
        "themes": [Choice(id_, slug, title) for id_, slug, title, *_ in found["themes"]],
        "codes": [
            Choice(id_, str(id_), f"{parent} › {name}" if parent is not None else name)
            for id_, _, name, _, parent, *_ in found["codes"]
        ],
        # A user's display name: their name, or their email when they gave none.
        "members": [
            Choice(id_, str(id_), name or email) for id_, _, name, _, email, *_ in found["members"]
        ],
    }


CHOICE_KINDS = ("commitments", "roles", "themes", "codes", "members")


@cache
def _choices_query() -> Any:
    """One UNION ALL of the five lists: (kind, id, slug, title, active, extra, parent id, n), where
    extra is a code's parent's name or an account's email, and n the entry's place in its list."""
    parent = aliased(Code)
    none = literal(None, String)
    number = func.row_number().over
    lists = [
        select(
            literal("commitments").label("kind"),
            Commitment.id,
            Commitment.slug,
            Commitment.title,
            Commitment.active,
            none.label("extra"),
            literal(None, Integer).label("parent_id"),
            number(order_by=(Commitment.active.desc(), Commitment.position, Commitment.id)).label(
                "n"
            ),
        ),
        *(
            select(
                literal(kind),
                model.id,
                model.slug,
                model.name,
                model.active,
                none,
                literal(None, Integer),
                number(order_by=(model.position, model.id)),
            ).where(model.active.is_(True))
            for kind, model in (("roles", Role), ("themes", Theme))
        ),
        select(
            literal("codes"),
            Code.id,
            none,
            Code.name,
            literal(True),
            parent.name,
            Code.parent_id,
            number(order_by=Code.id),
        )
        .outerjoin(parent, parent.id == Code.parent_id)
        .where(Code.retired.is_(False)),
        select(
            literal("members"),
            User.id,
            none,
            User.name,
            User.active,
            User.email,
            literal(None, Integer),
            number(order_by=(User.name, User.email)),
        ).where(User.active.is_(True), User.role.in_([StaffRole.ADMIN, StaffRole.MEMBER])),
    ]
    everything = union_all(*lists).subquery()
    return select(*everything.c).order_by(everything.c.kind, everything.c.n)


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

    key = ("inbox-row", row.item, type(row.excerpt).__name__, str(row.excerpt), marker, link_query)
    return kept(key, render)
