"""Implementation Group meetings in real Chromium: the agenda by keyboard only and with JS off,
its exports, and axe-core on the meeting, report and "You said, we did" pages."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db

from ..conftest import PASSWORD
from .conftest import (
    Item,
    Portal,
    axe_violations,
    feedback_item,
    make_staff,
    sign_in,
    tab_to,
    unique_word,
)

pytestmark = pytest.mark.browser

# The agenda holds many tab stops: every item has its move, remove and disclosure controls.
TAB_LIMIT = 400


@dataclass(frozen=True)
class CommitmentRef:
    id: int
    slug: str
    title: str


def commitments(portal: Portal) -> list[CommitmentRef]:
    """Return the framework's commitments in their display order."""
    from portal.extensions import db
    from portal.models import Commitment

    with portal.app.app_context():
        rows = db.session.scalars(select(Commitment).order_by(Commitment.position, Commitment.id))
        return [CommitmentRef(c.id, c.slug, c.title) for c in rows]


def make_feedback(
    portal: Portal,
    body: str,
    commitment: CommitmentRef,
    received: date,
    *,
    quote: bool = True,
    stakeholder_type: str = "passenger",
    channel: str = "web",
) -> Item:
    """Store a feedback item on a commitment, received on a given day (a quotable one approved
    for quoting: public pages quote only what a member approved, issue 11)."""
    return feedback_item(
        portal,
        body,
        commitment=commitment.id,
        received_at=datetime(received.year, received.month, received.day, 12, tzinfo=UTC),
        consent_to_quote=quote,
        quote_approved=True if quote else None,
        stakeholder_type=stakeholder_type,
        channel=channel,
    )


def tab(page: Page, selector: str) -> None:
    tab_to(page, selector, limit=TAB_LIMIT)


def fill_date(page: Page, name: str, iso: str) -> None:
    """Fill a GOV.UK date input's day, month and year boxes."""
    year, month, day = iso.split("-")
    page.fill(f"#{name}-day", day)
    page.fill(f"#{name}-month", month)
    page.fill(f"#{name}-year", year)


def open_details(page: Page, inner: str) -> None:
    """Tab to the summary of the <details> holding `inner` and open it with Enter."""
    summary = f"details:has({inner}) > summary"
    tab(page, summary)
    page.keyboard.press("Enter")
    expect(page.locator(inner)).to_be_visible()


def replace_text(page: Page, text: str) -> None:
    """Select what the focused field holds and type over it."""
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def swapped_in(page: Page, message: str) -> None:
    """The edit was answered over htmx: the success banner is swapped into the agenda, without a
    page load, and takes focus so keyboard and screen reader users know it arrived."""
    banner = page.locator("#agenda #flash-success")
    expect(banner).to_contain_text(message)
    expect(banner).to_be_focused()
    assert page.evaluate("window.__noReload") is True


def meeting_id_from(page: Page, portal: Portal) -> int:
    match = re.fullmatch(rf"{re.escape(portal.url)}/meetings/(\d+)(#.*)?", page.url)
    assert match, page.url
    return int(match.group(1))


def agenda(portal: Portal, meeting_id: int) -> list[dict]:
    """Return the agenda items as the database holds them, in order."""
    from portal.meetings import service

    with portal.app.app_context():
        meeting = service.get_meeting(meeting_id)
        return [
            {
                "id": i.id,
                "position": i.position,
                "title": i.title,
                "summary": i.summary,
                "commitment_id": i.commitment_id,
                "kind": i.kind.value,
                "quotes": [q.feedback.reference for q in i.quotes],
                "decisions": [d.text for d in i.decisions],
                "actions": [
                    {
                        "id": a.id,
                        "description": a.description,
                        "owner": a.owner,
                        "due": a.due_date,
                        "status": a.status.value,
                        "outcome": a.outcome,
                        "published": a.outcome_published_at is not None,
                        "feedback": [f.reference for f in a.feedback],
                    }
                    for a in i.actions
                ],
            }
            for i in meeting.items
        ]


def item_for(portal: Portal, meeting_id: int, commitment: CommitmentRef) -> dict:
    return next(i for i in agenda(portal, meeting_id) if i["commitment_id"] == commitment.id)


def feedback_state(portal: Portal, reference: str) -> tuple[str, str | None]:
    """Return (status, public reply) of a feedback item."""
    from portal.extensions import db
    from portal.models import Feedback

    with portal.app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        return item.status.value, item.public_reply


def create_meeting(
    portal: Portal, email: str, title: str, meeting_date: date, start: date, end: date
) -> int:
    """Create a meeting through the service, as the form would; return its id."""
    from portal.auth.service import get_user_by_email
    from portal.meetings import service

    with portal.app.app_context():
        meeting = service.create_meeting(get_user_by_email(email), title, meeting_date, start, end)
        db.session.commit()
        db.session.commit()
        return meeting.id


