"""Issue 14 in real Chromium: an admin drafts, previews and publishes a financial year's Annual
Review, and it is on the public page (JavaScript on and off); axe-core on every page of the
journey, and the sweep's checks and the Nu HTML Checker on the published page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from . import test_every_page as sweep
from .conftest import Portal, axe_violations, make_staff, sign_in
from .test_every_page import WIDTHS, Visit, look_at

pytestmark = pytest.mark.browser
width_page = sweep.width_page  # the sweep's page at a given width
YEAR, LABEL = 2025, "2025/26"
INTRO = "Our first year of listening to passengers, businesses and partners."


@pytest.fixture
def portal(live_app, live_server):
    from sqlalchemy import delete

    from portal.annualreview.models import AnnualReview
    from portal.extensions import db

    yield Portal(live_app, live_server)
    with live_app.app_context():
        db.session.execute(delete(AnnualReview))
        db.session.commit()


@pytest.mark.parametrize("javascript", [True, False])
def test_an_admin_publishes_an_annual_review_and_it_is_public(
    request, browser: Browser, portal: Portal, javascript: bool
):
    page: Page = request.getfixturevalue("page" if javascript else "nojs_page")
    sign_in(page, portal, make_staff(portal, "admin"))
    page.goto(f"{portal.url}/annual-review/drafts")
    if javascript:
        assert axe_violations(page) == []
    page.get_by_role("link", name=f"Start a draft for {LABEL}").click()
    expect(page.locator("h1")).to_have_text(f"{LABEL}: draft")
    if javascript:
        assert axe_violations(page) == []
    page.get_by_role("button", name="Save and preview").click()  # no introduction yet
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an introduction")
    if javascript:
        assert axe_violations(page) == []
    page.get_by_label("Introduction").fill(INTRO)
    page.get_by_label("What is working well (optional)").fill("Safe Spaces at staffed stations.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator("#preview-warning")).to_contain_text("not published")
    expect(page.locator("main")).to_contain_text(INTRO)
    if javascript:
        assert axe_violations(page) == []

    # Nobody else sees a draft.
    public = browser.new_page(java_script_enabled=javascript)
    assert public.goto(f"{portal.url}/annual-review/{YEAR}").status == 404

    page.get_by_role("button", name="Publish version 1").click()
    expect(page).to_have_url(f"{portal.url}/annual-review/{YEAR}")
    expect(page.locator("main")).to_contain_text("Version 1 of the Annual Review")

    public.goto(f"{portal.url}/annual-review")
    public.get_by_role("link", name=f"Annual Review {LABEL}").click()
    expect(public).to_have_url(f"{portal.url}/annual-review/{YEAR}")
    expect(public.locator("h1")).to_have_text(f"Annual Review of Social Value Impact {LABEL}")
    expect(public.locator("main")).to_contain_text(INTRO)
    expect(public.locator("main")).to_contain_text("Safe Spaces at staffed stations.")
    expect(public.locator("#publish")).to_have_count(0)
    with public.expect_download() as download:
        public.get_by_role("link", name="Data pack (Excel spreadsheet)").click()
    assert download.value.suggested_filename == f"annual-review-{YEAR}-version-1.xlsx"
    if javascript:
        assert axe_violations(public) == []
    public.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_pass_the_every_page_checks(portal: Portal, width_page, width):
    """The sweep's checks (fits the width, one h1, headings in order, axe, no console errors)
    on the public pages of a published review and on the staff pages."""
    from portal.annualreview import service
    from portal.auth.service import get_user_by_email
    from portal.extensions import db

    page, console = width_page(width)
    email = make_staff(portal, "admin")
    with portal.app.app_context():
        admin = get_user_by_email(email)
        service.save_draft(admin, YEAR, service.DraftInput(introduction=INTRO))
        service.publish(admin, YEAR)
        service.save_draft(admin, YEAR, service.DraftInput(introduction=INTRO, change_note="x"))
        db.session.commit()
    sign_in(page, portal, email)
    failures = {}
    for url in (
        "/annual-review",
        f"/annual-review/{YEAR}",
        f"/annual-review/{YEAR}/versions/1",
        "/annual-review/drafts",
        f"/annual-review/{YEAR}/draft",
        f"/annual-review/{YEAR}/draft/preview",
    ):
        problems = look_at(page, portal.url, Visit(url, "admin"), console)
        if problems:
            failures[url] = problems
    assert not failures, failures
