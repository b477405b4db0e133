"""Staff sign-in and the triage workspace in real Chromium: keyboard, JS off, htmx, axe-core."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db

from ..conftest import PASSWORD
from .conftest import (
    Item,
    Portal,
    axe_violations,
    feedback_item,
    make_staff,
    tab_to,
    unique_word,
)

pytestmark = pytest.mark.browser

# The item page and the inbox hold many tab stops (header, filters, every tag checkbox).
TAB_LIMIT = 200
# The status form's own button; the "Mark as duplicate" buttons post to the same URL.
CHANGE_STATUS = "form[action$='/status'] button[type=submit]:not(.govuk-button--warning)"


def make_feedback(portal: Portal, body: str, stakeholder_type: str = "passenger") -> Item:
    """Store a feedback item as the public form would, consenting to be quoted."""
    return feedback_item(portal, body, stakeholder_type=stakeholder_type, consent_to_quote=True)


def sign_in(page: Page, portal: Portal, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (mouse and fill: for tests not about the keyboard)."""
    page.goto(f"{portal.url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")


def tab(page: Page, selector: str) -> None:
    tab_to(page, selector, limit=TAB_LIMIT)


def first_role_and_theme(portal: Portal) -> tuple[int, str, int, str]:
    from portal.models import Role, Theme

    with portal.app.app_context():
        from portal.extensions import db

        role = db.session.scalars(select(Role).order_by(Role.position)).first()
        theme = db.session.scalars(select(Theme).order_by(Theme.position)).first()
        return role.id, role.name, theme.id, theme.name


def load_item(portal: Portal, reference: str):
    """Return (status, role names, theme names, code names, public reply) from the database."""
    from portal.models import Feedback

    with portal.app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        return (
            item.status,
            [r.name for r in item.roles],
            [t.name for t in item.themes],
            [c.name for c in item.codes],
            item.public_reply,
        )


# ---------------------------------------------------------------------------------------------
# The journey by keyboard only