# ---------------------------------------------------------------------------------------------
# The journey by keyboard only


def test_meeting_journey_by_keyboard_only(page: Page, portal: Portal):
    word = unique_word()
    first, second = commitments(portal)[:2]
    # Three items on the first commitment put it first on the agenda; one on the second.
    linked = make_feedback(
        portal,
        f"The lift at Moorfields was out of order for a week {word}.",
        first,
        date(2026, 5, 4),
    )
    quoted = make_feedback(
        portal,
        f"Staff at the travel centre were kind when the lift failed {word}.",
        first,
        date(2026, 5, 12),
    )
    unquotable = make_feedback(
        portal,
        f"Please publish lift outages on the app before I travel {word}.",
        first,
        date(2026, 5, 20),
        quote=False,
    )
    make_feedback(
        portal,
        f"The new charter should reach small bus operators too {word}.",
        second,
        date(2026, 5, 25),
        stakeholder_type="transport_provider",
    )
    outside = make_feedback(
        portal,
        f"Received long before the period, so never on the agenda {word}.",
        second,
        date(2026, 3, 1),
    )
    email = make_staff(portal)
    title = f"Implementation Group June {word}"
    new_title = f"Lifts and step-free access {word}"
    summary = f"Three people wrote about broken lifts; one asked for outage alerts {word}."
    decision = f"Ask Merseyrail to report lift outages in the app {word}."
    action_text = f"Write to Merseyrail about lift outage alerts {word}."
    owner = "Stations and travel centres"
    outcome = f"Merseyrail now shows lift outages in its app and at stations {word}."

    # Sign in.
    page.goto(f"{portal.url}/login")
    tab(page, "#email")
    page.keyboard.type(email)
    tab(page, "#password")
    page.keyboard.type(PASSWORD)
    tab(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{portal.url}/triage")

    # To the meetings, then plan one.
    tab(page, "a[href='/meetings']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{portal.url}/meetings")
    expect(page.locator("h1")).to_have_text("Implementation Group meetings")
    tab(page, "a[href='/meetings/new']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Plan a meeting")
    tab(page, "#title")
    page.keyboard.type(title)
    # GOV.UK date inputs: day, month and year boxes, typed in order.
    for name, iso in (
        ("meeting_date", "2026-06-10"),
        ("period_start", "2026-05-01"),
        ("period_end", "2026-05-31"),
    ):
        for part, value in zip(("day", "month", "year"), reversed(iso.split("-")), strict=True):
            tab(page, f"#{name}-{part}")
            page.keyboard.type(value)
    tab(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    # The draft agenda: standing items, the two commitments by volume, any other business.
    expect(page.locator("h1")).to_have_text(title)
    meeting_id = meeting_id_from(page, portal)
    page.evaluate("window.__noReload = true")
    items = agenda(portal, meeting_id)
    assert [i["kind"] for i in items] == ["standing", "standing", "commitment", "commitment", "aob"]
    assert [i["commitment_id"] for i in items[2:4]] == [first.id, second.id]
    first_item, second_item = items[2], items[3]
    a, b = first_item["id"], second_item["id"]
    expect(page.locator("#agenda-items > li")).to_have_count(5)
    expect(page.locator(f"#item-{a} h3")).to_have_text(f"3. {first.title}")
    expect(page.locator(f"#item-{a}")).to_contain_text("3 items in the period")
    expect(page.locator(f"#item-{b}")).to_contain_text("1 item in the period")
    expect(page.locator("#agenda")).not_to_contain_text(outside.reference)
    with portal.app.app_context():
        from portal.extensions import db
        from portal.models import Meeting

        meeting = db.session.get(Meeting, meeting_id)
        assert (meeting.meeting_date, meeting.period_start, meeting.period_end) == (
            date(2026, 6, 10),
            date(2026, 5, 1),
            date(2026, 5, 31),
        )

    # Rename the first commitment item and write its summary.
    open_details(page, f"#title-{a}")
    tab(page, f"#title-{a}")
    replace_text(page, new_title)
    tab(page, f"#summary-{a}")
    page.keyboard.type(summary)
    tab(page, f"#save-{a}")
    page.keyboard.press("Enter")
    swapped_in(page, f"Saved ‘{new_title}’")
    expect(page.locator(f"#item-{a} h3")).to_have_text(f"3. {new_title}")
    expect(page.locator(f"#item-{a}")).to_contain_text(summary)
    saved = item_for(portal, meeting_id, first)
    assert (saved["title"], saved["summary"]) == (new_title, summary)

    # Move the second commitment up, above the first.
    tab(page, f"#up-{b}")
    page.keyboard.press("Enter")
    swapped_in(page, f"Moved ‘{second.title}’ up")
    expect(page.locator("#agenda-items > li").nth(2)).to_have_id(f"item-{b}")
    expect(page.locator("#agenda-items > li").nth(3)).to_have_id(f"item-{a}")
    expect(page.locator(f"#item-{a} h3")).to_have_text(f"4. {new_title}")
    positions = {i["id"]: i["position"] for i in agenda(portal, meeting_id)}
    assert (positions[b], positions[a]) == (3, 4)

    # Pin a quote by its reference; feedback without consent to quote is refused.
    open_details(page, f"#pin-{a}")
    expect(page.locator(f"#item-{a} details:has(#pin-{a})")).to_contain_text(quoted.reference)
    expect(page.locator(f"#item-{a} details:has(#pin-{a})")).not_to_contain_text(
        unquotable.reference
    )
    tab(page, f"#pin-{a}")
    page.keyboard.type(unquotable.reference)
    tab(page, f"#pin-button-{a}")
    page.keyboard.press("Enter")
    # Refused: the error summary (focused) and the message at the box, the reference still
    # in it, the "Pin a quote" section still open.
    refused = page.locator("#agenda .govuk-error-summary")
    message = f"{unquotable.reference} cannot be quoted: no consent was given"
    expect(refused).to_contain_text(message)
    expect(refused).to_be_focused()
    expect(page.locator(f"#pin-{a}-error")).to_contain_text(message)
    expect(page.locator(f"#pin-{a}")).to_have_value(unquotable.reference)
    assert item_for(portal, meeting_id, first)["quotes"] == []
    tab(page, f"#pin-{a}")
    replace_text(page, quoted.reference.lower())  # references are matched in any case
    tab(page, f"#pin-button-{a}")
    page.keyboard.press("Enter")
    swapped_in(page, f"Pinned {quoted.reference}")
    expect(page.locator(f"#item-{a}")).to_contain_text(f"{quoted.reference} (pinned)")
    expect(page.locator(f"#unpin-{a}-{quoted.id}")).to_be_visible()
    assert item_for(portal, meeting_id, first)["quotes"] == [quoted.reference]

    # Record a decision.
    open_details(page, f"#decision-{a}")
    tab(page, f"#decision-{a}")
    page.keyboard.type(decision)
    tab(page, f"#add-decision-{a}")
    page.keyboard.press("Enter")
    swapped_in(page, "Decision recorded")
    expect(page.locator(f"#item-{a}")).to_contain_text(decision)
    assert item_for(portal, meeting_id, first)["decisions"] == [decision]

    # Record an action linked to a feedback item.
    open_details(page, f"#action-desc-{a}")
    tab(page, f"#action-desc-{a}")
    page.keyboard.type(action_text)
    tab(page, f"#action-owner-{a}")
    page.keyboard.type(owner)
    tab(page, f"#action-due-{a}-day")
    page.keyboard.type("31")
    tab(page, f"#action-due-{a}-month")
    page.keyboard.type("7")
    tab(page, f"#action-due-{a}-year")
    page.keyboard.type("2026")
    tab(page, f"#action-links-{a}")
    page.keyboard.type(linked.reference)
    tab(page, f"#add-action-{a}")
    page.keyboard.press("Enter")
    swapped_in(page, "Action recorded")
    (action,) = item_for(portal, meeting_id, first)["actions"]
    assert action | {"id": 0} == {
        "id": 0,
        "description": action_text,
        "owner": owner,
        "due": date(2026, 7, 31),
        "status": "open",
        "outcome": None,
        "published": False,
        "feedback": [linked.reference],
    }
    block = page.locator(f"#action-{action['id']}")
    expect(block).to_contain_text(action_text)
    expect(block).to_contain_text(f"Owner: {owner}. Due 31 July 2026. Status: Open.")
    expect(block).to_contain_text(f"Linked feedback: {linked.reference}.")

    # Publish the action's outcome: it becomes the reply on the linked feedback.
    tab(page, f"#outcome-{action['id']}")
    page.keyboard.type(outcome)
    tab(page, f"#publish-{action['id']}")
    page.keyboard.press("Enter")
    swapped_in(page, "Outcome published to 1 feedback item")
    expect(page.locator(f"#action-{action['id']}")).to_contain_text("Outcome published")
    expect(page.locator(f"#action-{action['id']}")).to_contain_text(outcome)
    (published,) = item_for(portal, meeting_id, first)["actions"]
    assert (published["outcome"], published["published"]) == (outcome, True)
    assert feedback_state(portal, linked.reference) == ("actioned", outcome)
    assert feedback_state(portal, quoted.reference) == ("new", None)

    # The submitter's tracking page shows the reply.
    page.goto(f"{portal.url}/track/{linked.token}")
    expect(page.locator("#public-reply")).to_have_text(outcome)
    page.goto(f"{portal.url}/track/{quoted.token}")
    expect(page.locator("#public-reply")).to_have_count(0)


# ---------------------------------------------------------------------------------------------
# JavaScript off: every edit is a plain form answered with a redirect back to the agenda


def test_agenda_edits_with_javascript_off(nojs_page: Page, portal: Portal):
    page = nojs_page
    word = unique_word()
    first, second = commitments(portal)[2:4]
    linked = make_feedback(
        portal,
        f"The ferry terminal needs more seating for older people {word}.",
        first,
        date(2026, 6, 5),
    )
    quoted = make_feedback(
        portal,
        f"Seating at the ferry terminal has improved a lot this year {word}.",
        first,
        date(2026, 6, 9),
    )
    make_feedback(
        portal,
        f"Tell local firms about the Social Value weighting early {word}.",
        second,
        date(2026, 6, 3),
        stakeholder_type="business",
    )
    make_feedback(
        portal,
        f"Procurement should ask bidders about local jobs {word}.",
        second,
        date(2026, 6, 7),
        stakeholder_type="business",
    )
    make_feedback(
        portal,
        f"The social value questions were clear and fair {word}.",
        second,
        date(2026, 6, 8),
        stakeholder_type="business",
    )
    email = make_staff(portal, "admin")
    title = f"Implementation Group July {word}"
    outcome = f"Twenty new seats were fitted at the ferry terminal {word}."

    sign_in(page, portal, email)
    page.goto(f"{portal.url}/meetings/new")
    page.fill("#title", title)
    fill_date(page, "meeting_date", "2026-07-08")
    fill_date(page, "period_start", "2026-06-01")
    fill_date(page, "period_end", "2026-06-30")
    page.click("button:has-text('Build the draft agenda')")
    expect(page.locator("h1")).to_have_text(title)
    meeting_id = meeting_id_from(page, portal)
    items = agenda(portal, meeting_id)
    assert [i["commitment_id"] for i in items if i["kind"] == "commitment"] == [
        second.id,
        first.id,
    ]
    b, a = (i["id"] for i in items if i["kind"] == "commitment")
    agenda_url = re.compile(rf"{re.escape(portal.url)}/meetings/{meeting_id}(#item-{a})?$")

    # Rename and summarise.
    page.click(f"details:has(#title-{a}) > summary")
    page.fill(f"#title-{a}", f"Ferry terminal seating {word}")
    page.fill(f"#summary-{a}", f"Two passengers wrote about seating {word}.")
    page.click(f"#save-{a}")
    expect(page).to_have_url(agenda_url)
    expect(page.locator("#flash-success")).to_contain_text(f"Saved ‘Ferry terminal seating {word}’")
    expect(page.locator(f"#item-{a} h3")).to_have_text(f"4. Ferry terminal seating {word}")

    # Move it up, above the busier commitment.
    page.click(f"#up-{a}")
    expect(page).to_have_url(agenda_url)
    expect(page.locator("#agenda-items > li").nth(2)).to_have_id(f"item-{a}")
    expect(page.locator(f"#item-{a} h3")).to_have_text(f"3. Ferry terminal seating {word}")

    # Pin a quote, then an unknown reference is refused with a message.
    page.click(f"details:has(#pin-{a}) > summary")
    page.fill(f"#pin-{a}", quoted.reference)
    page.click(f"#pin-button-{a}")
    expect(page.locator(f"#item-{a}")).to_contain_text(f"{quoted.reference} (pinned)")
    page.click(f"details:has(#pin-{a}) > summary")
    page.fill(f"#pin-{a}", "SVF-NOTREAL")
    page.click(f"#pin-button-{a}")
    expect(page.locator(f"#pin-{a}-error")).to_contain_text(
        "Enter the reference of an existing feedback item"
    )
    expect(page.locator(f"#pin-{a}")).to_have_value("SVF-NOTREAL")

    # A decision and an action.
    page.click(f"details:has(#decision-{a}) > summary")
    page.fill(f"#decision-{a}", f"Fit more seats at the ferry terminal {word}.")
    page.click(f"#add-decision-{a}")
    expect(page.locator("#flash-success")).to_contain_text("Decision recorded")
    page.click(f"details:has(#action-desc-{a}) > summary")
    page.fill(f"#action-desc-{a}", f"Order seats for the ferry terminal {word}.")
    page.fill(f"#action-owner-{a}", "Mersey Ferries")
    fill_date(page, f"action-due-{a}", "2026-08-31")
    page.fill(f"#action-links-{a}", linked.reference)
    page.click(f"#add-action-{a}")
    expect(page.locator("#flash-success")).to_contain_text("Action recorded")
    (action,) = item_for(portal, meeting_id, first)["actions"]

    # Change its status, then publish its outcome.
    page.select_option(f"#action-status-{action['id']}", "done")
    page.click(f"#update-action-{action['id']}")
    expect(page.locator("#flash-success")).to_contain_text("Action updated")
    expect(page.locator(f"#action-{action['id']}")).to_contain_text("Status: Done.")
    page.fill(f"#outcome-{action['id']}", outcome)
    page.click(f"#publish-{action['id']}")
    expect(page.locator("#flash-success")).to_contain_text("Outcome published to 1 feedback item")

    # Add an item, then remove it; refresh the figures.
    page.fill("#new-item-title", f"Ferry timetable {word}")
    page.click("#add-item")
    expect(page.locator("#flash-success")).to_contain_text(f"Added ‘Ferry timetable {word}’")
    added = next(i for i in agenda(portal, meeting_id) if i["title"] == f"Ferry timetable {word}")
    assert added["position"] == len(agenda(portal, meeting_id)) - 1  # just before AOB
    page.click(f"#remove-{added['id']}")
    expect(page.locator("#flash-success")).to_contain_text(f"Removed ‘Ferry timetable {word}’")
    expect(page.locator(f"#item-{added['id']}")).to_have_count(0)
    page.click("#refresh-figures")
    expect(page.locator("#flash-success")).to_contain_text("Figures refreshed")

    # The database agrees.
    items = agenda(portal, meeting_id)
    assert [i["title"] for i in items] == [
        "Welcome and apologies",
        "Minutes and actions of the previous meeting",
        f"Ferry terminal seating {word}",
        second.title,
        "Any other business",
    ]
    item = items[2]
    assert item["summary"] == f"Two passengers wrote about seating {word}."
    assert item["quotes"] == [quoted.reference]
    assert item["decisions"] == [f"Fit more seats at the ferry terminal {word}."]
    (saved,) = item["actions"]
    assert (saved["status"], saved["due"], saved["owner"], saved["feedback"]) == (
        "done",
        date(2026, 8, 31),
        "Mersey Ferries",
        [linked.reference],
    )
    assert saved["outcome"] == outcome and saved["published"]
    assert feedback_state(portal, linked.reference) == ("actioned", outcome)
    page.goto(f"{portal.url}/track/{linked.token}")
    expect(page.locator("#public-reply")).to_have_text(outcome)


# ---------------------------------------------------------------------------------------------
# A meeting with everything on it: figures, codes, progress, quotes, decisions and outcomes


@dataclass(frozen=True)
class RichMeeting:
    id: int
    email: str
    word: str
    titles: list[str]
    decision: str
    outcome: str


@pytest.fixture(scope="module")
def rich_meeting(portal: Portal) -> RichMeeting:
    """A meeting in the current financial quarter (2026-Q3) with a full agenda."""
    from portal.auth.service import get_user_by_email
    from portal.extensions import db
    from portal.meetings import service
    from portal.models import Commitment, Feedback, Priority, ProgressStatus, Sentiment
    from portal.progress.service import ProgressInput, post_update
    from portal.triage import service as triage

    word = unique_word()
    first, second = commitments(portal)[4:6]
    bodies = [
        ("A foodbank point at Liverpool ONE bus station would be used every day", "passenger"),
        ("We would gladly sponsor a collection point at Conway Park station", "business"),
        ("Our volunteers could empty the collection boxes at Birkenhead", "voluntary_community"),
        ("Please put a collection point at St Helens Central too", "resident"),
    ]
    made = [
        make_feedback(
            portal,
            f"{body} {word}.",
            first,
            date(2026, 10, 2 + n),
            stakeholder_type=kind,
            channel=("web", "email", "phone", "web")[n],
        )
        for n, (body, kind) in enumerate(bodies)
    ]
    make_feedback(
        portal,
        f"Apprenticeships on the new trains should go to local people {word}.",
        second,
        date(2026, 10, 20),
        stakeholder_type="employee",
    )
    email = make_staff(portal, "admin")
    with portal.app.app_context():
        user = get_user_by_email(email)
        code = triage.create_code(user, f"Collection points {word}")
        for n, item in enumerate(made):
            feedback = db.session.get(Feedback, item.id)
            triage.set_tags(feedback, user, [], [], [code.id])
            triage.set_assessment(
                feedback,
                user,
                (Sentiment.POSITIVE, Sentiment.NEGATIVE, Sentiment.MIXED, None)[n],
                Priority.HIGH if n == 0 else Priority.NORMAL,
            )
        db.session.commit()  # triage services leave the commit to their caller
        post_update(
            user,
            db.session.get(Commitment, first.id),
            ProgressInput(2026, 3, ProgressStatus.ON_TRACK, f"Two points opened {word}.", []),
        )
        meeting = service.create_meeting(
            user,
            f"Implementation Group November {word}",
            date(2026, 11, 24),
            date(2026, 10, 1),
            date(2026, 11, 20),
        )
        item = next(i for i in meeting.items if i.commitment_id == first.id)
        service.edit_item(user, item, item.title, f"Four people wrote about foodbanks {word}.")
        service.pin_quote(user, item, db.session.get(Feedback, made[1].id))
        decision = f"Open two more foodbank collection points by March {word}."
        service.add_decision(user, item, decision)
        action = service.add_action(
            user,
            item,
            f"Agree sites with the foodbank network {word}.",
            "Stations team",
            date(2026, 12, 31),
            f"{made[0].reference} {made[3].reference}",
        )
        outcome = f"Collection points opened at Liverpool ONE and St Helens Central {word}."
        service.publish_outcome(user, action, outcome)
        service.add_action(user, item, f"Report back in January {word}.", "Stations team", None)
        service.add_item(user, meeting, f"Date of the next meeting {word}")
        db.session.commit()
        meeting = service.get_meeting(meeting.id)
        titles = [i.title for i in meeting.items]
        db.session.commit()
        return RichMeeting(meeting.id, email, word, titles, decision, outcome)


def test_agenda_exports_open(page: Page, portal: Portal, rich_meeting: RichMeeting, tmp_path):
    sign_in(page, portal, rich_meeting.email)
    page.goto(f"{portal.url}/meetings/{rich_meeting.id}")
    expect(page.locator("#agenda-items > li")).to_have_count(len(rich_meeting.titles))

    def download(link_text: str, suffix: str) -> Path:
        with page.expect_download() as info:
            page.get_by_role("link", name=link_text, exact=True).click()
        download = info.value
        assert download.suggested_filename == f"agenda-{rich_meeting.id}.{suffix}"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        return path

    # PDF: every item heading is in the text.
    pdf = PdfReader(download("PDF", "pdf"))
    text = " ".join(" ".join(page_.extract_text() for page_ in pdf.pages).split())
    assert f"Implementation Group November {rich_meeting.word}" in text
    for position, title in enumerate(rich_meeting.titles, start=1):
        assert f"{position}. {title}" in text, title
    assert f"Decision: {rich_meeting.decision}" in text

    # Word: real headings, one per item, and tables for the figures.
    document = Document(str(download("Word", "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [f"{n}. {title}" for n, title in enumerate(rich_meeting.titles, start=1)]
    assert document.core_properties.title == f"Implementation Group November {rich_meeting.word}"
    figures = [t for t in document.tables if t.rows[0].cells[0].text == "Measure"]
    assert len(figures) == 2  # one table of figures per commitment item

    # CSV: the figures behind every commitment item.
    rows = list(csv.reader(io.StringIO(download("Figures (CSV)", "csv").read_text("utf-8"))))
    assert rows[0] == ["item", "title", "measure", "key", "value"]
    commitment_titles = {title for _, title, *_ in rows[1:]}
    assert commitment_titles == {rich_meeting.titles[2], rich_meeting.titles[3]}
    totals = {(r[1], r[2]): r[4] for r in rows[1:] if r[3] == "total"}
    assert totals[(rich_meeting.titles[2], "Items in period")] == "4"
    assert totals[(rich_meeting.titles[2], "High or urgent priority")] == "1"
    assert [r[3:] for r in rows if r[2] == "Top codes"] == [
        [f"Collection points {rich_meeting.word}", "4"]
    ]

    # The print-friendly agenda.
    page.get_by_role("link", name="Print-friendly agenda").click()
    expect(page).to_have_url(f"{portal.url}/meetings/{rich_meeting.id}/print")
    expect(page.locator("main .doc-section > h2")).to_have_text(
        [f"{n}. {title}" for n, title in enumerate(rich_meeting.titles, start=1)]
    )
    expect(page.locator("nav.doc-contents li")).to_have_text(rich_meeting.titles)
    expect(page.locator("main")).to_contain_text(f"Decision: {rich_meeting.decision}")


# ---------------------------------------------------------------------------------------------
# The previous meeting's actions come forward to the next agenda


@dataclass(frozen=True)
class FollowUp:
    email: str
    earlier_title: str
    later_id: int
    action: str


@pytest.fixture(scope="module")
def follow_up(portal: Portal) -> FollowUp:
    """Two meetings in August and September: the first agreed an action."""
    from portal.auth.service import get_user_by_email
    from portal.meetings import service

    word = unique_word()
    email = make_staff(portal)
    earlier_title = f"Implementation Group August {word}"
    action = f"Invite the bus operators to the next meeting {word}."
    with portal.app.app_context():
        user = get_user_by_email(email)
        earlier = service.create_meeting(
            user, earlier_title, date(2026, 8, 5), date(2026, 7, 1), date(2026, 7, 31)
        )
        aob = earlier.items[-1]
        service.add_action(user, aob, action, "Transport team", date(2026, 9, 1))
        later = service.create_meeting(
            user, f"Implementation Group September {word}", date(2026, 9, 2)
        )
        assert (later.period_start, later.period_end) == (date(2026, 8, 1), date(2026, 9, 1))
        db.session.commit()
        db.session.commit()
        return FollowUp(email, earlier_title, later.id, action)


def test_previous_actions_on_the_next_agenda_and_its_pdf(page: Page, portal: Portal, follow_up):
    sign_in(page, portal, follow_up.email)
    page.goto(f"{portal.url}/meetings/{follow_up.later_id}")
    minutes = page.locator("#agenda-items > li").nth(1)
    expect(minutes.locator("h3")).to_have_text("2. Minutes and actions of the previous meeting")
    expect(minutes).to_contain_text(f"Actions from {follow_up.earlier_title}")
    expect(minutes.locator("table")).to_contain_text(follow_up.action)
    expect(minutes.locator("table")).to_contain_text("Transport team")
    assert axe_violations(page) == []

    response = page.request.get(f"{portal.url}/meetings/{follow_up.later_id}/agenda.pdf")
    assert response.status == 200
    pdf = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert follow_up.action in text


def test_print_view_shows_previous_actions(page: Page, portal: Portal, follow_up: FollowUp):
    sign_in(page, portal, follow_up.email)
    page.goto(f"{portal.url}/meetings/{follow_up.later_id}/print")
    expect(page.locator("main .doc-section > h2").nth(1)).to_have_text(
        "2. Minutes and actions of the previous meeting"
    )
    expect(page.locator("main")).to_contain_text(follow_up.action)


def test_refresh_over_htmx_updates_the_snapshot_time(page: Page, portal: Portal, follow_up):
    from portal.extensions import db
    from portal.models import Meeting

    with portal.app.app_context():
        meeting = db.session.get(Meeting, follow_up.later_id)
        meeting.figures_built_at = datetime(2026, 9, 1, 9, 30, tzinfo=UTC)
        db.session.commit()
    sign_in(page, portal, follow_up.email)
    page.goto(f"{portal.url}/meetings/{follow_up.later_id}")
    stated = page.locator("main p", has_text="Figures are a snapshot taken")
    expect(stated).to_contain_text(
        "snapshot taken 1 September 2026, 10:30am"
    )  # 9:30 UTC is 10:30 in London (BST)
    page.click("#refresh-figures")
    expect(page.locator("#agenda #flash-success")).to_contain_text("Figures refreshed")
    with portal.app.app_context():
        assert db.session.get(Meeting, follow_up.later_id).figures_built_at.date() != date(
            2026, 9, 1
        )
    expect(stated).not_to_contain_text("1 September 2026, 10:30am")


# ---------------------------------------------------------------------------------------------
# axe-core


def test_axe_on_meetings_list_and_plan_form(page: Page, portal: Portal, rich_meeting):
    sign_in(page, portal, make_staff(portal))
    page.goto(f"{portal.url}/meetings")
    expect(page.locator("#meetings-table")).to_contain_text(rich_meeting.word)
    assert axe_violations(page) == [], "meetings list"

    page.goto(f"{portal.url}/meetings/new")
    assert axe_violations(page) == [], "plan a meeting"

    page.click("button:has-text('Build the draft agenda')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a title for the meeting")
    expect(summary).to_contain_text("Enter the date of the meeting")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#title-error")).to_be_visible()
    assert axe_violations(page) == [], "plan a meeting with errors"

    # Half a period is refused at the period's start, the input kept.
    page.fill("#title", "Half a period")
    fill_date(page, "meeting_date", "2026-12-10")
    fill_date(page, "period_start", "2026-09-01")
    page.click("button:has-text('Build the draft agenda')")
    expect(summary).to_have_text(
        re.compile(r"Enter both the start and the end of the period, or neither")
    )
    expect(summary.locator("a")).to_have_attribute("href", "#period_start-day")
    expect(page.locator("#period_start-error")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Half a period")
    expect(page.locator("#period_start-day")).to_have_value("01")
    expect(page.locator("#period_start-month")).to_have_value("09")
    expect(page.locator("#period_start-year")).to_have_value("2026")
    assert axe_violations(page) == [], "plan a meeting with a period error"


def test_axe_on_agenda_page(page: Page, portal: Portal, rich_meeting: RichMeeting):
    sign_in(page, portal, make_staff(portal))
    page.goto(f"{portal.url}/meetings/{rich_meeting.id}")
    main = page.locator("#agenda")
    # The figures fold away under each item; opened, the chart sits below its heading.
    expect(main.locator("svg.app-chart").first).not_to_be_visible()
    main.locator("details.app-figures summary").first.click()
    expect(main.locator("svg.app-chart").first).to_be_visible()
    expect(main).to_contain_text("(pinned)")
    expect(main).to_contain_text(rich_meeting.decision)
    expect(main).to_contain_text(rich_meeting.outcome)
    expect(main).to_contain_text("Latest progress")
    expect(main).to_contain_text("Top codes")
    assert axe_violations(page) == [], "agenda"

    # With every disclosure open, and after an htmx edit swapped in a success banner.
    page.evaluate("document.querySelectorAll('#agenda details').forEach(d => d.open = true)")
    assert axe_violations(page) == [], "agenda with every disclosure open"
    page.click("#refresh-figures")
    expect(page.locator("#flash-success")).to_contain_text("Figures refreshed")
    assert axe_violations(page) == [], "agenda with a success banner"


def test_axe_on_print_page(page: Page, portal: Portal, rich_meeting: RichMeeting):
    sign_in(page, portal, make_staff(portal))
    page.goto(f"{portal.url}/meetings/{rich_meeting.id}/print")
    expect(page.locator("main")).to_contain_text(rich_meeting.decision)
    assert axe_violations(page) == []


def test_axe_on_reports_pages(page: Page, portal: Portal, rich_meeting: RichMeeting):
    sign_in(page, portal, make_staff(portal))
    page.goto(f"{portal.url}/reports")
    expect(page.locator("h1")).to_have_text("Reports")
    assert axe_violations(page) == [], "reports"

    page.goto(f"{portal.url}/reports/quarterly/2026-Q3")
    expect(page.locator("h1")).to_contain_text("October to December 2026")
    expect(page.locator("#quarterly-table")).to_be_visible()
    assert axe_violations(page) == [], "quarterly report"

    page.goto(f"{portal.url}/reports/annual/2026")
    expect(page.locator("h1")).to_contain_text("2026/27")
    assert axe_violations(page) == [], "annual review pack"


def test_axe_on_reports_for_an_officer(page: Page, portal: Portal, rich_meeting: RichMeeting):
    sign_in(page, portal, make_staff(portal, "officer"))
    response = page.goto(f"{portal.url}/reports/quarterly/2026-Q3")
    assert response is not None and response.status == 200
    assert axe_violations(page) == []


def test_axe_on_you_said_we_did(page: Page, portal: Portal, rich_meeting: RichMeeting):
    page.goto(f"{portal.url}/you-said-we-did?period=2026-Q3")
    main = page.locator("main")
    expect(main).to_contain_text(f"The Implementation Group decided: {rich_meeting.decision}")
    expect(main).to_contain_text(rich_meeting.outcome)
    expect(main.locator("blockquote").first).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_expired_token_on_the_agenda_keeps_the_decision(
    browser, portal: Portal, rich_meeting: RichMeeting, javascript: bool
):
    """A meeting page left open for hours: its form token has expired when the decision is
    recorded. The page comes back with the decision still in its box, and records it."""
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, portal, make_staff(portal))
    page.goto(f"{portal.url}/meetings/{rich_meeting.id}")
    item = page.locator("#agenda-items > li").first
    item_id = item.get_attribute("id").removeprefix("item-")
    box = f"#decision-{item_id}"
    text = f"Ask the stations team for step-free routes & signs <{unique_word()}>"
    item.locator(f"details:has({box}) > summary").click()
    page.fill(box, text)
    # The token the page holds has expired (signed long ago, or by an old key).
    page.locator("input[name=csrf_token]").evaluate_all(
        "inputs => inputs.forEach(i => i.value = 'IjAxMjM0NTY3ODkwMTIzNDU2Nzg5Ig.ZZZZZZ.bad')"
    )
    page.click(f"#add-decision-{item_id}")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your session timed out. Check your answers")
    expect(page.locator(box)).to_have_value(text)
    expect(page.locator(f"{box}-error")).to_contain_text("Your session timed out")
    if javascript:
        expect(summary).to_be_focused()
        assert axe_violations(page) == []
    summary.locator("a").click()
    expect(page.locator(box)).to_be_focused()
    # Sent again as it is: the fresh token is accepted and the decision recorded, once.
    page.click(f"#add-decision-{item_id}")
    expect(page.locator("#flash-success")).to_contain_text("Decision recorded")
    expect(page.locator(f"#item-{item_id}")).to_contain_text(text)
    decisions = [d for i in agenda(portal, rich_meeting.id) for d in i["decisions"]]
    assert decisions.count(text) == 1
    context.close()
    assert errors == []
