"""Markdown for notes: rendered by markdown-it, then cleaned by an allow-list sanitiser (nh3)."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set(), "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
# GOV.UK classes so the note reads like the rest of the portal.
CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    # A table wider than a phone scrolls inside a focusable, named region, never the page.
    "<table>": '<div class="app-table-wrapper" role="region" aria-label="Table" tabindex="0">'
    '<table class="govuk-table">',
    "</table>": "</table></div>",
    "<th>": '<th class="govuk-table__header">',
    "<td>": '<td class="govuk-table__cell">',
    "<tr>": '<tr class="govuk-table__row">',
    "<a ": '<a class="govuk-link" ',
}


_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)


def _shift_headings(html: str) -> str:
    """Fit a note's headings under the page's h1: `#` and `##` become h2, and no heading is
    more than one level below the one before it (so `###` straight after the h1 is an h2)."""
    previous = 1

    def fit(match: re.Match[str]) -> str:
        nonlocal previous
        level = min(max(int(match.group(1)), 2), previous + 1, 4)
        previous = level
        return f"<h{level}>{match.group(2)}</h{level}>"

    return _HEADING.sub(fit, html)


def render(text: str) -> Markup:
    """Render Markdown to safe HTML: no scripts, event handlers, styles, iframes or forms, links
    only to http(s) and mailto, every link with rel="noopener noreferrer"."""
    html = _shift_headings(_MARKDOWN.render(text or ""))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    for plain, styled in CLASSES.items():
        clean = clean.replace(plain, styled)
    return Markup(clean)  # noqa: S704 - sanitised by nh3 with an allow-list just above