def test_triage_journey_by_keyboard_only(page: Page, portal: Portal):
    from portal.models import FeedbackStatus

    word = unique_word()
    passenger = make_feedback(
        portal, f"The lifts at Moorfields station were broken for a week {word} again."
    )
    business = make_feedback(
        portal, f"Our firm would sponsor a foodbank point at Conway Park {word}.", "business"
    )
    email = make_staff(portal)
    role_id, role_name, theme_id, theme_name = first_role_and_theme(portal)
    code_name = f"Step-free access {word}"
    reply = "Thank you: the lifts are fixed and we now check them every morning."

    # Sign in.
    page.goto(f"{portal.url}/login")
    tab(page, "#email")
    page.keyboard.type(email)
    tab(page, "#password")
    page.keyboard.type(PASSWORD)
    tab(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{portal.url}/triage")
    expect(page.locator("h1")).to_have_text("Feedback inbox")

    # Search, then narrow by who sent it; htmx swaps the results and pushes the URL.
    tab(page, "#q")
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    table = page.locator("#inbox-table")
    expect(table).to_contain_text(passenger.reference)
    expect(table).to_contain_text(business.reference)
    expect(page).to_have_url(re.compile(rf"q={word}"))
    tab(page, "#filter-stakeholder_type")
    page.keyboard.press("p")  # "Passenger or service user", by type-ahead
    expect(page.locator("#filter-stakeholder_type")).to_have_value("passenger")
    expect(page).to_have_url(re.compile(r"stakeholder_type=passenger"))
    expect(table).not_to_contain_text(business.reference)
    expect(table).to_contain_text(passenger.reference)

    # Open the item.
    tab(page, f"#inbox-table a[href^='/triage/{passenger.reference}']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(passenger.reference)
    expect(page.locator("#item-status")).to_have_text("New")

    # Tag it with a role and a theme.
    tab(page, f"#role_ids-{role_id}")
    page.keyboard.press("Space")
    tab(page, f"#theme_ids-{theme_id}")
    page.keyboard.press("Space")
    tab(page, "#tags-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#flash-success")).to_contain_text("Tags saved")
    expect(page.locator(f"#role_ids-{role_id}")).to_be_checked()
    expect(page.locator(f"#theme_ids-{theme_id}")).to_be_checked()

    # Create a code inline; it is added to the item.
    tab(page, "#new-code-name")
    page.keyboard.type(code_name)
    tab(page, "form[action$='/codes'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#flash-success")).to_contain_text(f"Code ‘{code_name}’ created and added")
    expect(page.locator("#tags-form")).to_contain_text(code_name)
    expect(page.locator("#tags-form input[name=code_ids]:checked")).to_have_count(1)

    # Publish a public reply.
    tab(page, "#reply")
    page.keyboard.type(reply)
    tab(page, "form[action$='/reply'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#flash-success")).to_contain_text("Public reply published")
    expect(page.locator("#reply")).to_have_value(reply)

    # New → In review: no move is chosen until the person chooses one.
    tab(page, "input[name=status][type=radio]")
    expect(page.locator("input[name=status]:checked")).to_have_count(0)
    page.keyboard.press("Space")
    expect(page.locator("#status-in_review")).to_be_checked()
    tab(page, CHANGE_STATUS)
    page.keyboard.press("Enter")
    expect(page.locator("#flash-success")).to_contain_text("Status changed to In review")
    expect(page.locator("#item-status")).to_have_text("In review")

    # In review → Actioned: arrow keys move through the radios.
    tab(page, "input[name=status][type=radio]")
    for _ in range(5):
        if page.locator("#status-actioned").is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#status-actioned")).to_be_checked()
    tab(page, CHANGE_STATUS)
    page.keyboard.press("Enter")
    expect(page.locator("#flash-success")).to_contain_text("Status changed to Actioned")
    expect(page.locator("#item-status")).to_have_text("Actioned")

    # Actioned → Closed.
    tab(page, "input[name=status][type=radio]")
    expect(page.locator("input[name=status]:checked")).to_have_count(0)
    page.keyboard.press("Space")
    expect(page.locator("#status-closed")).to_be_checked()
    tab(page, CHANGE_STATUS)
    page.keyboard.press("Enter")
    expect(page.locator("#flash-success")).to_contain_text("Status changed to Closed")
    expect(page.locator("#item-status")).to_have_text("Closed")
    expect(page.locator("#history")).to_contain_text("status")

    # The database agrees, and the reply reaches the submitter's tracking page.
    status, roles, themes, codes, public_reply = load_item(portal, passenger.reference)
    assert status is FeedbackStatus.CLOSED
    assert roles == [role_name]
    assert themes == [theme_name]
    assert codes == [code_name]
    assert public_reply == reply
    assert load_item(portal, business.reference)[0] is FeedbackStatus.NEW

    page.goto(f"{portal.url}/track/{passenger.token}")
    expect(page.locator("#public-reply")).to_have_text(reply)
    expect(page.locator("body")).to_contain_text("Closed")


# ---------------------------------------------------------------------------------------------
# JavaScript off: plain forms, and a stale form's move is refused


def test_triage_with_javascript_off_and_refused_transition(nojs_page: Page, portal: Portal):
    from portal.models import FeedbackStatus

    page = nojs_page
    word = unique_word()
    passenger = make_feedback(portal, f"Please add more seating on the Mersey ferry {word}.")
    business = make_feedback(
        portal, f"We run buses and want to join the charter {word}.", "business"
    )
    sign_in(page, portal, make_staff(portal))
    expect(page).to_have_url(f"{portal.url}/triage")

    page.fill("#q", word)
    page.select_option("#filter-stakeholder_type", "passenger")
    page.click("button:has-text('Apply filters')")
    expect(page).to_have_url(re.compile(rf"q={word}"))
    expect(page).to_have_url(re.compile(r"stakeholder_type=passenger"))
    table = page.locator("#inbox-table")
    expect(table).to_contain_text(passenger.reference)
    expect(table).not_to_contain_text(business.reference)

    page.click(f"#inbox-table a:has-text('{passenger.reference}')")
    expect(page.locator("h1")).to_contain_text(passenger.reference)
    item_url = page.url

    # A second tab keeps the page as it was while the item was new.
    stale = page.context.new_page()
    stale.goto(item_url)
    expect(stale.locator("input[name=status]:checked")).to_have_count(0)
    stale.check("#status-in_review")

    # Pressing "Change status" without choosing moves nothing and says what to do.
    page.click(CHANGE_STATUS)
    expect(page.locator("#flash-error")).to_contain_text("Choose a status")
    assert load_item(portal, passenger.reference)[0] is FeedbackStatus.NEW
    page.check("#status-in_review")
    page.click(CHANGE_STATUS)
    expect(page.locator("#flash-success")).to_contain_text("Status changed to In review")
    expect(page.locator("#item-status")).to_have_text("In review")
    page.check("#status-actioned")
    page.click(CHANGE_STATUS)
    expect(page.locator("#flash-success")).to_contain_text("Status changed to Actioned")
    expect(page.locator("#item-status")).to_have_text("Actioned")

    # The stale form still offers New → In review: the server refuses it and says why.
    stale.click(CHANGE_STATUS)
    expect(stale.locator("#flash-error")).to_contain_text(
        f"{passenger.reference} cannot move from Actioned to In review"
    )
    expect(stale.locator("#flash-success")).to_have_count(0)
    expect(stale.locator("#item-status")).to_have_text("Actioned")
    assert load_item(portal, passenger.reference)[0] is FeedbackStatus.ACTIONED


