"""The anonymiser: every common written form of a UK phone number, an email address and a
postcode is removed; dates, prices, references and bus routes survive unchanged."""

from __future__ import annotations

import pytest

from portal.anonymise import scrub
from portal.exports import safe_cell

R = "[removed]"

REMOVED_CASES = [
    # phone numbers: the forms the penetration test used, then the other common ones
    ("Call +44 (0)7700 900123 today", f"Call {R} today"),
    ("Call 0044 7700 900123 today", f"Call {R} today"),
    ("Call 07700.900.123 today", f"Call {R} today"),
    ("Call 07700 900123", f"Call {R}"),
    ("Call 07700900123", f"Call {R}"),
    ("Call 07700 900 123", f"Call {R}"),
    ("Call 07700-900-123", f"Call {R}"),
    ("Call +447700900123", f"Call {R}"),
    ("Call +44 7700 900123", f"Call {R}"),
    ("Call +44 7700 900 123", f"Call {R}"),
    ("Call +44-7700-900123", f"Call {R}"),
    ("Call +44 (0) 7700 900123", f"Call {R}"),
    ("Call 0044 (0)7700 900123", f"Call {R}"),
    ("Ring 0151 123 4567 please", f"Ring {R} please"),
    ("Ring (0151) 123 4567 please", f"Ring {R} please"),
    ("Ring 0151-123-4567 please", f"Ring {R} please"),
    ("Ring 0151.123.4567 please", f"Ring {R} please"),
    ("Ring 01511234567 please", f"Ring {R} please"),
    ("Ring +44 151 123 4567 please", f"Ring {R} please"),
    ("Ring 020 7946 0000 please", f"Ring {R} please"),
    ("Ring (020) 7946 0000 please", f"Ring {R} please"),
    ("Ring 0800 123 4567 please", f"Ring {R} please"),
    ("Ring 016977 3456 please", f"Ring {R} please"),
    ("tel:07700900123", f"tel:{R}"),
    ("mobile (07700) 900123.", f"mobile {R}."),
    # email addresses
    ("Email jo@example.org now", f"Email {R} now"),
    ("Email jo＠example.org now", f"Email {R} now"),
    ("Email jo @ example.org now", f"Email {R} now"),
    ("Email jo@ example.org now", f"Email {R} now"),
    ("Email jo ＠ example．org now", f"Email {R} now"),
    ("Email jo.smith+bus@mail.example.co.uk now", f"Email {R} now"),
    ("Email jo at example dot org now", f"Email {R} now"),
    ("Email jo AT example DOT org now", f"Email {R} now"),
    ("Email jo [at] example [dot] org now", f"Email {R} now"),
    ("Email jo(at)example(dot)org now", f"Email {R} now"),
    ("Email jo (at) example.org now", f"Email {R} now"),
    ("Email jo at example dot co dot uk now", f"Email {R} now"),
    ("Email jo . smith @ example . org now", f"Email {R} now"),
    ("Email JO@EXAMPLE.ORG now", f"Email {R} now"),
    ("Email a@b.co.uk.", f"Email {R}."),
    ("Email jo﹫example.org now", f"Email {R} now"),
    ("Email o'brien@example.org now", f"Email {R} now"),
    # postcodes
    ("I live at L1 8JQ", f"I live at {R}"),
    ("I live at L18JQ", f"I live at {R}"),
    ("I live at L1-8JQ", f"I live at {R}"),
    ("I live at l1 8jq", f"I live at {R}"),
    ("near CH41 6AB.", f"near {R}."),
    ("near WA7 1AB,", f"near {R},"),
    ("near PR9 0AA", f"near {R}"),
    ("near SW1A 1AA", f"near {R}"),
    ("near M1 1AE", f"near {R}"),
    ("near WA10 1AB", f"near {R}"),
    ("near CH411AB", f"near {R}"),
    # several in one text
    (
        "Jo, 07700 900123, jo@example.org, L1 8JQ",
        f"Jo, {R}, {R}, {R}",
    ),
]

SURVIVING_CASES = [
    "On 15/03/2026 the lift was broken",
    "On 2026-03-15 the lift was broken",
    "On 15.03.2026 the lift was broken",
    "On 15 March 2026 the lift was broken",
    "The 07:45 train was late",
    "The 07.45 train was late, then the 09.15",
    "It cost £12.50 for a day ticket",
    "It cost £1,250.00 for the year",
    "A saving of 0.5% on fares",
    "My reference is SVF-7KQ2M9X",
    "Survey reference SVS-AB2CD3E",
    "Invoice INV-2024-0042 was paid",
    "The 10A bus to Kirkby",
    "The X4 and the 86 buses",
    "Route 500 to the airport",
    "Take the M62 at junction 4",
    "The A580 5th junction",
    "Meet @ 5pm at the station",
    "Follow @merseytravel for updates",
    "I looked at the timetable",
    "2 adults and 3 children",
    "Between 2019 and 2021 it got worse",
    "Order number 123456",
    "Rated 4 out of 5",
    "Platform 3 at Liverpool Central",
    "Opening hours 0900 to 1730",
]


@pytest.mark.parametrize(("text", "expected"), REMOVED_CASES)
def test_scrub_removes_contact_details(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", SURVIVING_CASES)
def test_scrub_keeps_ordinary_text(text):
    assert scrub(text) == text


def test_enough_cases():
    assert len(REMOVED_CASES) + len(SURVIVING_CASES) >= 60


@pytest.mark.parametrize(
    "value",
    [
        '＝HYPERLINK("http://evil.example")',
        "＋1+2",
        "－1+2",
        "＠SUM(A1)",
        "   =1+2",
        "\u200b=1+2",
        "\ufeff=cmd|' /C calc'!A0",
        "\u00a0\u200d+1",
        "=1+2",
        "\t=1",
    ],
)
def test_export_cells_neutralise_hidden_formulas(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain text", "5 stars", "A-road", " spaced text", "jo＠"])
def test_export_cells_keep_plain_text(value):
    assert safe_cell(value) == value
