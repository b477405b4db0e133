"""The shared documents module: one HTML document, a tagged A4 PDF and an A4 Word document."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from flask import Flask, render_template_string
from pypdf import PdfReader

from portal.documents import document_response, render_docx, render_pdf

SAMPLE = """{% extends "documents/base.html" %}
{% from "documents/_macros.html" import contents %}
{% block contents %}{{ contents([("one", "First item"), ("two", "Second item")]) }}{% endblock %}
{% block document %}
<section class="doc-section doc-page-break" id="one"><h2>First item</h2>
  <p>Some <strong>bold</strong> text about {{ user_text }}.</p>
  <table><caption>Figures</caption>
  <thead><tr><th scope="col">Measure</th><th scope="col">This period</th></tr></thead>
  <tbody><tr><th scope="row">Items</th><td>12</td></tr></tbody></table>
  <table><thead><tr><th scope="col">Second</th></tr></thead>
  <tbody><tr><td>x</td></tr></tbody></table>
  <figure><svg class="doc-docx-skip" role="img" aria-label="chart">
  <rect width="5" height="5"/></svg></figure>
  <blockquote><p>The buses are late.</p><footer>SV-2026-00001</footer></blockquote>
  <img src="https://example.com/tracker.png" alt="">
</section>
<section class="doc-section doc-page-break" id="two"><h2>Second item</h2>
  <ul><li>One</li><li>Two</li></ul></section>
{% endblock %}"""


@pytest.fixture
def html(app: Flask) -> str:
    with app.test_request_context():
        return render_template_string(
            SAMPLE,
            doc_title="Implementation Group agenda & papers",
            doc_date=date(2026, 12, 9),
            user_text="<script>alert(1)</script>",
        )


def test_the_html_is_the_document_with_escaped_user_text(html):
    assert "<title>Implementation Group agenda &amp; papers</title>" in html
    assert '<html lang="en-GB">' in html
    assert "9 December 2026" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_pdf_is_tagged_a4_with_title_language_and_page_numbers(html):
    reader = PdfReader(io.BytesIO(render_pdf(html)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == "Implementation Group agenda & papers"
    assert len(reader.pages) == 3  # cover and contents, then one page per item
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = [page.extract_text() for page in reader.pages]
    assert "Page 2 of 3" in text[1]
    assert "Page 3 of 3" in text[2]
    assert "First item (page 2)" in text[0]
    assert "Liverpool City Region Combined Authority" in text[0]


def test_pdf_never_fetches_remote_or_local_files(app, html):
    evil = html.replace(
        "https://example.com/tracker.png", "file:///etc/passwd"
    )  # neither a URL nor a file outside static/ is read
    assert render_pdf(evil).startswith(b"%PDF")
    assert render_pdf(html).startswith(b"%PDF")


def test_docx_is_a4_with_headings_tables_quotes_and_a_paragraph_between_tables(html):
    document = docx.Document(io.BytesIO(render_docx(html)))
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.core_properties.title == "Implementation Group agenda & papers"
    assert document.core_properties.language == "en-GB"
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "Implementation Group agenda & papers") in styles
    assert ("Heading 2", "First item") in styles
    assert ("Quote", "The buses are late.") in styles
    assert ("List Bullet", "One") in styles
    assert "chart" not in " ".join(p.text for p in document.paragraphs)
    body = document.element.body
    kinds = [child.tag.rsplit("}", 1)[1] for child in body.iterchildren()]
    pairs = list(zip(kinds, kinds[1:], strict=False))
    assert ("tbl", "tbl") not in pairs
    assert kinds.count("tbl") == 2
    first = document.tables[0]
    assert first.style.name == "Document Table"
    assert [c.text for c in first.rows[0].cells] == ["Measure", "This period"]
    assert (
        first.rows[0]._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
        )
        is not None
    )
    footer = document.sections[0].footer._element.xml
    assert re.search(r'w:instr="\s*NUMPAGES', footer)


def test_document_response_names_the_download(app, html):
    with app.test_request_context():
        pdf = document_response(html, "pdf", "agenda-2026-12-09")
        word = document_response(html, "docx", "agenda-2026-12-09")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="agenda-2026-12-09.pdf"'
    assert word.mimetype.endswith("wordprocessingml.document")


def test_docx_merges_group_rows_and_repeats_only_the_thead():
    html = """<!DOCTYPE html><html lang="en-GB"><head><title>T</title></head><body><main>
    <nav class="doc-screen-only"><a href="/back">Back to the meeting</a></nav>
    <table><thead><tr><th>Measure</th><th class="doc-number">This period</th></tr></thead>
    <tbody><tr><th scope="rowgroup" colspan="2">Channel</th></tr>
    <tr><th scope="row">Web</th><td class="doc-number">3</td></tr></tbody></table>
    </main></body></html>"""
    document = docx.Document(io.BytesIO(render_docx(html)))
    assert "Back to the meeting" not in " ".join(p.text for p in document.paragraphs)
    (table,) = document.tables
    header, group, web = table.rows
    tag = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
    assert header._tr.trPr.find(tag) is not None
    assert group._tr.trPr is None or group._tr.trPr.find(tag) is None  # a th row in the body
    assert [c.text for c in group.cells] == ["Channel", "Channel"]  # one cell, merged across
    assert group.cells[0]._tc is group.cells[1]._tc
    assert [c.text for c in web.cells] == ["Web", "3"]
    assert web.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
