"""HTML document to Word (DOCX): the same template as the PDF and the print view.

Walks the HTML of a document made from ``documents/base.html``: headings, paragraphs, lists,
tables (header rows repeated on every page), block quotes with their references. SVG charts
(and anything marked ``doc-docx-skip``) are left out: their data tables follow them.
"""

from __future__ import annotations

import io
import re

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

AUTHOR = "Liverpool City Region Combined Authority"
TEXT_COLOUR = RGBColor(0x0B, 0x0C, 0x0C)
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
PARAGRAPHS = {"p", "figcaption", "address", "dt", "dd", "summary"}
CONTAINERS = {"body", "main", "section", "article", "div", "header", "footer", "figure", "nav"}
SKIP = {"script", "style", "svg", "head", "template", "noscript", "button", "form", "hr"}
TABLE_STYLE = "Document Table"
SPACE = re.compile(r"\s+")


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _skipped(element) -> bool:
    return (
        not isinstance(element.tag, str)
        or element.tag in SKIP
        or element.get("hidden") is not None
        or bool({"doc-docx-skip", "doc-screen-only"} & _classes(element))
    )


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.font.color.rgb = TEXT_COLOUR
    r_pr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    r_pr.append(lang)
    for name, size in (("Title", 26), ("Heading 1", 20), ("Heading 2", 16), ("Heading 3", 13)):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = TEXT_COLOUR
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
    quote = styles["Quote"]
    quote.font.name = "Arial"
    quote.font.color.rgb = TEXT_COLOUR
    quote.paragraph_format.left_indent = Mm(8)
    table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Table Grid"]
    table.font.name = "Arial"
    table.font.size = Pt(10)


def _page_setup(document) -> None:
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
        footer = section.footer.paragraphs[0]
        footer.add_run("Page ")
        _field(footer, "PAGE")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


