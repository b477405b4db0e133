"""Staff import and export in real Chromium, JavaScript on and off: upload, map, preview the
rows' problems, import, find the items; download the filtered inbox. axe-core on each page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from .conftest import Portal, axe_violations, make_staff, sign_in, unique_word

pytestmark = pytest.mark.browser


def workshop_file(word: str) -> bytes:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%d/%m/%Y")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["Comment", "When", "Area", "Notes"],
            [f"Workshop {word}: more seating at Sandhills", yesterday, "Sefton", "table 1"],
            [f"Briefing {word}: share the supplier list", yesterday, "Halton", "table 2"],
            ["", yesterday, "Wirral", "left blank"],
            [f"Undated {word}", "sometime", "Mars", "table 3"],
        ]
    )
    return buffer.getvalue().encode()


def no_axe_violations(page: Page, javascript: bool) -> None:
    # axe-core runs as a script: only in the JavaScript-on run (the pages are the same).
    if javascript:
        assert axe_violations(page) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_import_a_workshop_file_and_download_it_again(
    portal: Portal, page: Page, nojs_page: Page, javascript: bool
):
    page = page if javascript else nojs_page
    word = unique_word()
    sign_in(page, portal, make_staff(portal, "member"))
    page.goto(f"{portal.url}/triage")
    page.click("#import-link")
    expect(page.get_by_role("heading", name="Import feedback from a file")).to_be_visible()
    no_axe_violations(page, javascript)

    # Nothing chosen: the messages are at the fields.
    page.click("button:has-text('Upload and check the file')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV or XLSX file")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how the feedback")

    page.set_input_files(
        "#file", {"name": "workshop.csv", "mimeType": "text/csv", "buffer": workshop_file(word)}
    )
    page.check("input[name=channel][value=in_person]")
    page.click("button:has-text('Upload and check the file')")
    expect(page.get_by_role("heading", name="Check workshop.csv before importing")).to_be_visible()
    # "When" is not a name the portal knows: the date column must be chosen.
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the column that holds the date received"
    )
    page.select_option("#column_1", "date_received")
    page.select_option("#column_2", "locality")
    page.click("button:has-text('Check the rows again')")
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("2 rows are ready to import")
    expect(summary).to_contain_text("2 rows have problems")
    expect(page.locator("#row-4")).to_contain_text("Enter the feedback text")
    expect(page.locator("#row-5")).to_contain_text("must be a real date")
    expect(page.locator("#row-5")).to_contain_text("The locality ‘Mars’ is not one of")
    no_axe_violations(page, javascript)

    page.click("button:has-text('Import 2 rows')")
    expect(page.locator(".govuk-panel")).to_contain_text("2 items from workshop.csv")
    no_axe_violations(page, javascript)
    page.locator("#imported-items a").first.click()
    expect(page.locator("main")).to_contain_text(f"Workshop {word}: more seating at Sandhills")

    # The same file again: every row is already there.
    page.goto(f"{portal.url}/triage/import")
    page.set_input_files(
        "#file", {"name": "again.csv", "mimeType": "text/csv", "buffer": workshop_file(word)}
    )
    page.check("input[name=channel][value=email]")
    page.click("button:has-text('Upload and check the file')")
    page.select_option("#column_1", "date_received")
    page.click("button:has-text('Check the rows again')")
    expect(page.locator("#import-summary")).to_contain_text("0 rows are ready to import")
    expect(page.locator("#row-2")).to_contain_text("Already imported: same text and date as SVF-")
    expect(page.locator("button:has-text('Import')")).to_have_count(0)

    # Download what the inbox shows for a search: the two imported items.
    page.goto(f"{portal.url}/triage?q={word}")
    link = page.locator("#download-links a", has_text="CSV").first
    expect(link).to_have_attribute("href", re.compile(rf"/triage/export\.csv\?q={word}$"))
    response = page.request.get(portal.url + link.get_attribute("href"))
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    assert sorted(r["Text"] for r in rows) == sorted(
        [f"Workshop {word}: more seating at Sandhills", f"Briefing {word}: share the supplier list"]
    )
    assert {r["Channel"] for r in rows} == {"In person"}
