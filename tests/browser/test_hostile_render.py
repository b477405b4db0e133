"""The hostile payloads, stored and shown in real Chromium: no script ever runs (no dialog)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from portal.auth.service import create_user
from portal.extensions import db
from portal.public.service import NewFeedback, submit_feedback

from ..hostile import PAYLOADS

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stored(live_app):
    tokens = []
    with live_app.app_context():
        create_user("hostile-member@example.invalid", "member", PASSWORD)
        for payload in PAYLOADS:
            text = payload.replace("\x00", "")[:5000] or "empty"
            submission = submit_feedback(
                NewFeedback(
                    body=text,
                    stakeholder_type="passenger",
                    organisation=text[:200],
                    consent_to_quote=True,
                )
            )
            tokens.append((submission.feedback.reference, submission.token))
            db.session.commit()
        db.session.commit()
    return tokens


def watch(page: Page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_nothing_runs_on_public_pages(page: Page, live_server: str, stored):
    dialogs = watch(page)
    for _, token in stored[:60]:
        page.goto(f"{live_server}/track/{token}")
    for payload in PAYLOADS[:60]:
        encoded = quote(payload.replace("\x00", ""), safe="")
        page.goto(f"{live_server}/best-practice?q={encoded}")
        page.goto(f"{live_server}/framework?theme={encoded}")
    assert dialogs == []


def test_nothing_runs_in_the_staff_workspace(page: Page, live_server: str, stored):
    dialogs = watch(page)
    page.goto(f"{live_server}/login")
    page.fill("#email", "hostile-member@example.invalid")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto(f"{live_server}/triage")
    for _ in range(4):  # every row of every page, via the next links
        next_link = page.locator("a[rel=next]")
        if not next_link.count():
            break
        next_link.first.click()
        page.wait_for_load_state("networkidle")
    for reference, _ in stored[:40]:
        page.goto(f"{live_server}/triage/{reference}")
    page.goto(f"{live_server}/triage?q=script")
    page.wait_for_load_state("networkidle")
    assert dialogs == []
