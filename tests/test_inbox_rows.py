"""The inbox's rows (portal/triage/rows.py): each item read as plain values and its row kept
rendered per distinct row. What a row shows is what the item holds (the ORM relationships are
the oracle here), a change to an item shows on the next page at once, kept rows are exactly what
plain rendering gives, and text someone typed into the date filters is never kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.filters import ukdate
from portal.models import Commitment, Feedback, FeedbackStatus, Role, Theme, User
from portal.triage import service

from . import factories
from .test_public_fast_path import blank_tokens

ROW = re.compile(r'<tbody class="govuk-table__body app-inbox-item">(.*?)</tbody>', re.DOTALL)
CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def rows(html: str) -> dict[str, list[str]]:
    """The inbox's rows by reference: each cell's text (the checkbox cell, a suggestion marker
    and the excerpt's hidden "Feedback SVF-…:" prefix dropped)."""
    found = {}
    for body in ROW.findall(html):
        # The commitment cell's "Suggested" marker (after a <br>) is not the item's own.
        cells = [" ".join(TAG.sub(" ", c.split("<br>")[0]).split()) for c in CELL.findall(body)]
        reference = cells[1]
        found[reference] = cells[1:-1] + [cells[-1].split(": ", 1)[1]]
    return found


def expected(item: Feedback) -> list[str]:
    """What the row of `item` must show, read through the ORM."""
    tags = [r.name for r in item.roles] + [t.name for t in item.themes]
    return [
        item.reference,
        ukdate(item.received_at),
        item.commitment.title if item.commitment else "General",
        item.stakeholder_type.label,
        ", ".join(tags + [c.name for c in item.codes]),
        item.status.label,
        item.assignee.display_name if item.assignee else "",
    ]


@pytest.fixture
def inbox(app, staff_client):
    """A member's client and three items: one with a commitment, two roles, a theme, two codes
    and an admin assigned; one general, assigned to an account without a name; one untouched."""
    client = staff_client("member")
    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == "member@example.invalid"))
        admin = factories.user("admin", "ann@example.invalid", "Ann Admin")
        nameless = factories.user("admin", "no.name@example.invalid")
        nameless.name = ""
        commitment = db.session.scalars(select(Commitment).order_by(Commitment.id)).first()
        roles = list(db.session.scalars(select(Role).order_by(Role.position.desc()).limit(2)))
        theme = db.session.scalars(select(Theme)).first()
        codes = [service.create_code(member, n) for n in ("Zebra crossing", "Accessible toilets")]
        tagged = factories.feedback("The lift at Bootle station is broken", commitment=commitment)
        service.set_tags(tagged, member, [r.id for r in roles], [theme.id], [c.id for c in codes])
        service.assign(tagged, member, admin)
        general = factories.feedback("A <b>general</b> word & more", stakeholder_type="business")
        service.assign(general, member, nameless)
        plain = factories.feedback("Nothing done to this one yet")
        db.session.commit()
        ids = {"tagged": tagged.id, "general": general.id, "plain": plain.id}
    return client, ids


def shown(app, ids: dict[str, int]) -> dict[str, list[str]]:
    with app.app_context():
        return {k: expected(db.session.get(Feedback, i)) for k, i in ids.items()}


def test_each_row_shows_what_its_item_holds(app, inbox):
    client, ids = inbox
    page = client.get("/triage")
    assert page.status_code == 200
    found = rows(page.get_data(as_text=True))
    for key, want in shown(app, ids).items():
        assert found[want[0]][:-1] == want, key
    want = shown(app, ids)
    # Roles by position, then themes, then codes by name; a nameless account by its email.
    assert found[want["tagged"][0]][4].endswith("Accessible toilets, Zebra crossing")
    assert found[want["general"][0]][-2] == "no.name@example.invalid"
    # The text is escaped, not rendered.
    assert "A &lt;b&gt;general&lt;/b&gt; word &amp; more" in page.get_data(as_text=True)