# ---------------------------------------------------------------------------------------------
# Bulk actions over htmx


def test_bulk_status_updates_the_table_in_place(page: Page, portal: Portal):
    from portal.models import FeedbackStatus

    word = unique_word()
    first = make_feedback(portal, f"The bus shelter on Lord Street has no timetable {word}.")
    second = make_feedback(portal, f"The tram stop idea for Sefton needs lighting {word}.")
    untouched = make_feedback(portal, f"A third note about Halton buses {word}.")
    sign_in(page, portal, make_staff(portal))
    expect(page).to_have_url(f"{portal.url}/triage")
    page.goto(f"{portal.url}/triage?q={word}")
    table = page.locator("#inbox-table")
    expect(table.locator("tbody tr.app-inbox-row")).to_have_count(3)

    page.evaluate("window.__noReload = true")
    page.check(f"#select-{first.id}")
    page.check(f"#select-{second.id}")
    page.click("summary:has-text('Actions on selected items')")
    page.select_option("#bulk-status", "in_review")
    page.click("button:has-text('Set status')")

    expect(page.locator("#flash-success")).to_contain_text("2 items updated")
    for item, label in ((first, "In review"), (second, "In review"), (untouched, "New")):
        row = table.locator("tbody tr", has_text=item.reference)
        expect(row.locator(".app-status-tag")).to_have_text(label)
    assert page.evaluate("window.__noReload") is True  # swapped in, no full reload
    expect(page).to_have_url(f"{portal.url}/triage?q={word}")
    assert axe_violations(page) == [], "inbox after the bulk action was swapped in"
    assert load_item(portal, first.reference)[0] is FeedbackStatus.IN_REVIEW
    assert load_item(portal, second.reference)[0] is FeedbackStatus.IN_REVIEW
    assert load_item(portal, untouched.reference)[0] is FeedbackStatus.NEW


# ---------------------------------------------------------------------------------------------
# Who may see the workspace


