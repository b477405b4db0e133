"""The one place that decides what of a person's feedback may appear in public.

Every public output — "You said, we did", public reports, exports of quotes — goes through
`public_quote`: a quote only where its author consented **and** a member approved it for
quotation, never from spam or duplicates, and with anything that looks like contact details
removed.
"""

from __future__ import annotations

import re

from .models import Feedback, FeedbackStatus

REMOVED = "[removed]"

# --- email addresses: plain, spaced ("jo @ example.org"), full-width ("jo＠example．org") and
# written out ("jo at example dot org", "jo [at] example [dot] org").
_WORD = r"[\w+'’-]+"
_DOMAIN_WORD = r"[\w-]+"
_DOT_SIGN = r"(?:\s+[.．。]\s+|[.．。])"  # a dot with spaces on both sides or on neither
_DOT_WORD = r"(?:\s*[\[(<{]\s*dot\s*[\])>}]\s*|\s+dot\s+)"
_LOCAL = rf"{_WORD}(?:{_DOT_SIGN}{_WORD})*"
_DOMAIN = rf"{_DOMAIN_WORD}(?:(?:{_DOT_SIGN}|{_DOT_WORD}){_DOMAIN_WORD})+"
EMAIL = re.compile(
    rf"{_LOCAL}\s*[@＠﹫]\s*{_DOMAIN}"  # the at sign, ASCII or full-width, spaced or not
    rf"|{_LOCAL}\s*[\[(<{{]\s*at\s*[\])>}}]\s*{_DOMAIN}"  # jo [at] example [dot] org
    rf"|{_DOMAIN_WORD}\s+at\s+{_DOMAIN_WORD}(?:{_DOT_WORD}{_DOMAIN_WORD})+",  # jo at x dot org
    re.IGNORECASE,
)

# --- UK phone numbers: +44 / 0044 / 0 then 9 or 10 digits, however they are grouped (spaces,
# dots, hyphens, brackets, "+44 (0)"). Dates, times, prices and short numbers never have that
# many digits after a leading zero.
_SEP = r"[\s.\-()/]*"
PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|\b00)\s*44\s*(?:\(\s*0\s*\)\s*)?|\(\s*0|\b0)"
    rf"(?:{_SEP}\d){{9,10}}"
    r"(?![\w])"
)

# --- UK postcodes, with or without the space (or with a hyphen): L1 8JQ, L18JQ, L1-8JQ.
# The inward part never ends in an ordinal ("A4 5th" is a road and a date, not a postcode).
POSTCODE = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t\u00a0-]{0,2}\d(?!(?:st|nd|rd|th)\b)[A-Z]{2}\b",
    re.IGNORECASE,
)

PATTERNS = [EMAIL, PHONE, POSTCODE]


def scrub(text: str) -> str:
    """Remove email addresses, phone numbers and postcodes from a text."""
    for pattern in PATTERNS:
        text = pattern.sub(REMOVED, text)
    return text


def quotable(
    body: str, consent_to_quote: bool, status: FeedbackStatus, approved: bool = True
) -> str | None:
    """Return a text that may be quoted, or None: the rule behind every quote the portal shows.

    Staff views (agenda quotes) pass `approved=True`; public pages pass the item's approval."""
    if not consent_to_quote or not approved:
        return None
    if status in (FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE):
        return None
    return scrub(body)


def public_quote(feedback: Feedback) -> str | None:
    """Return the text of a feedback item that may be quoted on a public page, or None: only
    where the author consented and a member approved it for quotation."""
    return quotable(
        feedback.body,
        feedback.consent_to_quote,
        feedback.status,
        approved=bool(feedback.quote_approved),
    )


def suggestions(text: str) -> list[str]:
    """Return passages that look like email addresses, phone numbers or postcodes."""
    found: list[str] = []
    for pattern in PATTERNS:
        for match in pattern.finditer(text or ""):
            if match.group(0) not in found:
                found.append(match.group(0))
    return found
