"""Best-practice notes in real Chromium: a champion writes, a member reviews and publishes, the
public finds the note in the library and on its commitment; returns; axe-core on every page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.extensions import db

from ..conftest import PASSWORD
from .conftest import (
    CSP_REPORTS,
    GUARD_MS,
    Portal,
    axe_violations,
    csp_violations,
    make_staff,
    sign_in,
    tab_to,
    unique_word,
    watch_csp,
)

pytestmark = pytest.mark.browser

# The note form holds a checkbox for every commitment, role and theme.
TAB_LIMIT = 200


@dataclass(frozen=True)
class Tag:
    id: int
    slug: str
    name: str


@contextmanager
def browser_page(browser: Browser) -> Iterator[Page]:
    """A page in a context of its own (another person's browser), failing on JS errors and on
    Content-Security-Policy violations (the policy is enforced)."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    reports_from = len(CSP_REPORTS.messages)
    console = watch_csp(page)
    page.set_default_timeout(GUARD_MS)
    try:
        yield page
        violations = csp_violations(page, console, reports_from)
    finally:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def framework_tags(portal: Portal) -> tuple[list[Tag], list[Tag], list[Tag]]:
    """Return the commitments, roles and themes in display order."""
    from portal.extensions import db
    from portal.models import Commitment, Role, Theme

    with portal.app.app_context():
        commitments = [
            Tag(c.id, c.slug, c.title)
            for c in db.session.scalars(select(Commitment).order_by(Commitment.position))
        ]
        roles = [
            Tag(r.id, r.slug, r.name)
            for r in db.session.scalars(select(Role).order_by(Role.position))
        ]
        themes = [
            Tag(t.id, t.slug, t.name)
            for t in db.session.scalars(select(Theme).order_by(Theme.position))
        ]
        return commitments, roles, themes


def sign_in_by_keyboard(page: Page, portal: Portal, email: str) -> None:
    page.goto(f"{portal.url}/login")
    tab(page, "#email")
    page.keyboard.type(email)
    tab(page, "#password")
    page.keyboard.type(PASSWORD)
    tab(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))


def tab(page: Page, selector: str) -> None:
    tab_to(page, selector, limit=TAB_LIMIT)


def activate(page: Page, selector: str) -> None:
    """Tab to a link or button and press Enter."""
    tab(page, selector)
    page.keyboard.press("Enter")


def make_note(
    portal: Portal,
    email: str,
    title: str,
    body: str,
    commitment_ids: tuple[int, ...] = (),
    *,
    submit: bool = True,
    publisher: str | None = None,
    **extra,
) -> int:
    """Write a note as its author through tests/factories.py (and submit, publish); its id."""
    from portal.auth.service import get_user_by_email

    from .. import factories

    with portal.app.app_context():
        return factories.note(
            get_user_by_email(email),
            title,
            body,
            commitment_ids,
            submit=submit,
            publisher=get_user_by_email(publisher) if publisher else None,
            **extra,
        ).id


def lf(text: str | None) -> str | None:
    """Browsers post a textarea's line breaks as CRLF (HTML spec); the app stores them as sent."""
    return text.replace("\r\n", "\n") if text is not None else None


def note_state(portal: Portal, note_id: int) -> dict:
    from portal.notes import service

    with portal.app.app_context():
        note = service.get(note_id)
        return {
            "status": note.status.value,
            "slug": note.slug,
            "title": note.title,
            "body": lf(note.body),
            "review_comment": note.review_comment,
            "versions": [v.number for v in note.versions],
            "published_title": note.published_version.title if note.published_version else None,
            "published_body": lf(note.published_version.body) if note.published_version else None,
            "commitments": [c.id for c in note.commitments],
            "roles": [r.id for r in note.roles],
            "themes": [t.id for t in note.themes],
            "evidence_links": list(note.evidence_links or []),
            "cost": note.cost,
            "achieved": note.achieved,
            "endorsements": len(note.endorsements),
        }


