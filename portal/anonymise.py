"""The one place that decides what of a person's feedback may appear in public.

Every public output — "You said, we did", public reports, exports of quotes — goes through
`public_quote`: a quote only where its author consented, never from spam or duplicates, and
with anything that looks like contact details removed.
"""

from __future__ import annotations

import re

from .models import Feedback, FeedbackStatus

REMOVED = "[removed]"
PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # email addresses
    re.compile(r"(?<!\w)(\+44\s?\d{2,4}|\(?0\d{2,4}\)?)[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\w)"),  # phones
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),  # UK postcodes
]


def scrub(text: str) -> str:
    """Remove email addresses, phone numbers and postcodes from a text."""
    for pattern in PATTERNS:
        text = pattern.sub(REMOVED, text)
    return text


def quotable(body: str, consent_to_quote: bool, status: FeedbackStatus) -> str | None:
    """Return a text that may be quoted, or None: the rule behind every quote the portal shows."""
    if not consent_to_quote or status in (FeedbackStatus.SPAM, FeedbackStatus.DUPLICATE):
        return None
    return scrub(body)


def public_quote(feedback: Feedback) -> str | None:
    """Return the text of a feedback item that may be quoted publicly, or None."""
    return quotable(feedback.body, feedback.consent_to_quote, feedback.status)
