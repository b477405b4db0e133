"""In Chromium, JavaScript on and off: an admin adds a commitment, edits its text (the public page
shows the new text, the old version is in its history) and retires it (no longer offered in
forms; its feedback still listed). Axe on the framework admin pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import Portal, axe_violations, feedback_item, make_staff, sign_in, unique_word

pytestmark = pytest.mark.browser


def _feedback_on(portal: Portal, slug: str) -> str:
    return feedback_item(
        portal, "The lifts at my station are often out of order.", commitment=slug
    ).reference


def _journey(page: Page, portal: Portal) -> None:
    word = unique_word()
    title = f"Step-free journeys {word}"
    slug = f"step-free-journeys-{word}"
    sign_in(page, portal, make_staff(portal, "admin"))

    page.goto(f"{portal.url}/admin/framework")
    page.get_by_role("link", name="Add a commitment").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Text of the commitment").fill("Make every station step-free.")
    page.get_by_label("Service provider").check()
    page.get_by_label("Fairer").check()
    page.get_by_label("Future Aspiration").check()
    page.get_by_label("This commitment is about transport").check()
    page.get_by_label("No, it is an example to be replaced").check()
    page.get_by_role("button", name="Add commitment").click()
    expect(page.locator("#flash-success")).to_contain_text(f"Commitment ‘{title}’ added")

    page.goto(f"{portal.url}/commitments/{slug}")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("main")).to_contain_text("Make every station step-free.")
    expect(page.locator("#example-warning")).to_contain_text(
        "Example commitment — not part of the published framework"
    )

    page.goto(f"{portal.url}/admin/framework")
    page.get_by_role("link", name=title, exact=True).click()
    page.get_by_label("Text of the commitment").fill(
        "Make every station and travel centre step-free."
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#flash-success")).to_contain_text("text changed")

    page.goto(f"{portal.url}/commitments/{slug}")
    expect(page.locator("main")).to_contain_text("Make every station and travel centre step-free.")
    expect(page.locator("main")).not_to_contain_text("Make every station step-free.")
    page.goto(f"{portal.url}/admin/framework/commitments/{slug}/history")
    expect(page.locator("#version-2")).to_contain_text("travel centre step-free")
    expect(page.locator("#version-1")).to_contain_text("Make every station step-free.")

    reference = _feedback_on(portal, slug)
    page.goto(f"{portal.url}/admin/framework")
    page.get_by_role("button", name=f"Retire {title}").click()
    expect(page.locator("#flash-success")).to_contain_text("retired")

    page.goto(f"{portal.url}/feedback")
    expect(page.locator("#commitment option", has_text=word)).to_have_count(0)
    page.goto(f"{portal.url}/framework")
    expect(page.locator("#results")).not_to_contain_text(word)
    assert page.goto(f"{portal.url}/commitments/{slug}").status == 404

    page.goto(f"{portal.url}/triage?commitment={slug}")
    expect(page.locator("main")).to_contain_text(reference)
    page.get_by_role("link", name=re.compile(reference)).first.click()
    expect(page.locator("main")).to_contain_text(title)


def test_admin_commitment_journey_with_javascript(page: Page, portal: Portal):
    _journey(page, portal)


def test_admin_commitment_journey_without_javascript(nojs_page: Page, portal: Portal):
    _journey(nojs_page, portal)


def test_axe_on_the_framework_admin_pages(page: Page, portal: Portal):
    sign_in(page, portal, make_staff(portal, "admin"))
    for path in (
        "/admin/framework",
        "/admin/framework/commitments/new",
        "/admin/framework/commitments/foodbank-collection-points",
        "/admin/framework/commitments/foodbank-collection-points/history",
        "/admin/framework/roles/employer",
        "/admin/framework/themes/new",
        "/commitments/fair-employment-charter",
    ):
        page.goto(f"{portal.url}{path}")
        assert axe_violations(page) == [], path
    page.goto(f"{portal.url}/admin/framework/commitments/new")
    page.get_by_role("button", name="Add commitment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title")
    assert axe_violations(page) == []