def test_signed_out_visit_goes_to_login_and_back(page: Page, portal: Portal):
    word = unique_word()
    item = make_feedback(portal, f"Cycle parking at Southport station is full {word}.")
    email = make_staff(portal)

    page.goto(f"{portal.url}/triage?q={word}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert parse_qs(urlsplit(page.url).query)["next"] == [f"/triage?q={word}"]
    expect(page.locator("h1")).to_have_text("Sign in")

    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{portal.url}/triage?q={word}")
    expect(page.locator("#inbox-table")).to_contain_text(item.reference)


def test_form_posted_after_signing_out_elsewhere_returns_to_the_item(page: Page, portal: Portal):
    item = make_feedback(portal, f"Please light the path to Hunts Cross station {unique_word()}.")
    email = make_staff(portal)
    sign_in(page, portal, email)
    expect(page).to_have_url(f"{portal.url}/triage")
    page.goto(f"{portal.url}/triage/{item.reference}")

    other = page.context.new_page()  # another tab of the same browser signs out
    other.goto(f"{portal.url}/triage")
    other.click("button:has-text('Sign out')")
    expect(other).to_have_url(re.compile(r"/login$"))
    other.close()

    page.fill("#note-body", "Written before noticing the session had ended.")
    page.click("button:has-text('Add note')")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{portal.url}/triage/{item.reference}")


def test_champion_is_refused_the_inbox(page: Page, portal: Portal):
    sign_in(page, portal, make_staff(portal, "champion"))
    expect(page).to_have_url(f"{portal.url}/notes")  # a champion starts on their notes
    response = page.goto(f"{portal.url}/triage")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_contain_text("You do not have permission")
    expect(page.locator("#inbox-table")).to_have_count(0)


# ---------------------------------------------------------------------------------------------
# axe-core


def test_axe_on_login_page_and_its_error(page: Page, portal: Portal):
    email = make_staff(portal)
    page.goto(f"{portal.url}/login")
    assert axe_violations(page) == [], "login page"
    page.fill("#email", email)
    page.fill("#password", "not the right password")
    page.click("button:has-text('Sign in')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert axe_violations(page) == [], "login error"


def test_axe_on_inbox_with_search_highlights(page: Page, portal: Portal):
    word = unique_word()
    for place in ("Liverpool ONE bus station", "Birkenhead", "St Helens Central"):
        make_feedback(portal, f"More seats and shade are needed at {place} {word} please.")
    make_feedback(portal, f"Our drivers support the charter {word}.", "transport_provider")
    sign_in(page, portal, make_staff(portal))
    expect(page).to_have_url(f"{portal.url}/triage")
    page.goto(f"{portal.url}/triage?q={word}")
    expect(page.locator("#inbox-table tbody tr.app-inbox-row")).to_have_count(4)
    expect(page.locator("#inbox-table mark").first).to_have_text(word)
    assert axe_violations(page) == []


def test_axe_on_item_page_with_tags_notes_and_history(page: Page, portal: Portal):
    from portal.auth.service import get_user_by_email
    from portal.models import FeedbackStatus
    from portal.triage import service

    word = unique_word()
    item = make_feedback(portal, f"The Merseyrail app should show lift outages {word}.")
    make_feedback(portal, f"The Merseyrail app should show lift outages too {word}.")
    email = make_staff(portal)
    role_id, _, theme_id, _ = first_role_and_theme(portal)
    with portal.app.app_context():
        user = get_user_by_email(email)
        feedback = service.get_item(item.reference)
        parent = service.create_code(user, f"Accessibility {word}")
        child = service.create_code(user, f"Lifts {word}", parent)
        service.set_tags(feedback, user, [role_id], [theme_id], [parent.id, child.id])
        service.add_note(feedback, user, "Asked the rail team whether outages can be shown.")
        service.change_status(feedback, user, FeedbackStatus.IN_REVIEW)
        service.set_public_reply(feedback, user, "We have asked Merseyrail about this.")
        db.session.commit()

    sign_in(page, portal, email)
    page.goto(f"{portal.url}/triage/{item.reference}")
    expect(page.locator("#item-status")).to_have_text("In review")
    expect(page.locator("#history")).to_contain_text("codes")
    expect(page.locator("#similar-items")).to_be_visible()
    assert axe_violations(page) == [], "item page"

    # After an action the success banner is swapped in over htmx; that state is checked too.
    page.fill("#note-body", "The rail team will reply next week.")
    page.click("button:has-text('Add note')")
    expect(page.locator("#flash-success")).to_contain_text("Note added")
    expect(page.locator("#main-content")).to_contain_text("The rail team will reply next week.")
    assert axe_violations(page) == [], "item page with a success banner"


def test_axe_on_codeframe(page: Page, portal: Portal):
    word = unique_word()
    parent, child = f"Safety {word}", f"Lighting {word}"
    sign_in(page, portal, make_staff(portal))
    expect(page).to_have_url(f"{portal.url}/triage")
    page.goto(f"{portal.url}/admin/codes")
    page.fill("#code-name", parent)
    page.click("button:has-text('Add code')")
    expect(page.locator("#flash-success")).to_contain_text(f"Code ‘{parent}’ created")
    page.fill("#code-name", child)
    page.select_option("#code-parent", label=parent)
    page.click("button:has-text('Add code')")
    expect(page.locator("#flash-success")).to_contain_text(f"Code ‘{child}’ created")
    row = page.locator("#codes-table tbody tr", has_text=child)
    expect(row.locator("th")).to_contain_text(f"{parent}: {child}")
    assert axe_violations(page) == []


def test_axe_on_forbidden_page(page: Page, portal: Portal):
    sign_in(page, portal, make_staff(portal, "champion"))
    expect(page).to_have_url(f"{portal.url}/notes")
    page.goto(f"{portal.url}/triage")
    expect(page.locator("h1")).to_contain_text("You do not have permission")
    assert axe_violations(page) == []
