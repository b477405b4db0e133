"""Suggested tags in real Chromium: keyboard apply with htmx on, axe on item and admin pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from .conftest import Portal, axe_violations, feedback_item, make_staff, sign_in, tab_to

pytestmark = pytest.mark.browser

FOODBANK = "Could you put a food bank donation box for tins at Southport station? {word}"


def make_item(portal: Portal, body: str) -> str:
    return feedback_item(portal, body).reference


def commitment_of(portal: Portal, reference: str) -> str | None:
    from portal.extensions import db
    from portal.models import Feedback

    with portal.app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        return item.commitment.slug if item.commitment else None


def test_apply_a_suggestion_with_the_keyboard(portal: Portal, page: Page):
    reference = make_item(portal, FOODBANK.format(word="keyboard"))
    sign_in(page, portal, make_staff(portal))
    page.goto(f"{portal.url}/triage/{reference}")
    suggestion = page.locator(
        '[data-family="commitments"][data-label="foodbank-collection-points"]'
    )
    expect(suggestion).to_be_visible()
    assert axe_violations(page) == []
    tab_to(page, '[data-label="foodbank-collection-points"] form[action$="/apply"] button', 300)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Applied the suggestion")
    assert commitment_of(portal, reference) == "foodbank-collection-points"
    expect(page.locator("#history")).to_contain_text("suggestion applied")


def test_admin_page_passes_axe_and_shows_errors_at_the_field(portal: Portal, page: Page):
    sign_in(page, portal, make_staff(portal, "admin"))
    page.goto(f"{portal.url}/admin/tagging")
    expect(page.locator("#auto-status")).to_contain_text("off")
    assert axe_violations(page) == []
    page.check("input[name=enabled][value=yes]")
    page.fill("input[name=threshold]", "2")
    page.click("#save-auto-tagging")
    expect(page.locator(".govuk-error-summary")).to_contain_text("between 0 and 1")
    expect(page.locator("#threshold-error")).to_be_visible()
    assert axe_violations(page) == []
    page.fill("input[name=threshold]", "0.95")
    page.click("#save-auto-tagging")
    expect(page.locator("#auto-status")).to_contain_text("on")
