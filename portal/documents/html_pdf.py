"""HTML to tagged PDF with WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint

# The print stylesheet is inline in documents/base.html. A document may use data: URLs and
# files under the app's own static folder; it never fetches anything else (no network, no
# other files), whatever a user-supplied text contains.
STATIC_ROOT = Path(__file__).resolve().parent.parent.parent / "static"


class StaticOnlyFetcher(weasyprint.URLFetcher):
    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(STATIC_ROOT):
                return super().fetch(url, headers)
        raise ValueError(f"documents do not fetch {url!r}")


def render_pdf(html: str) -> bytes:
    """A4, tagged PDF/UA-1 with the title and language of the HTML document."""
    document = weasyprint.HTML(
        string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=StaticOnlyFetcher()
    )
    return document.write_pdf(pdf_variant="pdf/ua-1")
