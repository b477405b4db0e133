"""HTML to tagged PDF with WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint

# A document links its stylesheet (and may link images) under the app's /static/ URL, as the
# print view on screen does; the PDF reads those from the static folder. It may also use data:
# URLs. It never fetches anything else (no network, no other files), whatever a text contains.
STATIC_ROOT = Path(__file__).resolve().parent.parent.parent / "static"
ORIGIN = "https://documents.invalid"


def static_file(url: str) -> Path | None:
    """The file in the static folder that a document's URL names, if it names one."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN or "/static/" not in parts.path:
        return None
    relative = unquote(parts.path.split("/static/", 1)[1])
    # The built, fingerprinted copy (static/dist/, see portal/assets.py) or the source file.
    for folder in (STATIC_ROOT / "dist", STATIC_ROOT):
        path = (folder / relative).resolve()
        if path.is_relative_to(STATIC_ROOT) and path.is_file():
            return path
    return None


class StaticOnlyFetcher(weasyprint.URLFetcher):
    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_file(url)
        if path is not None:
            return super().fetch(path.as_uri(), headers)
        raise ValueError(f"documents do not fetch {url!r}")


def render_pdf(html: str) -> bytes:
    """A4, tagged PDF/UA-1 with the title and language of the HTML document."""
    document = weasyprint.HTML(string=html, base_url=ORIGIN + "/", url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")
