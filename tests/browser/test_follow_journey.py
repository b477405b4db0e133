"""Following a commitment in real Chromium, JavaScript on and off: the form on the commitment
page, the real confirmation and update emails from a local SMTP server, their links, the
unsubscribe page; staff email settings and the admins' outbox page; axe-core on every page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from ..smtp import Mailbox, smtp_server, text_of
from .conftest import GUARD_MS, Portal, axe_violations, make_staff, serve_portal, sign_in

pytestmark = pytest.mark.browser

SLUG = "foodbank-collection-points"
URL = re.compile(r"https?://\S+")


@pytest.fixture(scope="module")
def mail_portal(tmp_path_factory) -> Iterator[tuple[Portal, Mailbox]]:
    with smtp_server() as box:
        for portal in serve_portal(tmp_path_factory):
            portal.app.config["MAIL_URL"] = f"smtp://127.0.0.1:{box.port}"
            portal.app.config["PORTAL_BASE_URL"] = portal.url
            yield portal, box


def send(portal: Portal) -> None:
    result = portal.app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output


def no_axe_violations(page: Page, javascript: bool) -> None:
    """axe-core needs JavaScript: with it off, the same pages are checked in the JS run."""
    if javascript:
        assert axe_violations(page) == [], page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_follow_confirm_update_unsubscribe(browser, mail_portal, javascript):
    portal, box = mail_portal
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(GUARD_MS)
    address = f"follower-{uuid.uuid4().hex[:8]}@example.com"

    page.goto(f"{portal.url}/commitments/{SLUG}")
    no_axe_violations(page, javascript)
    page.fill("#follow-email", "not an email")
    page.click("button:has-text('Get updates')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format"
    )
    expect(page.locator("#email")).to_have_value("not an email")
    no_axe_violations(page, javascript)
    page.fill("#email", address)
    page.click("button:has-text('Get updates')")
    expect(page.locator("h1")).to_have_text("Check your email")
    no_axe_violations(page, javascript)

    send(portal)
    (confirmation,) = box.to(address)
    page.goto(URL.findall(text_of(confirmation))[0])
    expect(page.locator("h1")).to_have_text("Confirm your updates")
    no_axe_violations(page, javascript)
    page.click("button:has-text('Confirm')")
    expect(page.locator("h1")).to_contain_text("You will get updates")
    no_axe_violations(page, javascript)

    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Commitment, ProgressStatus, User
    from portal.progress import service as progress

    admin_email = make_staff(portal, "admin")
    with portal.app.app_context():
        admin = db.session.scalar(select(User).where(User.email == admin_email))
        commitment = db.session.scalar(select(Commitment).where(Commitment.slug == SLUG))
        year, quarter = progress.quarter_choices()[0]
        progress.post_update(
            admin,
            commitment,
            progress.ProgressInput(
                year, quarter, ProgressStatus.ON_TRACK, f"Update for {address}", []
            ),
        )
        db.session.commit()
    send(portal)
    update = box.to(address)[-1]
    assert f"Update for {address}" in text_of(update)
    unsubscribe = re.search(r"unsubscribe: (\S+)", text_of(update)).group(1)
    page.goto(unsubscribe)
    expect(page.locator("h1")).to_have_text("Unsubscribe")
    no_axe_violations(page, javascript)
    page.click("button:has-text('Unsubscribe')")
    expect(page.locator("h1")).to_have_text("You have unsubscribed")
    no_axe_violations(page, javascript)

    # Staff: email settings and, for admins, the outbox with a failed message to retry.
    box.refuse.add(f"refused-{address}")
    with portal.app.app_context():
        from portal.outbox import service

        followed = db.session.scalar(select(Commitment).where(Commitment.slug == SLUG))
        service.request_follow(followed, f"refused-{address}")
        db.session.commit()
    send(portal)
    sign_in(page, portal, admin_email)
    page.goto(f"{portal.url}/account")
    no_axe_violations(page, javascript)
    page.check("input[value='daily']")
    page.click("button:has-text('Save')")
    expect(page.locator("#flash-success")).to_contain_text("Your email settings have been saved")
    expect(page.locator("input[value='daily']")).to_be_checked()
    page.goto(f"{portal.url}/admin/outbox")
    expect(page.locator("#outbox-problems")).to_contain_text(f"refused-{address}")
    no_axe_violations(page, javascript)
    box.refuse.clear()
    page.locator("#outbox-problems tr", has_text=f"refused-{address}").locator("button").click()
    expect(page.locator("#flash-success")).to_contain_text("will be sent again")
    send(portal)
    assert len(box.to(f"refused-{address}")) == 1
    context.close()
