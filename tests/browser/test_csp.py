"""Issue 11: the Content-Security-Policy is enforced in the browser tests, and the check that
every test relies on really catches a violation."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page

from .conftest import CSP_REPORTS, axe_violations, csp_violations, watch_csp

pytestmark = pytest.mark.browser


def test_the_policy_is_enforced_and_a_violation_is_caught(browser, live_server):
    context = browser.new_context()
    page: Page = context.new_page()
    reports_from = len(CSP_REPORTS.messages)
    console = watch_csp(page)
    page.goto(f"{live_server}/")
    assert csp_violations(page, console, reports_from) == []
    # An inline script, as an attacker's injected markup would add: the policy must block it,
    # and the check must see the violation.
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    page.wait_for_function("() => (window.__cspViolations || []).length > 0")
    assert page.evaluate("() => window.__ran === true") is False
    violations = csp_violations(page, console, reports_from)
    assert any("script-src" in v for v in violations), violations
    # The browser also reports it to the portal's report endpoint (report-uri).
    deadline = time.monotonic() + 20  # waiting for the report to arrive, not timing anything
    while len(CSP_REPORTS.messages) == reports_from and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert any("script-src" in m for m in CSP_REPORTS.messages[reports_from:])
    context.close()


def test_axe_runs_through_devtools_under_the_enforced_policy(page: Page, live_server):
    page.goto(f"{live_server}/privacy")
    assert axe_violations(page) == []
    # No script tag was added to the page to load axe.
    assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") == 0
