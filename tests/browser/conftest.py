"""Real-browser fixtures: the portal served on a local port, driven in Debian's Chromium.

A missing browser is an error, never a skip: CI installs Chromium before the suite runs.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from .. import factories
from ..conftest import PASSWORD, make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# How long a browser step or an `expect` may wait: a guard against a hung page, never a measure
# of speed. On a loaded machine a fresh app's first page or first PDF can take well over 10 s.
GUARD_MS = 60_000
expect.set_options(timeout=GUARD_MS)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@dataclass(frozen=True)
class Portal:
    """A served portal and the app behind it, so tests can set up and check the database."""

    app: Flask
    url: str


def serve(app: Flask) -> Iterator[str]:
    """Serve an app on a free local port for as long as the generator is open."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PORTAL_BASE_URL"] = url  # links in pages point at this server
    yield url
    server.shutdown()


def serve_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """Build an app on a fresh migrated SQLite database and serve it."""
    app = make_app("sqlite", tmp_path_factory, SERVER_NAME=None)
    for url in serve(app):
        yield Portal(app, url)


@dataclass(frozen=True)
class Item:
    """A feedback item made for a test: its id, public reference and private tracking token."""

    id: int
    reference: str
    token: str


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A portal of the test module's own (fresh database), served for its tests."""
    yield from serve_portal(tmp_path_factory)


def feedback_item(portal: Portal, body: str, **fields) -> Item:
    """Store a feedback item through tests/factories.py (committed, so the served portal sees
    it); return its id, reference and tracking token."""
    with portal.app.app_context():
        item = factories.feedback(body, **fields)
        assert item.token is not None
        return Item(item.id, item.reference, item.token)


def unique_word() -> str:
    """Return a word no other test's data contains, to search and filter by."""
    return "zq" + uuid.uuid4().hex[:10]


def make_staff(portal: Portal, role: str = "member") -> str:
    """Create a staff account with a unique email; return the email."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.invalid"
    with portal.app.app_context():
        factories.user(role, email, f"Test {role.capitalize()}")
    return email


def sign_in(page: Page, portal: Portal, email: str) -> None:
    """Sign in through the login form (mouse and fill: for tests not about the keyboard)."""
    page.goto(f"{portal.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).not_to_have_url(re.compile(r"/login"))


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    """The app behind live_server, for tests that set up data in an app context."""
    return make_app("sqlite", tmp_path_factory, SERVER_NAME=None)


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    yield from serve(live_app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: install Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _CspReports(logging.Handler):
    """Collects the violations browsers report to the portal's /csp-report endpoint."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


CSP_REPORTS = _CspReports()
logging.getLogger("portal.csp").addHandler(CSP_REPORTS)
# Runs before any page script (added through the DevTools protocol, so the page's CSP does not
# apply to it): records every violation the page itself sees.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile +
  ':' + e.lineNumber));
"""


def watch_csp(page: Page) -> list[str]:
    """Collect Content-Security-Policy violations on this page, from the console and from the
    page's own violation events (checked by `csp_violations`)."""
    # Alembic's logging set-up (the migrations run by make_app) disables existing loggers.
    logging.getLogger("portal.csp").disabled = False
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(_RECORD_VIOLATIONS)
    return found


def csp_violations(page: Page, console: list[str], reports_from: int = 0) -> list[str]:
    """Return every CSP violation seen: in the console, in page events, reported to the server."""
    seen = list(console) + CSP_REPORTS.messages[reports_from:]
    if not page.is_closed():
        try:
            seen += page.evaluate("() => window.__cspViolations || []")
        except Exception:  # noqa: BLE001, S110  (JavaScript off, or the page is navigating)
            pass
    return seen


def _page(browser: Browser, javascript: bool) -> Iterator[Page]:
    # The Content-Security-Policy is enforced, as in production (no bypass_csp).
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    reports_from = len(CSP_REPORTS.messages)
    console = watch_csp(page)
    page.set_default_timeout(GUARD_MS)
    yield page
    violations = csp_violations(page, console, reports_from)
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, javascript=True)


@pytest.fixture
def nojs_page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, javascript=False)


_AXE_SOURCE: list[str] = []


def inject_axe(page: Page) -> None:
    """Load axe-core into the current page through the DevTools protocol (Runtime.evaluate),
    not a script tag, so the page's Content-Security-Policy stays enforced and untouched."""
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text())
    session = page.context.new_cdp_session(page)
    try:
        result = session.send("Runtime.evaluate", {"expression": _AXE_SOURCE[0]})
        assert "exceptionDetails" not in result, result.get("exceptionDetails")
    finally:
        session.detach()


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the current page against WCAG 2.2 A and AA; return the violations."""
    inject_axe(page)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:200] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Could not reach {selector} with the Tab key")