class _Writer:
    def __init__(self, document):
        self.document = document
        self.last_was_table = False
        self.break_next = False

    # Inline content -----------------------------------------------------------------------
    def inline(self, paragraph, element, bold=False, italic=False) -> None:
        if element.text:
            self._run(paragraph, element.text, bold, italic)
        for child in element:
            if isinstance(child.tag, str) and not _skipped(child):
                if child.tag == "br":
                    paragraph.add_run().add_break()
                else:
                    self.inline(
                        paragraph,
                        child,
                        bold or child.tag in {"strong", "b", "th"},
                        italic or child.tag in {"em", "i", "cite"},
                    )
            if child.tail:
                self._run(paragraph, child.tail, bold, italic)

    @staticmethod
    def _run(paragraph, text: str, bold: bool, italic: bool) -> None:
        text = SPACE.sub(" ", text)
        if not paragraph.runs:
            text = text.lstrip()
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            run.italic = italic or None

    def paragraph(self, element=None, style: str | None = None, text: str | None = None):
        paragraph = self.document.add_paragraph(style=style)
        if self.break_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_next = False
        if text is not None:
            self._run(paragraph, text, False, False)
        elif element is not None:
            self.inline(paragraph, element)
        self.last_was_table = False
        return paragraph

    # Blocks -------------------------------------------------------------------------------
    def block(self, element) -> None:
        if _skipped(element):
            return
        if "doc-page-break" in _classes(element):
            self.break_next = True
        tag = element.tag
        if tag in HEADING_LEVELS:
            level = 0 if "doc-title" in _classes(element) else HEADING_LEVELS[tag]
            if element.getparent() is not None and "doc-contents" in _classes(element.getparent()):
                self.paragraph(element, style="TOC Heading")  # not a heading of the outline
            else:
                self.paragraph(element, style="Title" if level == 0 else f"Heading {level}")
        elif tag in PARAGRAPHS:
            if element.text_content().strip():
                self.paragraph(element)
        elif tag in {"ul", "ol"}:
            self.list(element, "List Number" if tag == "ol" else "List Bullet")
        elif tag == "table":
            self.table(element)
        elif tag == "blockquote":
            self.quote(element)
        elif tag == "dl":
            for child in element:
                if child.tag == "dt":
                    for run in self.paragraph(child).runs:
                        run.bold = True
                else:
                    self.block(child)
        elif tag in CONTAINERS or tag not in {"span", "a", "strong", "em", "b", "i", "small"}:
            self.container(element)
        elif element.text_content().strip():
            self.paragraph(element)

    def container(self, element) -> None:
        loose = []  # text and inline elements directly inside a container make a paragraph

        def flush():
            text = "".join(loose).strip()
            if text:
                self.paragraph(text=text)
            loose.clear()

        if element.text and element.text.strip():
            loose.append(element.text)
        for child in element:
            if not isinstance(child.tag, str) or _skipped(child):
                pass
            elif child.tag in {"span", "a", "strong", "em", "b", "i", "small", "time", "abbr"}:
                loose.append(child.text_content())
            else:
                flush()
                self.block(child)
            if child.tail and child.tail.strip():
                loose.append(child.tail)
        flush()

    def list(self, element, style: str) -> None:
        for item in element:
            if item.tag == "li" and not _skipped(item):
                self.paragraph(item, style=style)

    def quote(self, element) -> None:
        for child in element:
            if not isinstance(child.tag, str) or _skipped(child):
                continue
            if child.tag in {"footer", "cite"}:
                self.paragraph(text="— " + SPACE.sub(" ", child.text_content()).strip())
            else:
                self.paragraph(child, style="Quote")
        if element.text and element.text.strip():
            self.paragraph(text=element.text, style="Quote")

    def table(self, element) -> None:
        caption = element.find("caption")
        if caption is not None and caption.text_content().strip():
            for run in self.paragraph(caption).runs:
                run.bold = True
        elif self.last_was_table:
            self.paragraph(text="")
        rows = [row for row in element.iter("tr") if not _skipped(row)]
        if not rows:
            return

        def cells_of(row):
            return [c for c in row if c.tag in {"th", "td"}]

        def span(cell) -> int:
            try:
                return max(1, int(cell.get("colspan") or 1))
            except ValueError:
                return 1

        width = max(sum(span(c) for c in cells_of(row)) for row in rows)
        has_head = element.find("thead") is not None
        table = self.document.add_table(rows=0, cols=width)
        table.style = self.document.styles[TABLE_STYLE]
        for number, row in enumerate(rows):
            cells = cells_of(row)
            # The header row(s) repeat on every page: the thead, or else a first row of th.
            if has_head:
                header = row.getparent().tag == "thead"
            else:
                header = number == 0 and all(c.tag == "th" for c in cells)
            docx_row = table.add_row()
            if header:
                tr_pr = docx_row._tr.get_or_add_trPr()
                repeat = OxmlElement("w:tblHeader")
                repeat.set(qn("w:val"), "true")
                tr_pr.append(repeat)
            column = 0
            for source in cells:
                if column >= width:
                    break
                cell = docx_row.cells[column]
                last = min(column + span(source), width) - 1
                if last > column:
                    cell = cell.merge(docx_row.cells[last])
                paragraph = cell.paragraphs[0]
                self.inline(paragraph, source, bold=source.tag == "th")
                if "doc-number" in _classes(source):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                column = last + 1
        self.last_was_table = True
        if self.break_next:
            self.break_next = False


def render_docx(html: str) -> bytes:
    """An A4 Word document with the title, headings, tables and quotes of the HTML document."""
    root = lxml.html.document_fromstring(html)
    document = Document()
    _styles(document)
    _page_setup(document)
    title = root.findtext(".//title") or ""
    document.core_properties.title = title.strip()
    document.core_properties.author = AUTHOR
    document.core_properties.language = root.get("lang") or "en-GB"
    body = root.find("body")
    writer = _Writer(document)
    if body is not None:
        writer.container(body)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
