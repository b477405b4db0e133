"""Published documents: one HTML document, rendered to PDF and Word.

Every document (agenda pack, minutes, quarterly and annual reports, the published Annual Review)
is a Jinja template extending ``documents/base.html``. The same HTML is:

- the print view on screen (serve ``render_template(...)`` as it is);
- the PDF: ``render_pdf(html)`` (WeasyPrint, PDF/UA-1: tagged, with a structure tree, the
  document title from ``<title>`` and ``/Lang`` from ``<html lang="en-GB">``; A4 portrait and
  "Page n of N" come from the print stylesheet in ``documents/base.html``);
- the Word document: ``render_docx(html)`` walks the same HTML (headings, paragraphs, lists,
  tables with header rows, block quotes) into an A4 document with its own styles, a paragraph
  between any two tables and "Page n of N" in the footer.

``document_response(html, fmt, filename)`` returns the Flask response for "pdf" or "docx".

The template contract (see ``documents/base.html``): set ``doc_title`` and ``doc_date`` (a
date), optionally ``doc_subtitle``; put the body in ``{% block document %}``; mark each
top-level part ``<section class="doc-section" id="...">`` with an ``<h2>``; the cover's contents
list is built by ``contents(sections)`` from ``documents/_macros.html`` with the
``(id, title)`` pairs of those sections. Anything with the class ``doc-docx-skip`` is left out of
the Word document (e.g. an SVG chart whose data table follows it); ``doc-page-break`` starts a
new page in both.

Shared pieces in ``documents/_macros.html``: ``contents``, ``table`` (a first-column-header
table with right-aligned numbers, scrolling on a narrow screen), ``bar_chart`` (an SVG chart to
put beside its table in a ``<figure class="doc-chart">``; ``doc-chart--stacked`` puts a long one
above it), ``quote`` (a quotation with its reference), ``number`` and ``change``. The stylesheet
is ``static/css/documents.css``, linked by the print view and read by the PDF.
"""

from __future__ import annotations

from flask import Response

from .html_docx import render_docx


def render_pdf(html: str) -> bytes:
    """The tagged A4 PDF of ``html`` (see ``html_pdf.render_pdf``). WeasyPrint is imported on
    the first PDF, not when the app starts: most processes never draw one."""
    from .html_pdf import render_pdf as draw

    return draw(html)


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_response(html: str, fmt: str, filename: str) -> Response:
    """The PDF or DOCX made from ``html`` as a download named ``filename.<fmt>``."""
    body = render_pdf(html) if fmt == "pdf" else render_docx(html)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


__all__ = ["document_response", "render_docx", "render_pdf"]
