"""PDF and Word documents for agendas and reports, built from simple blocks.

A document is a list of blocks — ("h1"|"h2"|"h3"|"p", text) or ("table", header, rows) — so the
same content renders as PDF (fpdf2) and DOCX (python-docx), with tables for every chart.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from fpdf import FPDF

Block = tuple
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PUNCTUATION = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}
)


def _latin1(text: str) -> str:
    # Only used when no Unicode font is installed: keep the words, lose nothing silently.
    text = unicodedata.normalize("NFKC", str(text)).translate(PUNCTUATION)
    return text.encode("latin-1", "replace").decode("latin-1")


class _PDF(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.doc_title = title
        self.set_title(title)
        self.set_author("Liverpool City Region Combined Authority")
        self.set_lang("en-GB")
        self.unicode_font = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode_font:
            self.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.family = "Body"
        else:
            self.family = "Helvetica"
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def text_of(self, value: Any) -> str:
        text = "" if value is None else str(value)
        return text if self.unicode_font else _latin1(text)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 8, self.text_of(f"{self.doc_title} - page {self.page_no()}"), align="C")


def to_pdf(title: str, blocks: Sequence[Block]) -> bytes:
    """Render blocks as a tagged-title A4 PDF."""
    pdf = _PDF(title)
    sizes = {"h1": 18, "h2": 14, "h3": 12, "p": 10}
    for block in blocks:
        kind = block[0]
        if kind in sizes:
            pdf.set_font(pdf.family, "B" if kind != "p" else "", sizes[kind])
            if kind != "p":
                pdf.ln(2)
            pdf.multi_cell(0, sizes[kind] * 0.55, pdf.text_of(block[1]))
            pdf.ln(1)
        elif kind == "table":
            _, header, rows = block
            pdf.set_font(pdf.family, "", 9)
            with pdf.table(
                text_align="LEFT", first_row_as_headings=True, line_height=5, padding=1
            ) as table:
                for row in [header, *rows]:
                    cells = table.row()
                    for value in row:
                        cells.cell(pdf.text_of(value))
            pdf.ln(2)
    return bytes(pdf.output())


def to_docx(title: str, blocks: Sequence[Block]) -> bytes:
    """Render blocks as a Word document with real headings and tables."""
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "Liverpool City Region Combined Authority"
    levels = {"h1": 0, "h2": 1, "h3": 2}
    for block in blocks:
        kind = block[0]
        if kind in levels:
            document.add_heading(str(block[1]), level=levels[kind])
        elif kind == "p":
            document.add_paragraph(str(block[1]))
        elif kind == "table":
            _, header, rows = block
            table = document.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, value in zip(table.rows[0].cells, header, strict=True):
                cell.text = str(value)
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = "" if value is None else str(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
