"""A clerk's meeting in real Chromium, JavaScript on and off (issue 14): a member plans a
meeting with its time, venue and attendees, builds and downloads the agenda, records attendance,
the discussion and a decision, approves the previous meeting's minutes and downloads the
minutes; axe-core on the meeting and minutes pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db

from .. import factories
from .conftest import Portal, axe_violations, make_staff, sign_in, unique_word

pytestmark = pytest.mark.browser


def fill_date(page: Page, name: str, day: date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def earlier_meeting(portal: Portal, email: str, title: str, day: date) -> int:
    """A meeting held before the one the journey plans, whose minutes are to be approved."""
    from portal.auth.service import get_user_by_email

    with portal.app.app_context():
        return factories.meeting(get_user_by_email(email), title, day).id


def download(page: Page, link: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=link, exact=True).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_member_runs_a_meeting_from_invitation_to_approved_minutes(
    page: Page, nojs_page: Page, portal: Portal, javascript: bool, tmp_path: Path
):
    page = page if javascript else nojs_page
    word = unique_word()
    year = 2024 if javascript else 2025  # each run its own pair of meetings
    email = make_staff(portal, "member")
    colleague = make_staff(portal, "admin")
    from portal.models import User

    with portal.app.app_context():
        user = db.session.scalar(select(User).where(User.email == colleague))
        user.name = f"Avery Admin {word}"
        db.session.commit()
        colleague_id = user.id
    previous_title = f"October meeting {word}"
    previous_id = earlier_meeting(portal, email, previous_title, date(year, 10, 8))
    title = f"December meeting {word}"

    sign_in(page, portal, email)
    page.goto(f"{portal.url}/meetings/new")
    page.fill("#title", title)
    fill_date(page, "meeting_date", date(year, 12, 9))
    page.fill("#start_time", "2:30pm")
    page.fill("#venue", f"Mann Island, Liverpool {word}")
    page.check(f"input[name='members'][value='{colleague_id}']")
    page.fill("#other_members", f"Sam Partner {word}")
    page.click("button:has-text('Build the draft agenda')")
    expect(page).to_have_url(re.compile(rf"{re.escape(portal.url)}/meetings/\d+$"))
    meeting_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#meeting-start-time")).to_have_text("2:30pm")
    expect(page.locator("#meeting-venue")).to_have_text(f"Mann Island, Liverpool {word}")
    members = page.locator("#members-table")
    expect(members).to_contain_text(f"Avery Admin {word}")
    expect(members).to_contain_text(f"Sam Partner {word}")
    if javascript:  # axe-core runs in the page's JavaScript
        assert axe_violations(page) == [], "meeting page with members"

    # The agenda pack, downloaded.
    agenda = pdf_text(download(page, "PDF", tmp_path))
    assert title in agenda and "Any other business" in agenda

    # Attendance: the colleague came, the partner sent apologies.
    rows = members.locator("tbody tr")
    rows.nth(0).get_by_label("Present").check()
    rows.nth(0).locator("button:has-text('Save')").click()
    expect(page.locator("#flash-success")).to_contain_text(f"Avery Admin {word}: present")
    page.locator("#members-table tbody tr").nth(1).get_by_label("Sent apologies").check()
    page.locator("#members-table tbody tr").nth(1).locator("button:has-text('Save')").click()
    expect(page.locator("#flash-success")).to_contain_text("sent apologies")

    # An item's discussion; a refused one keeps what was typed.
    item = page.locator("#agenda-items > li").last  # any other business
    item.locator("summary:has-text('Minutes: record the discussion')").click()
    box = item.locator("textarea[name$='-discussion']")
    box.fill("x" * 5001)
    item.locator("button:has-text('Save discussion')").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("5,000 characters")
    item = page.locator("#agenda-items > li").last
    box = item.locator("textarea[name$='-discussion']")
    expect(box).to_have_value("x" * 5001)
    box.fill(f"Members thanked the station staff {word}.")
    item.locator("button:has-text('Save discussion')").click()
    item = page.locator("#agenda-items > li").last
    expect(item).to_contain_text(f"Members thanked the station staff {word}.")

    # A decision on the same item (over htmx with JavaScript on).
    item.locator("summary:has-text('Record a decision or action')").click()
    item.locator("textarea[name='text']").fill(f"Write to the station managers {word}")
    item.locator("button:has-text('Record decision')").click()
    expect(page.locator("#agenda-items > li").last).to_contain_text(
        f"Write to the station managers {word}"
    )

    # The previous meeting's minutes, approved at this one (once).
    page.goto(f"{portal.url}/meetings/{meeting_id}")
    expect(page.locator("#previous-minutes-status")).to_contain_text("to be approved")
    page.click("#approve-previous-minutes")
    expect(page.locator("#flash-success")).to_contain_text(
        f"The minutes of {previous_title} are approved"
    )
    expect(page.locator("#previous-minutes-status")).to_contain_text("were approved")
    expect(page.locator("#approve-previous-minutes")).to_have_count(0)
    if javascript:
        assert axe_violations(page) == [], "meeting page after approving"

    # The minutes, as PDF and as Word (the on-screen page is the same HTML document).
    expect(page.get_by_role("link", name="Minutes", exact=True)).to_have_attribute(
        "href", f"/meetings/{meeting_id}/minutes"
    )
    minutes = pdf_text(download(page, "Minutes (PDF)", tmp_path))
    assert f"Minutes: {title}" in minutes
    assert f"Avery Admin {word}" in minutes
    assert f"Members thanked the station staff {word}." in minutes
    assert f"Write to the station managers {word}" in minutes
    assert f"Sam Partner {word}" in minutes and "Apologies" in minutes
    assert f"The minutes of {previous_title}" in minutes and "were approved" in minutes
    assert f"9 December {year}" in minutes
    word_doc = Document(str(download(page, "Minutes (Word)", tmp_path)))
    assert word_doc.core_properties.title == f"Minutes: {title}"
    text = " ".join(p.text for p in word_doc.paragraphs)
    assert f"Members thanked the station staff {word}." in text

    # The earlier meeting's minutes now say where they were approved.
    page.goto(f"{portal.url}/meetings/{previous_id}")
    expect(page.locator("#own-minutes-status")).to_contain_text(f"approved at {title}")
