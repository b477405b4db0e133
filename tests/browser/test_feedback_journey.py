"""The public journey in real Chromium: JavaScript on, off, and keyboard only; axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import axe_violations, tab_to

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"SVF-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6,8}")
TEXT = "The Safe Space at the travel centre helped my daughter late at night. <b>Thank you</b>"


def fill_form(page: Page) -> None:
    page.fill("#body", TEXT)
    page.check("input[name=stakeholder_type][value=passenger]")
    page.check("input[name=locality][value=wirral]")


def test_journey_with_javascript_on(page: Page, live_server: str):
    page.goto(f"{live_server}/framework")
    page.check("#transport")
    # htmx swaps the results in place and pushes the filtered URL.
    expect(page).to_have_url(re.compile(r"transport=yes"))
    expect(page.locator("#results")).not_to_contain_text("Encouraging fair employment")
    page.evaluate("window.__noReload = true")
    page.click("text=Safe Spaces at staffed stations and travel centres")
    expect(page.locator("h1")).to_have_text("Safe Spaces at staffed stations and travel centres")

    # Inline validation: a too-short answer is flagged when the person leaves the field.
    page.fill("#body", "short")
    page.locator("#organisation").focus()
    expect(page.locator("#field-body .govuk-error-message")).to_contain_text(
        "Feedback must be 10 characters or more"
    )

    fill_form(page)
    page.evaluate("window.__noReload = true")
    page.click("button:has-text('Send feedback')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Feedback sent")
    assert page.evaluate("window.__noReload") is True  # swapped in, no full reload
    expect(page).to_have_title(re.compile(r"^Feedback sent"))
    expect(page.locator("[data-app-focus]")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/feedback/confirmation$"))
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)

    page.click("#tracking-link")
    expect(page.locator("#feedback-text")).to_have_text(TEXT)
    expect(page.locator("body")).to_contain_text(reference)


def test_errors_with_javascript_on_show_summary_and_keep_input(page: Page, live_server: str):
    page.goto(f"{live_server}/feedback")
    page.fill("#body", "Too short")
    page.click("button:has-text('Send feedback')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_contain_text("Select who you are giving feedback as")
    expect(page.locator("#body")).to_have_value("Too short")
    page.click(".govuk-error-summary a[href='#stakeholder_type']")
    expect(page.locator("#stakeholder_type")).to_be_focused()


def test_journey_with_javascript_off(nojs_page: Page, live_server: str):
    page = nojs_page
    page.goto(f"{live_server}/framework")
    page.check("#theme-greener")
    page.click("button:has-text('Apply filters')")
    expect(page).to_have_url(re.compile(r"theme=greener"))
    expect(page.locator("#results")).to_contain_text("Environmental benefits")
    expect(page.locator("#results")).not_to_contain_text("Safe Spaces at staffed")

    page.goto(f"{live_server}/commitments/foodbank-collection-points")
    page.click("button:has-text('Send feedback')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your feedback")
    fill_form(page)
    page.click("button:has-text('Send feedback')")
    expect(page).to_have_url(re.compile(r"/feedback/confirmation$"))
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    page.click("#tracking-link")
    expect(page.locator("#feedback-text")).to_have_text(TEXT)


def test_journey_by_keyboard_only(page: Page, live_server: str):
    page.goto(f"{live_server}/")
    tab_to(page, "a[href='/feedback'].govuk-link")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Give feedback on Social Value")
    tab_to(page, "#commitment")
    page.keyboard.press("ArrowDown")  # choose the first commitment in the list
    tab_to(page, "#body")
    page.keyboard.type("Please put a foodbank collection point at Birkenhead bus station.")
    tab_to(page, "input[name=stakeholder_type]")
    page.keyboard.press("Space")
    tab_to(page, "#consent_to_quote")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-panel__title")).to_have_text("Feedback sent")
    tab_to(page, "#tracking-link")
    page.keyboard.press("Enter")
    expect(page.locator("#feedback-text")).to_contain_text("Birkenhead bus station")


PAGES = [
    "/",
    "/framework",
    "/framework?theme=greener&transport=yes",
    "/commitments/safe-spaces-at-stations-and-travel-centres",
    "/feedback",
    "/privacy",
    "/accessibility",
    "/commitments/not-a-commitment",
]


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_violations(page: Page, live_server: str, path: str):
    page.goto(f"{live_server}{path}")
    assert axe_violations(page) == []


def test_axe_on_error_confirmation_and_tracking_pages(page: Page, live_server: str):
    page.goto(f"{live_server}/feedback")
    page.click("button:has-text('Send feedback')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe_violations(page) == [], "error state"
    fill_form(page)
    page.click("button:has-text('Send feedback')")
    expect(page.locator(".govuk-panel__title")).to_be_visible()
    assert axe_violations(page) == [], "confirmation"
    page.goto(page.locator("#tracking-link").get_attribute("href"))
    expect(page.locator("#feedback-text")).to_be_visible()
    assert axe_violations(page) == [], "tracking"


def test_axe_on_error_page_with_javascript_off_rendering(page: Page, live_server: str):
    """The full-page error rendering (what a no-JS browser gets) is accessible too."""
    page.route("**/static/vendor/htmx/htmx.min.*.js", lambda route: route.abort())
    page.goto(f"{live_server}/feedback")
    page.click("button:has-text('Send feedback')")
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert axe_violations(page) == []


EXPIRED = "Your session timed out. Check your feedback and send it again."


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_expired_token_keeps_what_was_typed(browser, live_server: str, javascript: bool):
    """A tab left open for hours: the session and its form token are gone when the person
    presses Send. The same form comes back with the text still in the box, and sends."""
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/feedback")
    fill_form(page)
    page.fill("#organisation", "Wirral Community Transport")
    context.clear_cookies()  # the session (and its form token) is gone
    page.click("button:has-text('Send feedback')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(EXPIRED)
    expect(page.locator("#body")).to_have_value(TEXT)
    expect(page.locator("#organisation")).to_have_value("Wirral Community Transport")
    expect(page.locator("input[name=stakeholder_type][value=passenger]")).to_be_checked()
    expect(page.locator("input[name=locality][value=wirral]")).to_be_checked()
    expect(page).to_have_title(re.compile(r"^Error: Give feedback"))
    if javascript:
        expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
        assert axe_violations(page) == []  # axe needs JavaScript to run
    summary.locator("a").click()
    expect(page.locator("#body")).to_be_focused()
    # Sent again as it is: the fresh token in the form is accepted.
    page.click("button:has-text('Send feedback')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Feedback sent")
    context.close()
    assert errors == []


def test_inline_validation_after_the_token_expired_keeps_the_page(page: Page, live_server: str):
    page.goto(f"{live_server}/feedback")
    page.fill("#body", "short")
    page.context.clear_cookies()
    page.locator("#organisation").focus()  # leaving the field checks it over htmx
    expect(page.locator("#field-body .govuk-error-message")).to_contain_text(
        "Feedback must be 10 characters or more"
    )
    expect(page.locator("h1")).to_have_text("Give feedback on Social Value")
    expect(page.locator("#body")).to_have_value("short")


def test_delivery_question_and_contact_details_appear_when_they_apply(page: Page, live_server: str):
    page.goto(f"{live_server}/feedback")
    delivery = page.locator("#delivery-question")
    expect(delivery).to_be_hidden()  # no commitment chosen: nothing to rate
    page.select_option("#commitment", "foodbank-collection-points")
    expect(delivery).to_be_visible()
    page.select_option("#commitment", "")
    expect(delivery).to_be_hidden()
    # GOV.UK conditional reveal: name and email only once the person agrees to be contacted.
    expect(page.locator("#email")).to_be_hidden()
    page.check("#consent_to_contact")
    expect(page.locator("#email")).to_be_visible()
    expect(page.locator("#name")).to_be_visible()


def test_without_javascript_every_question_shows(nojs_page: Page, live_server: str):
    nojs_page.goto(f"{live_server}/feedback")
    expect(nojs_page.locator("#delivery-question")).to_be_visible()
    expect(nojs_page.locator("#email")).to_be_visible()
