"""Answering a shipped survey in real Chromium, with JavaScript on and off; axe-core on every
survey page, the staff results page included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.auth.service import create_user
from portal.extensions import db
from portal.surveys import service

from .conftest import axe_violations

pytestmark = pytest.mark.browser

SLUG = "safe-spaces-at-stations"


@pytest.fixture(scope="module", autouse=True)
def shipped_surveys(live_app):
    with live_app.app_context():
        report = service.sync()
        assert not report.problems
        db.session.commit()


def answer_first_pages(page: Page, base: str) -> None:
    page.goto(f"{base}/surveys")
    page.click("text=Safe Spaces at staffed stations and travel centres")
    page.click("text=Start now")
    page.check("input[value=moorfields]")
    page.check("input[value=most_days]")
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Feeling safe")


def finish(page: Page, audit: bool = False) -> str:
    page.check("#q-safety_rating-2")
    page.click("button:has-text('Continue')")
    page.check("#q-aware-2")
    page.check("#q-staff_confident-4")
    page.fill("#q-improve", "More staff on the platforms after 10pm, please.")
    page.click("button:has-text('Continue')")
    page.check("#q-consent_to_quote")
    page.check("#q-contact_consent-2")
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Check your answers before sending them")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Late in the evening")
    if audit:
        assert axe_violations(page) == [], "check your answers"
    page.click("button:has-text('Send answers')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Answers sent")
    return page.locator("#reference").inner_text()


def test_survey_with_javascript_on_reveals_conditional_question_in_place(page, live_server):
    answer_first_pages(page, live_server)
    expect(page.locator("#q-unsafe_when")).to_have_count(0)
    page.evaluate("window.__noReload = true")
    page.check("#q-felt_unsafe")  # "Yes"
    expect(page.locator("#q-unsafe_when")).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    page.check("input[name=q-unsafe_when][value=late_in_the_evening]")
    reference = finish(page)
    assert re.fullmatch(r"SVS-[2-9A-HJ-NP-Z]{7}", reference)


def test_survey_with_javascript_off_server_decides(nojs_page, live_server):
    page = nojs_page
    answer_first_pages(page, live_server)
    page.check("#q-felt_unsafe")
    page.click("button:has-text('Continue')")
    # The server shows the same page again with the question the answer revealed.
    expect(page.locator("#added-questions")).to_be_visible()
    page.check("input[name=q-unsafe_when][value=late_in_the_evening]")
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Feeling safe")  # the rating is still to answer
    expect(page.locator(".govuk-error-summary")).to_contain_text("Overall, how safe")
    reference = finish(page)
    assert reference.startswith("SVS-")


def test_axe_on_survey_pages(page, live_server, live_app):
    page.goto(f"{live_server}/surveys")
    assert axe_violations(page) == [], "list"
    page.goto(f"{live_server}/surveys/{SLUG}")
    assert axe_violations(page) == [], "start"
    page.click("text=Start now")
    page.click("button:has-text('Continue')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe_violations(page) == [], "errors"
    page.check("input[value=moorfields]")
    page.check("input[value=most_days]")
    page.click("button:has-text('Continue')")
    page.check("#q-felt_unsafe")
    expect(page.locator("#q-unsafe_when")).to_be_visible()
    assert axe_violations(page) == [], "conditional"
    page.check("input[name=q-unsafe_when][value=late_in_the_evening]")
    finish(page, audit=True)
    assert axe_violations(page) == [], "confirmation"
    with live_app.app_context():
        create_user("survey-staff@example.invalid", "member", "correct horse battery staple")
        db.session.commit()
    page.goto(f"{live_server}/login")
    page.fill("#email", "survey-staff@example.invalid")
    page.fill("#password", "correct horse battery staple")
    page.click("button:has-text('Sign in')")
    page.goto(f"{live_server}/surveys/{SLUG}/results")
    expect(page.locator("#response-count")).to_be_visible()
    assert axe_violations(page) == [], "results"