def note_id_from(page: Page, portal: Portal) -> int:
    match = re.fullmatch(rf"{re.escape(portal.url)}/notes/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


# ---------------------------------------------------------------------------------------------
# The journey by keyboard only


def test_note_journey_by_keyboard_only(page: Page, browser: Browser, portal: Portal):
    from portal.auth.service import get_user_by_email
    from portal.meetings import service as meetings

    word = unique_word()
    commitments, roles, themes = framework_tags(portal)
    commitment, role, theme = commitments[0], roles[0], themes[0]
    champion = make_staff(portal, "champion")
    member = make_staff(portal, "member")
    with portal.app.app_context():
        meeting_title = f"Implementation Group December {word}"
        meetings.create_meeting(get_user_by_email(member), meeting_title, date(2026, 12, 10))
        # A later meeting is listed first, so the one to pin into must be chosen.
        meetings.create_meeting(get_user_by_email(member), f"Planning day {word}", date(2027, 3, 4))
        db.session.commit()
    title = f"Pop-up foodbank points at stations {word}"
    summary = "A month-long trial at two stations collected over a tonne of food."
    link = "https://example.org/foodbank-network-guide"
    body_lines = [
        "We ran a **pop-up** collection point for a month.",
        "",
        "- Ask the station team first",
        "- Put the box near the ticket office",
        f"- Empty it twice a week {word}",
        "",
        f"Read the [foodbank network guide]({link}).",
    ]

    # The champion signs in and writes the note.
    sign_in_by_keyboard(page, portal, champion)
    activate(page, "a[href='/notes']")
    expect(page.locator("h1")).to_have_text("Best-practice notes")
    activate(page, "a[href='/notes/new']")
    expect(page.locator("h1")).to_have_text("Write a note")
    tab(page, "#title")
    page.keyboard.type(title)
    tab(page, "#summary")
    page.keyboard.type(summary)
    tab(page, "#body")
    for n, line in enumerate(body_lines):
        page.keyboard.type(line)
        if n < len(body_lines) - 1:
            page.keyboard.press("Enter")
    expect(page.locator("#body")).to_have_value("\n".join(body_lines))
    for checkbox in (
        f"#commitment_ids-{commitment.id}",
        f"#role_ids-{role.id}",
        f"#theme_ids-{theme.id}",
    ):
        tab(page, checkbox)
        page.keyboard.press("Space")
        expect(page.locator(checkbox)).to_be_checked()
    tab(page, "#evidence_links")
    page.keyboard.type("https://example.org/trial-report")
    tab(page, "#cost")
    page.keyboard.type("£150 for boxes and posters")
    tab(page, "#achieved")
    page.keyboard.type("1,100 kg of food in four weeks")
    activate(page, "main form button[type=submit]")

    expect(page.locator("#flash-success")).to_contain_text("Draft saved")
    note_id = note_id_from(page, portal)
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#note-status")).to_have_text("Draft")
    rendered = page.locator(".app-note-body")
    expect(rendered.locator("ul li")).to_have_text(
        [
            "Ask the station team first",
            "Put the box near the ticket office",
            f"Empty it twice a week {word}",
        ]
    )
    expect(rendered.locator("strong")).to_have_text("pop-up")
    expect(rendered.locator(f"a[href='{link}']")).to_have_text("foodbank network guide")
    expect(rendered.locator(f"a[href='{link}']")).to_have_attribute("rel", "noopener noreferrer")
    saved = note_state(portal, note_id)
    assert saved | {"slug": ""} == {
        "status": "draft",
        "slug": "",
        "title": title,
        "body": "\n".join(body_lines),
        "review_comment": None,
        "versions": [],
        "published_title": None,
        "published_body": None,
        "commitments": [commitment.id],
        "roles": [role.id],
        "themes": [theme.id],
        "evidence_links": ["https://example.org/trial-report"],
        "cost": "£150 for boxes and posters",
        "achieved": "1,100 kg of food in four weeks",
        "endorsements": 0,
    }

    # Sent for review; the champion is offered no way to publish it.
    activate(page, "#submit-note")
    expect(page.locator("#flash-success")).to_contain_text("Sent for review")
    expect(page.locator("#note-status")).to_have_text("Submitted for review")
    expect(page.locator("#publish-note")).to_have_count(0)
    expect(page.locator("#return-note")).to_have_count(0)
    assert note_state(portal, note_id)["status"] == "submitted"

    # Nor can the champion publish it by posting the form directly, with a valid CSRF token.
    token = page.locator("input[name=csrf_token]").first.input_value()
    response = page.request.post(
        f"{portal.url}/notes/{note_id}/publish", form={"csrf_token": token}, max_redirects=0
    )
    assert response.status == 403
    assert note_state(portal, note_id)["status"] == "submitted"

    # A member, in another browser, finds it waiting for review and publishes it.
    with browser_page(browser) as reviewer:
        sign_in_by_keyboard(reviewer, portal, member)
        activate(reviewer, "a[href='/notes']")
        expect(reviewer.locator("main")).to_contain_text("Waiting for review")
        activate(reviewer, f"a[href='/notes/{note_id}']")
        expect(reviewer.locator("h1")).to_have_text(title)
        expect(reviewer.locator("#note-status")).to_have_text("Submitted for review")
        expect(reviewer.locator(".app-note-body ul li")).to_have_count(3)
        activate(reviewer, "#publish-note")
        expect(reviewer.locator("#flash-success")).to_contain_text("Published as version 1")
        expect(reviewer.locator("#note-status")).to_have_text("Published")

        # Endorse it and pin it into the next meeting's agenda.
        activate(reviewer, "#endorse-note")
        expect(reviewer.locator("#flash-success")).to_contain_text("Note endorsed")
        tab(reviewer, "#pin-meeting")
        chosen = reviewer.locator("#pin-meeting option:checked")
        for _ in range(reviewer.locator("#pin-meeting option").count()):
            if meeting_title in chosen.inner_text():
                break
            reviewer.keyboard.press("ArrowDown")
        expect(reviewer.locator("#pin-meeting option:checked")).to_contain_text(meeting_title)
        activate(reviewer, "#pin-note")
        expect(reviewer.locator("#flash-success")).to_contain_text(
            f"Pinned into the agenda of {meeting_title}"
        )

    state = note_state(portal, note_id)
    assert state["status"] == "published"
    assert state["versions"] == [1]
    assert state["published_title"] == title
    assert state["endorsements"] == 1
    slug = state["slug"]

    # The public finds it in the library by a word of its body.
    with browser_page(browser) as visitor:
        visitor.goto(f"{portal.url}/best-practice")
        tab(visitor, "#q")
        visitor.keyboard.type(word)
        visitor.keyboard.press("Enter")
        expect(visitor).to_have_url(re.compile(rf"/best-practice\?q={word}"))
        results = visitor.locator("#library-results")
        expect(results.locator("h2")).to_have_text([title])
        expect(results).to_contain_text(summary)
        expect(results).to_contain_text("endorsed by 1 member of the Implementation Group")
        expect(visitor.locator("#note-count")).to_have_text("1 note")

        activate(visitor, f"#library-results a[href='/best-practice/{slug}']")
        expect(visitor).to_have_url(f"{portal.url}/best-practice/{slug}")
        expect(visitor.locator("h1")).to_have_text(title)
        expect(visitor.locator(".app-note-body ul li")).to_have_count(3)
        expect(visitor.locator(f".app-note-body a[href='{link}']")).to_be_visible()
        expect(visitor.locator("main")).to_contain_text("1,100 kg of food in four weeks")

        # ... and on the related commitment's page.
        activate(visitor, f"main a[href='/commitments/{commitment.slug}']")
        expect(visitor.locator("h1")).to_contain_text(commitment.name)
        related = visitor.locator("#related-notes")
        expect(related).to_contain_text(title)
        expect(related.locator(f"a[href='/best-practice/{slug}']")).to_be_visible()

    # The meeting's agenda lists the pinned note.
    with browser_page(browser) as agenda:
        sign_in(agenda, portal, member)
        agenda.goto(f"{portal.url}/meetings")
        agenda.click(f"a:has-text('{meeting_title}')")
        expect(agenda.locator("#agenda")).to_contain_text(f"{title} (pinned)")


def test_author_who_is_admin_cannot_publish_own_note(page: Page, portal: Portal):
    word = unique_word()
    admin = make_staff(portal, "admin")
    note_id = make_note(portal, admin, f"Quiet hours at travel centres {word}", f"Worked {word}.")
    sign_in(page, portal, admin)
    page.goto(f"{portal.url}/notes/{note_id}")
    expect(page.locator("#note-status")).to_have_text("Submitted for review")
    expect(page.locator("#publish-note")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.input_value()
    response = page.request.post(
        f"{portal.url}/notes/{note_id}/publish", form={"csrf_token": token}, max_redirects=0
    )
    assert response.status == 403
    assert note_state(portal, note_id)["status"] == "submitted"

    # A direct POST without the CSRF token is refused as an expired form, not published.
    response = page.request.post(f"{portal.url}/notes/{note_id}/publish", max_redirects=0)
    assert response.status == 400
    assert note_state(portal, note_id)["status"] == "submitted"


# ---------------------------------------------------------------------------------------------
# Returned with a comment, edited and resubmitted


def test_return_with_comment_edit_and_resubmit(page: Page, browser: Browser, portal: Portal):
    word = unique_word()
    commitments, _, _ = framework_tags(portal)
    champion = make_staff(portal, "champion")
    member = make_staff(portal, "member")
    title = f"Local suppliers for station refits {word}"
    note_id = make_note(
        portal,
        champion,
        title,
        f"We asked three local firms to quote {word}.",
        (commitments[1].id,),
    )
    comment = "Please say what it cost and how many local firms won work."
    new_body = (
        f"We asked three local firms to quote {word}.\n\n- Two won work\n- Cost: nothing extra"
    )

    # The member returns it; an empty comment is refused first.
    sign_in(page, portal, member)
    page.goto(f"{portal.url}/notes/{note_id}")
    page.click("#return-note")
    expect(page.locator("#flash-error")).to_contain_text("Enter a comment for the author")
    expect(page.locator("#note-status")).to_have_text("Submitted for review")
    page.fill("#return-comment", comment)
    page.click("#return-note")
    expect(page.locator("#flash-success")).to_contain_text("Returned to the author")
    expect(page.locator("#note-status")).to_have_text("Returned with comments")
    expect(page.locator("#publish-note")).to_have_count(0)
    state = note_state(portal, note_id)
    assert (state["status"], state["review_comment"]) == ("returned", comment)

    # The author sees the comment, edits and sends it back.
    with browser_page(browser) as author:
        sign_in(author, portal, champion)
        author.goto(f"{portal.url}/notes")
        row = author.locator("#notes-table tr", has_text=title)
        expect(row).to_contain_text("Returned with comments")
        row.locator("a").click()
        expect(author.locator("#review-comment")).to_contain_text(comment)
        author.click("#edit-note")
        expect(author.locator("h1")).to_have_text("Edit note")
        expect(author.locator("#title")).to_have_value(title)
        expect(author.locator(f"#commitment_ids-{commitments[1].id}")).to_be_checked()
        author.fill("#body", new_body)
        author.fill("#cost", "Nothing extra")
        author.click("button:has-text('Save draft')")
        expect(author.locator("#flash-success")).to_contain_text("Changes saved")
        expect(author.locator(".app-note-body ul li")).to_have_text(
            ["Two won work", "Cost: nothing extra"]
        )
        state = note_state(portal, note_id)
        assert (state["status"], state["body"], state["cost"]) == (
            "returned",
            new_body,
            "Nothing extra",
        )
        author.click("#submit-note")
        expect(author.locator("#flash-success")).to_contain_text("Sent for review")
        expect(author.locator("#note-status")).to_have_text("Submitted for review")
    assert note_state(portal, note_id)["status"] == "submitted"

    # The member publishes the resubmitted note; the comment is cleared.
    page.goto(f"{portal.url}/notes/{note_id}")
    expect(page.locator("#review-comment")).to_contain_text(comment)
    page.click("#publish-note")
    expect(page.locator("#flash-success")).to_contain_text("Published as version 1")
    expect(page.locator("#review-comment")).to_have_count(0)
    state = note_state(portal, note_id)
    assert (state["status"], state["review_comment"], state["published_body"]) == (
        "published",
        None,
        new_body,
    )


# ---------------------------------------------------------------------------------------------
# axe-core


def test_axe_on_notes_list_and_form(page: Page, portal: Portal):
    word = unique_word()
    champion = make_staff(portal, "champion")
    make_note(
        portal, champion, f"Draft about bus shelters {word}", f"Shelters {word}.", submit=False
    )
    make_note(portal, champion, f"Submitted about ferries {word}", f"Ferries {word}.")
    sign_in(page, portal, champion)
    page.goto(f"{portal.url}/notes")
    expect(page.locator("#notes-table tbody tr")).to_have_count(2)
    assert axe_violations(page) == [], "notes list (champion)"

    page.goto(f"{portal.url}/notes/new")
    assert axe_violations(page) == [], "write a note"

    page.fill("#evidence_links", "not a link")
    page.click("button:has-text('Save draft')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a title")
    expect(summary).to_contain_text("Enter a short summary")
    expect(summary).to_contain_text("Enter what worked and how")
    expect(summary).to_contain_text("Enter each evidence link on its own line")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#evidence_links")).to_have_value("not a link")
    assert axe_violations(page) == [], "write a note with errors"


def test_axe_on_notes_list_for_a_reviewer(page: Page, portal: Portal):
    word = unique_word()
    make_note(portal, make_staff(portal, "champion"), f"Waiting note {word}", f"Body {word}.")
    sign_in(page, portal, make_staff(portal, "member"))
    page.goto(f"{portal.url}/notes")
    expect(page.locator("main")).to_contain_text(f"Waiting note {word}")
    assert axe_violations(page) == []


def test_axe_on_note_pages(page: Page, browser: Browser, portal: Portal):
    from portal.auth.service import get_user_by_email
    from portal.meetings import service as meetings

    word = unique_word()
    commitments, roles, themes = framework_tags(portal)
    champion = make_staff(portal, "champion")
    member = make_staff(portal, "member")
    with portal.app.app_context():
        meetings.create_meeting(get_user_by_email(member), f"Meeting {word}", date(2026, 12, 17))
        db.session.commit()
    body = (
        f"## What we did\n\nWe trained **twelve** staff {word}.\n\n"
        "- Safe Spaces training\n- A quiet room\n\n"
        "| Station | Staff trained |\n|---|---|\n| Lime Street | 8 |\n| Moorfields | 4 |\n\n"
        "See the [guidance](https://example.org/safe-spaces)."
    )
    submitted = make_note(
        portal,
        champion,
        f"Safe Spaces training {word}",
        body,
        (commitments[2].id,),
        role_ids=[roles[0].id],
        theme_ids=[themes[0].id],
        evidence_links=["https://example.org/report"],
        cost="£400",
        achieved="Twelve staff",
    )

    # The reviewer's view of a submitted note: publish and return forms.
    sign_in(page, portal, member)
    page.goto(f"{portal.url}/notes/{submitted}")
    expect(page.locator("#publish-note")).to_be_visible()
    expect(page.locator(".app-note-body table")).to_be_visible()
    assert axe_violations(page) == [], "submitted note, reviewer"

    # Published: endorse and pin into an agenda.
    page.click("#publish-note")
    expect(page.locator("#flash-success")).to_contain_text("Published as version 1")
    expect(page.locator("#pin-meeting")).to_be_visible()
    assert axe_violations(page) == [], "published note, reviewer, with a success banner"

    # The author's view of a returned note, with the reviewer's comment.
    returned = make_note(portal, champion, f"Quiet rooms {word}", f"Quiet {word}.")
    page.goto(f"{portal.url}/notes/{returned}")
    page.fill("#return-comment", "Add the stations where it worked.")
    page.click("#return-note")
    expect(page.locator("#flash-success")).to_contain_text("Returned to the author")
    with browser_page(browser) as author:
        sign_in(author, portal, champion)
        author.goto(f"{portal.url}/notes/{returned}")
        expect(author.locator("#review-comment")).to_be_visible()
        assert axe_violations(author) == [], "returned note, author"


def test_axe_on_library_and_public_note(page: Page, portal: Portal):
    word = unique_word()
    commitments, roles, themes = framework_tags(portal)
    champion = make_staff(portal, "champion")
    member = make_staff(portal, "member")
    titles = [f"Travel buddies for new apprentices {word}", f"Station adoption groups {word}"]
    slugs = []
    for n, title in enumerate(titles):
        note_id = make_note(
            portal,
            champion,
            title,
            f"## How it works\n\n- Pair people up\n- Meet monthly {word} number{n}\n\n"
            "[More](https://example.org/more)",
            (commitments[3 + n].id,),
            publisher=member,
            role_ids=[roles[n].id],
            theme_ids=[themes[n].id],
        )
        slugs.append(note_state(portal, note_id)["slug"])

    page.goto(f"{portal.url}/best-practice")
    expect(page.locator("#library-results h2").first).to_be_visible()
    assert axe_violations(page) == [], "library"

    page.fill("#q", f"number1 {word}")
    page.click("main button:has-text('Search')")
    expect(page.locator("#library-results h2")).to_have_text([titles[1]])
    assert axe_violations(page) == [], "library after a search"

    page.goto(f"{portal.url}/best-practice")
    page.select_option("#filter-commitment", commitments[3].slug)
    page.click("main button:has-text('Search')")
    expect(page).to_have_url(re.compile(rf"commitment={commitments[3].slug}"))
    expect(page.locator("#library-results")).to_contain_text(titles[0])
    expect(page.locator("#library-results")).not_to_contain_text(titles[1])

    page.fill("#q", f"nothingmatches{word}")
    page.click("main button:has-text('Search')")
    expect(page.locator("#library-results")).to_contain_text("No notes match.")
    assert axe_violations(page) == [], "library with no results"

    page.goto(f"{portal.url}/best-practice/{slugs[0]}")
    expect(page.locator("h1")).to_have_text(titles[0])
    expect(page.locator("main")).to_contain_text("Related commitments")
    assert axe_violations(page) == [], "public note"

    page.goto(f"{portal.url}/commitments/{commitments[3].slug}")
    expect(page.locator("#related-notes")).to_contain_text(titles[0])
    assert axe_violations(page) == [], "commitment page with related notes"


# ---------------------------------------------------------------------------------------------
# A note pinned into a meeting's agenda


@dataclass(frozen=True)
class PinnedNote:
    member: str
    meeting_id: int
    title: str
    slug: str


@pytest.fixture(scope="module")
def pinned_note(portal: Portal) -> PinnedNote:
    """A meeting planned first, then a note published and pinned into its agenda."""
    from portal.auth.service import get_user_by_email
    from portal.extensions import db
    from portal.meetings import service as meetings
    from portal.models import Meeting
    from portal.notes import service

    word = unique_word()
    champion = make_staff(portal, "champion")
    member = make_staff(portal, "member")
    with portal.app.app_context():
        meeting = meetings.create_meeting(
            get_user_by_email(member), f"Implementation Group January {word}", date(2027, 1, 14)
        )
        meeting_id = meeting.id
        db.session.commit()
    title = f"Community rooms at bus stations {word}"
    note_id = make_note(
        portal, champion, title, f"Rooms were booked every week {word}.", publisher=member
    )
    with portal.app.app_context():
        service.pin_to_meeting(
            get_user_by_email(member), service.get(note_id), db.session.get(Meeting, meeting_id)
        )
        db.session.commit()
    return PinnedNote(member, meeting_id, title, note_state(portal, note_id)["slug"])


def test_pinned_note_on_the_agenda(page: Page, portal: Portal, pinned_note: PinnedNote):
    sign_in(page, portal, pinned_note.member)
    page.goto(f"{portal.url}/meetings/{pinned_note.meeting_id}")
    item = page.locator("#agenda-items > li", has_text="Best-practice notes")
    expect(item.locator("h3")).to_have_text(re.compile(r"^\d+\. Best-practice notes$"))
    expect(item).to_contain_text(f"{pinned_note.title} (pinned)")
    expect(item.locator(f"a[href='/best-practice/{pinned_note.slug}']")).to_be_visible()
    # It comes just before any other business.
    expect(page.locator("#agenda-items > li").last.locator("h3")).to_contain_text(
        "Any other business"
    )
    expect(page.locator("#agenda-items > li").nth(-2)).to_contain_text("Best-practice notes")
    assert axe_violations(page) == []


def test_pinned_note_in_agenda_pdf_and_word(page: Page, portal: Portal, pinned_note):
    from docx import Document
    from pypdf import PdfReader

    sign_in(page, portal, pinned_note.member)
    url = f"{portal.url}/meetings/{pinned_note.meeting_id}"
    pdf = PdfReader(io.BytesIO(page.request.get(f"{url}/agenda.pdf").body()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Best-practice notes" in text
    word = Document(io.BytesIO(page.request.get(f"{url}/agenda.docx").body()))
    assert any("Best-practice notes" in p.text for p in word.paragraphs)
    assert pinned_note.title in text
    assert any(pinned_note.title in p.text for p in word.paragraphs)


def test_pinned_note_in_print_view(page: Page, portal: Portal, pinned_note: PinnedNote):
    sign_in(page, portal, pinned_note.member)
    page.goto(f"{portal.url}/meetings/{pinned_note.meeting_id}/print")
    expect(page.locator("main")).to_contain_text("Best-practice notes")
    expect(page.locator("main")).to_contain_text(pinned_note.title)


# ---------------------------------------------------------------------------------------------
# Editing a published note: the public keeps the published version until the next is published


def test_editing_a_published_note_keeps_the_public_version(
    page: Page, browser: Browser, portal: Portal
):
    word, later_word = unique_word(), unique_word()
    commitments, _, _ = framework_tags(portal)
    champion = make_staff(portal, "champion")
    member = make_staff(portal, "member")
    title = f"Step-free routes signed at stations {word}"
    note_id = make_note(
        portal,
        champion,
        title,
        f"Signs for step-free routes {word}.",
        (commitments[5].id,),
        publisher=member,
    )
    slug = note_state(portal, note_id)["slug"]

    sign_in(page, portal, champion)
    page.goto(f"{portal.url}/notes/{note_id}/edit")
    expect(page.locator(".govuk-inset-text")).to_contain_text("This note is published")
    page.fill("#title", f"Step-free routes, version two {later_word}")
    page.fill("#body", f"Signs and tactile paving {later_word}.")
    page.click("button:has-text('Save draft')")
    expect(page.locator("#flash-success")).to_contain_text("Changes saved")
    expect(page.locator("#note-status")).to_have_text("Draft")
    state = note_state(portal, note_id)
    assert (state["status"], state["versions"], state["published_title"]) == (
        "draft",
        [1],
        title,
    )

    with browser_page(browser) as visitor:
        visitor.goto(f"{portal.url}/best-practice/{slug}")
        expect(visitor.locator("h1")).to_have_text(title)
        expect(visitor.locator(".app-note-body")).to_contain_text(word)
        visitor.goto(f"{portal.url}/best-practice?q={later_word}")
        expect(visitor.locator("#library-results")).to_contain_text("No notes match.")

    page.click("#submit-note")
    expect(page.locator("#note-status")).to_have_text("Submitted for review")
    with browser_page(browser) as reviewer:
        sign_in(reviewer, portal, member)
        reviewer.goto(f"{portal.url}/notes/{note_id}")
        reviewer.click("#publish-note")
        expect(reviewer.locator("#flash-success")).to_contain_text("Published as version 2")

    page.goto(f"{portal.url}/best-practice/{slug}")
    expect(page.locator("h1")).to_have_text(f"Step-free routes, version two {later_word}")
    page.click("a:has-text('version 1')")
    expect(page).to_have_url(f"{portal.url}/best-practice/{slug}/versions/1")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("main .govuk-inset-text")).to_contain_text("This is version 1")
    assert axe_violations(page) == [], "an earlier version of a public note"


def test_draft_edit_does_not_change_public_commitment_links(page: Page, portal: Portal):
    word = unique_word()
    commitments, _, _ = framework_tags(portal)
    published_on, drafted_on = commitments[6], commitments[7]
    champion = make_staff(portal, "champion")
    title = f"Apprentice mentors on the railway {word}"
    note_id = make_note(
        portal,
        champion,
        title,
        f"Mentors for apprentices {word}.",
        (published_on.id,),
        publisher=make_staff(portal, "member"),
    )
    slug = note_state(portal, note_id)["slug"]

    sign_in(page, portal, champion)
    page.goto(f"{portal.url}/notes/{note_id}/edit")
    page.uncheck(f"#commitment_ids-{published_on.id}")
    page.check(f"#commitment_ids-{drafted_on.id}")
    page.click("button:has-text('Save draft')")
    expect(page.locator("#note-status")).to_have_text("Draft")

    # The published version was reviewed with the first commitment only.
    page.goto(f"{portal.url}/commitments/{published_on.slug}")
    expect(page.locator("#related-notes")).to_contain_text(title)
    page.goto(f"{portal.url}/commitments/{drafted_on.slug}")
    expect(page.locator("#related-notes")).to_have_count(0)
    page.goto(f"{portal.url}/best-practice/{slug}")
    expect(page.locator("main")).to_contain_text(published_on.name)
