"""Issue 16 in real Chromium: the open-data page, the admin's publish page and the API docs
(Swagger UI from the portal's own files), with JavaScript on and off, no axe-core violations
and no Content-Security-Policy violations (checked by the page fixtures)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from . import test_every_page as sweep
from .conftest import Portal, axe_violations, make_staff, sign_in
from .test_every_page import WIDTHS, Visit, look_at

pytestmark = pytest.mark.browser
width_page = sweep.width_page  # the sweep's page at a given width


@pytest.fixture
def published(live_app, tmp_path: Path):
    from sqlalchemy import delete

    from portal.extensions import db
    from portal.opendata import build as builder
    from portal.opendata import service
    from portal.opendata.models import OpenDataRelease

    live_app.config["OPENDATA_DIR"] = str(tmp_path)
    with live_app.app_context():
        builder.build(tmp_path / "social-value-2026-11-27.db", "http://127.0.0.1")
        builder.build(tmp_path / "social-value-2026-11-28.db", "http://127.0.0.1")
        service.publish(None, "social-value-2026-11-27.db")
        db.session.commit()
    yield tmp_path
    live_app.config.pop("OPENDATA_DIR")
    with live_app.app_context():
        db.session.execute(delete(OpenDataRelease))
        db.session.commit()


@pytest.mark.parametrize("javascript", [True, False])
def test_open_data_page_lists_files_and_dictionary(
    request, live_server, published, javascript: bool
):
    page: Page = request.getfixturevalue("page" if javascript else "nojs_page")
    page.goto(f"{live_server}/open-data")
    assert page.locator("h1").inner_text() == "Open data"
    files = page.locator("#open-data-files")
    assert "social-value-2026-11-27.db" in files.inner_text()
    assert "social-value-2026-11-28.db" not in files.inner_text()  # built, not published
    assert page.locator("#table-feedback_counts").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="social-value-2026-11-27.zip").click()
    assert download.value.suggested_filename == "social-value-2026-11-27.zip"
    if javascript:
        assert axe_violations(page) == []


def test_admin_publishes_with_the_keyboard(page: Page, live_server, live_app, published):
    portal = Portal(live_app, live_server)
    sign_in(page, portal, make_staff(portal, "admin"))
    page.goto(f"{live_server}/admin/open-data")
    assert axe_violations(page) == []
    button = page.get_by_role("button", name="Publish social-value-2026-11-28.db")
    button.focus()
    page.keyboard.press("Enter")
    # The form posts and comes back to the same address: wait for the outcome, not the URL.
    expect(page.locator("main")).to_contain_text("social-value-2026-11-28.db is published")
    page.goto(f"{live_server}/open-data")
    assert "social-value-2026-11-28.db" in page.locator("#open-data-files").inner_text()


def test_api_docs_render_from_own_files(page: Page, live_server):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server}/api/v1/docs")
    page.locator("#swagger-ui .opblock").first.wait_for()
    text = page.locator("#swagger-ui").inner_text()
    for path in ("/api/v1/commitments", "/api/v1/feedback-counts", "/api/v1/you-said-we-did"):
        assert path in text
    assert all(url.startswith(live_server) for url in requests), requests  # no CDN
    assert axe_violations(page) == []


def test_api_docs_without_javascript_link_the_document(nojs_page: Page, live_server):
    nojs_page.goto(f"{live_server}/api/v1/docs")
    link = nojs_page.get_by_role("link", name="OpenAPI document").last
    assert link.get_attribute("href") == "/api/v1/openapi.json"
    assert nojs_page.locator("#swagger-ui .opblock").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_pass_the_every_page_checks(live_server, live_app, published, width_page, width):
    """The sweep's checks (fits the width, one h1, headings in order, axe, no console errors)
    on the three pages, with a published file listed."""
    page, console = width_page(width)
    portal = Portal(live_app, live_server)
    sign_in(page, portal, make_staff(portal, "admin"))
    failures = {}
    for url in ("/open-data", "/admin/open-data", "/api/v1/docs"):
        problems = look_at(page, live_server, Visit(url, "admin"), console)
        if problems:
            failures[url] = problems
    assert not failures, failures


def test_pages_are_valid_html(live_server, live_app, published, page: Page, tmp_path: Path):
    """The Nu HTML Checker on the three pages, as the sweep runs it on every page."""
    portal = Portal(live_app, live_server)
    sign_in(page, portal, make_staff(portal, "admin"))
    for number, url in enumerate(("/open-data", "/admin/open-data", "/api/v1/docs")):
        response = page.request.get(live_server + url, max_redirects=0)
        assert response.status == 200, url
        (tmp_path / f"page-{number}.html").write_bytes(response.body())
    result = subprocess.run(  # noqa: S603 - our own jar on files this test wrote
        ["java", "-jar", str(sweep.VNU), "--errors-only", "--format", "json"]  # noqa: S607
        + [str(p) for p in sorted(tmp_path.glob("page-*.html"))],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert [m["message"] for m in messages if m["type"] == "error"] == []