def test_a_change_to_an_item_shows_on_the_next_page(app, inbox):
    client, ids = inbox
    client.get("/triage")
    kept = app.extensions["fragment_cache"]
    hits = kept.hits
    client.get("/triage")
    assert kept.hits >= hits + 3  # the rows are kept: the next page reuses them
    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == "member@example.invalid"))
        item = db.session.get(Feedback, ids["tagged"])
        service.change_status(item, member, FeedbackStatus.IN_REVIEW)
        service.set_tags(item, member, [], [], [item.codes[0].id])
        service.assign(item, member, member)
        other = db.session.scalars(
            select(Commitment).where(Commitment.id != item.commitment_id)
        ).first()
        item.commitment_id = other.id
        general = db.session.get(Feedback, ids["general"])
        general.body = "Edited words"
        db.session.commit()
    found = rows(client.get("/triage").get_data(as_text=True))
    want = shown(app, ids)
    for key in ids:
        assert found[want[key][0]][:-1] == want[key], key
    assert found[want["tagged"][0]][5] == "In review"
    assert found[want["general"][0]][-1] == "Edited words"


@pytest.mark.parametrize(
    "url", ["/triage", "/triage?q=station", "/triage?status=new&stakeholder_type=business"]
)
def test_kept_rows_are_what_plain_rendering_gives(app, inbox, plain, url):
    client, _ = inbox
    first = client.get(url).get_data(as_text=True)  # rows rendered and kept
    hits = app.extensions["fragment_cache"].hits
    kept = client.get(url).get_data(as_text=True)  # rows from the cache
    assert app.extensions["fragment_cache"].hits > hits
    fresh = plain(lambda: client.get(url).get_data(as_text=True))
    assert blank_tokens(kept) == blank_tokens(fresh) == blank_tokens(first)
    assert ROW.search(kept)


def test_a_row_s_link_carries_the_filters_to_the_item(app, inbox):
    client, ids = inbox
    with app.app_context():
        reference = db.session.get(Feedback, ids["tagged"]).reference
    html = client.get("/triage?q=station&status=new").get_data(as_text=True)
    link = re.search(rf'href="([^"]*/{reference}[^"]*)"', html).group(1)
    assert link == f"/triage/{reference}?status=new&amp;q=station" or link == (
        f"/triage/{reference}?q=station&amp;status=new"
    )
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    assert reference in page.get_data(as_text=True)


def test_text_typed_into_the_date_filters_is_not_kept(app, inbox):
    client, _ = inbox
    page = client.get("/triage?from-day=7&from-month=Brumaire&from-year=2031")
    assert page.status_code == 422
    assert 'value="Brumaire"' in page.get_data(as_text=True)
    kept = "".join(app.extensions["fragment_cache"].entries.values())
    assert "Brumaire" not in kept
    # Empty date boxes and a date in digits are kept: nothing but a date in them.
    assert 'name="to-year"' in kept
    assert client.get("/triage?from-day=7&from-month=3&from-year=2031").status_code == 200
    kept = "".join(app.extensions["fragment_cache"].entries.values())
    assert 'value="2031"' in kept


def test_the_filter_and_action_lists_are_what_the_framework_and_codeframe_hold(app, inbox):
    """`rows.choices()` (one statement) lists what the ORM's own lists give, in their order."""
    from portal.framework_admin import service as framework_service
    from portal.framework_lists import list_roles, list_themes
    from portal.triage import codeframe, items, rows

    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == "member@example.invalid"))
        parent = service.create_code(member, "Stations")
        service.create_code(member, "Step-free access", parent)
        retired = service.create_code(member, "Old code")
        retired.retired = True
        factories.user("member", "gone@example.invalid", "Gone Member").active = False
        retired_commitment = db.session.scalars(select(Commitment)).first()
        retired_commitment.active = False
        db.session.commit()
        got = rows.choices()
        assert [(c.slug, c.title, c.active) for c in got["commitments"]] == [
            (c.slug, c.title, c.active) for c in framework_service.all_commitments()
        ]
        assert [(r.slug, r.name) for r in got["roles"]] == [(r.slug, r.name) for r in list_roles()]
        assert [(t.slug, t.name) for t in got["themes"]] == [
            (t.slug, t.name) for t in list_themes()
        ]
        assert [(c.id, c.label) for c in got["codes"]] == [
            (c.id, c.label) for c in codeframe.active_codes()
        ]
        assert "Stations › Step-free access" in [c.label for c in got["codes"]]
        assert [(m.id, m.display_name) for m in got["members"]] == [
            (u.id, u.display_name) for u in items.staff_members()
        ]
        assert "no.name@example.invalid" in [m.display_name for m in got["members"]]
