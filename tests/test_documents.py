"""Every document a committee reads, parsed: the agenda pack, the quarterly report and the annual
pack, as the print view (HTML), PDF and DOCX.

PDF pages are A4 (595 x 842 pt) with a structure tree, a title and /Lang en-GB; DOCX sections are
A4 with no two tables back to back; no date is written in ISO or zero-padded form anywhere; the
agenda's contents list names every item; each agenda item has its figures in one table of
measure, this period, previous period and change, with no row that has nothing to say.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, time

import docx
import lxml.html
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.documents import render_pdf
from portal.extensions import db
from portal.meetings import service
from portal.models import (
    AgendaItemKind,
    Meeting,
    Priority,
    ProgressStatus,
    ProgressUpdate,
    Sentiment,
    TransportMode,
    User,
)

from . import factories
from .factories import commitment
from .test_meetings import at

START, END = date(2026, 7, 1), date(2026, 9, 29)
MEETING_DAY = date(2026, 10, 8)
FOODBANK = "foodbank-collection-points"
DATA = "transport-user-data"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
BAD_DATES = (
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),  # 2026-12-09
    re.compile(rf"\b0\d\s+(?:{MONTHS})\b"),  # 09 December
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # 09/12/2026
)
QUOTE = "The foodbank box at Lime Street was full by Tuesday, please empty it more often."


@dataclass
class Documents:
    meeting_id: int
    titles: list[str]
    files: dict[str, tuple[str, bytes, bytes]]  # name: (html, pdf, docx)


def _seed(app) -> tuple[int, list[str]]:
    with app.app_context():
        member = db.session.scalar(select(User))
        previous = date(2026, 5, 1)  # in the previous period of the same length
        factories.feedback(
            commitment=FOODBANK, received_at=at(previous), stakeholder_type="business"
        )
        factories.feedback(
            commitment=FOODBANK, received_at=at(previous), stakeholder_type="business"
        )
        factories.feedback(
            commitment=FOODBANK,
            received_at=at(START),
            consent_to_quote=True,
            body=QUOTE,
            sentiment=Sentiment.POSITIVE,
            priority=Priority.URGENT,
        )
        factories.feedback(
            commitment=FOODBANK, received_at=at(date(2026, 8, 3)), transport_mode=TransportMode.BUS
        )
        # No sentiment: never a "Not set" row.
        factories.feedback(commitment=FOODBANK, received_at=at(date(2026, 8, 4)))
        factories.feedback(
            commitment=DATA, received_at=at(date(2026, 9, 1)), stakeholder_type="resident"
        )
        db.session.add(
            ProgressUpdate(
                commitment_id=commitment(FOODBANK).id,
                year=2026,
                quarter=2,
                status=ProgressStatus.ON_TRACK,
                narrative="Two collection points opened.",
                author_id=member.id,
            )
        )
        meeting = factories.meeting(member, "October meeting", MEETING_DAY, START, END)
        item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
        service.add_decision(member, item, "Empty the boxes twice a week.")
        service.add_action(
            member, item, "Agree a rota with the foodbank.", "Stations team", date(2026, 12, 9), ""
        )
        db.session.commit()
        return meeting.id, [i.title for i in service.get_meeting(meeting.id).items]


def _get(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.data


@pytest.fixture
def documents(app, staff_client) -> Documents:
    client = staff_client("member")
    meeting_id, titles = _seed(app)
    pages = {
        "agenda": (f"/meetings/{meeting_id}/print", f"/meetings/{meeting_id}/agenda"),
        "quarterly": ("/reports/quarterly/2026-Q2", "/reports/quarterly/2026-Q2"),
        "annual": ("/reports/annual/2026", "/reports/annual/2026"),
    }
    files = {
        name: (
            _get(client, html).decode(),
            _get(client, stem + ".pdf"),
            _get(client, stem + ".docx"),
        )
        for name, (html, stem) in pages.items()
    }
    return Documents(meeting_id, titles, files)


def _pdf_text(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def _docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def _html_text(html: str) -> str:
    return " ".join(lxml.html.document_fromstring(html).itertext())


def test_every_document_is_a4_tagged_titled_and_writes_dates_in_words(documents):
    for name, (html, pdf, word) in documents.files.items():
        title = lxml.html.document_fromstring(html).findtext(".//title")
        assert '<html lang="en-GB">' in html
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en-GB", name
        assert "/StructTreeRoot" in root, name
        assert bool(root["/MarkInfo"]["/Marked"]), name
        assert reader.metadata.title == title, name
        for page in reader.pages:
            size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
            assert size == (595, 842), name
        pages = _pdf_text(pdf)
        assert "Liverpool City Region Combined Authority" in pages[0]
        assert f"Page {len(pages)} of {len(pages)}" in pages[-1], name
        document = docx.Document(io.BytesIO(word))
        assert document.core_properties.title == title
        for section in document.sections:
            size = (round(section.page_width.mm), round(section.page_height.mm))
            assert size == (210, 297), name
        kinds = [child.tag.rsplit("}", 1)[1] for child in document.element.body.iterchildren()]
        assert ("tbl", "tbl") not in set(zip(kinds, kinds[1:], strict=False)), name
        texts = {"html": _html_text(html), "pdf": "\n".join(pages), "docx": _docx_text(document)}
        for kind, text in texts.items():
            for pattern in BAD_DATES:
                assert not pattern.search(text), (name, kind, pattern.search(text))
            assert "Not set" not in text, (name, kind)
    html, pdf, word = documents.files["agenda"]
    text = " ".join(" ".join(_pdf_text(pdf)).split())
    assert "8 October 2026" in text and "9 December 2026" in text
    assert "Received 1 July 2026 to 29 September 2026" in text


def test_agenda_contents_names_every_item_each_on_its_own_page(documents):
    html, pdf, word = documents.files["agenda"]
    tree = lxml.html.document_fromstring(html)
    listed = [li.text_content().strip() for li in tree.xpath("//nav[@class='doc-contents']//li")]
    assert listed == documents.titles
    pages = _pdf_text(pdf)
    cover = " ".join(pages[0].split())
    for title in documents.titles:
        assert re.search(re.escape(title) + r" \(page \d+\)", cover), title
    # Each item starts a page: its heading is the first thing on it.
    starts = [" ".join(p.split())[:200] for p in pages[1:]]
    for position, title in enumerate(documents.titles, start=1):
        assert any(s.startswith(f"{position}. {title}") for s in starts), title
    document = docx.Document(io.BytesIO(word))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert [t for s, t in paragraphs if s == "List Number"] == documents.titles
    assert ("TOC Heading", "Contents") in paragraphs
    headings = [t for s, t in paragraphs if s == "Heading 2"]
    assert headings == [f"{n}. {t}" for n, t in enumerate(documents.titles, start=1)]
    breaks = [p for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert [p.text for p in breaks] == headings  # each item a new page in Word too


def test_agenda_item_has_one_table_of_figures_with_the_previous_period(documents):
    html, pdf, word = documents.files["agenda"]
    tree = lxml.html.document_fromstring(html)
    position = next(
        n for n, t in enumerate(documents.titles, start=1) if t.startswith("More foodbank")
    )
    section = tree.get_element_by_id(f"item-{position}")
    tables = section.xpath(".//table")
    figures, actions = tables  # one table of figures, then the actions agreed
    header = [th.text_content() for th in figures.xpath(".//thead//th")]
    assert header == ["Measure", "This period", "Previous period", "Change"]
    rows = {
        tr.find("th").text_content(): [td.text_content() for td in tr.findall("td")]
        for tr in figures.xpath(".//tbody/tr")
        if tr.findall("td")
    }
    assert rows["Feedback items"] == ["3", "2", "+1"]
    assert rows["High or urgent priority"] == ["1", "0", "+1"]
    assert rows["Business"] == ["0", "2", "−2"]
    assert rows["Passenger or service user"] == ["3", "0", "+3"]
    assert rows["Positive"] == ["1", "0", "+1"]
    assert rows["Bus"] == ["1", "0", "+1"]
    groups = [th.text_content() for th in figures.xpath(".//th[@scope='rowgroup']")]
    assert groups[:2] == ["Stakeholder type", "Channel"] and "Sentiment" in groups
    # Nothing to say, nothing shown: no channel nobody used, no unset sentiment or mode.
    assert "Phone" not in rows and "Not given" not in rows and "Not set" not in rows
    assert [td.text_content() for td in actions.xpath(".//tbody//td")] == [
        "Agree a rota with the foodbank.",
        "Stations team",
        "9 December 2026",
        "Open",
    ]
    # The chart is drawn beside the table, in the HTML and PDF; Word has the table.
    chart = section.xpath(".//figure//svg[@role='img']")
    assert chart and "Stakeholder type" in section.xpath(".//figure/figcaption")[0].text_content()
    # Quotes are quotations with their references.
    quote = section.xpath(".//blockquote")[0]
    assert QUOTE in quote.text_content()
    assert re.fullmatch(r"SVF-[0-9A-Z]+", quote.xpath(".//cite")[0].text_content())
    document = docx.Document(io.BytesIO(word))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    quoted = next(n for n, (s, t) in enumerate(paragraphs) if s == "Quote" and QUOTE in t)
    assert paragraphs[quoted + 1][1].startswith("— Feedback SVF-")
    assert "bar chart" not in _docx_text(document)
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "Measure")
    assert [c.text for c in grid.rows[0].cells] == [
        "Measure",
        "This period",
        "Previous period",
        "Change",
    ]
    group_row = next(r for r in grid.rows if r.cells[0].text == "Stakeholder type")
    assert len({id(c._tc) for c in group_row.cells}) == 1  # one cell across the table
    text = " ".join(" ".join(_pdf_text(pdf)).split())
    assert "Decision: Empty the boxes twice a week." in text
    assert "Latest progress (2026-Q2): On track. Two collection points opened." in text


def test_the_print_view_is_the_pdf_document(app, documents):
    html, pdf, _ = documents.files["agenda"]
    assert re.search(r"/static/css/documents(\.[0-9a-f]{12})?\.css", html)
    assert "Download the agenda pack (PDF)" in html
    from_print = _pdf_text(render_pdf(html))
    assert from_print == _pdf_text(pdf)


def test_reports_leave_out_what_has_nothing_to_say(documents):
    html = documents.files["quarterly"][0]
    tree = lxml.html.document_fromstring(html)
    glance = [
        th.text_content() for th in tree.get_element_by_id("quarterly-table").xpath(".//tbody//th")
    ]
    assert len(glance) == 2 and any(t.startswith("More foodbank") for t in glance)
    rows = {
        tr.find("th").text_content(): [td.text_content() for td in tr.findall("td")]
        for tr in tree.get_element_by_id("quarterly-table").xpath(".//tbody/tr")
    }
    foodbank = next(v for k, v in rows.items() if k.startswith("More foodbank"))
    assert foodbank == ["On track (2026-Q2)", "3", "+1", "0", "0"]
    quiet = tree.get_element_by_id("glance").text_content()
    assert "No progress update, feedback or actions this quarter for:" in quiet
    annual = lxml.html.document_fromstring(documents.files["annual"][0])
    modes = [
        th.text_content()
        for th in annual.get_element_by_id("transport-table").xpath(".//tbody//th")
    ]
    assert modes == ["Bus"]  # no rows of nought, no "Not given"
    people = [
        th.text_content()
        for th in annual.get_element_by_id("stakeholders-table").xpath(".//tbody//th")
    ]
    assert set(people) == {"Passenger or service user", "Resident", "Business"}
    svg = annual.get_element_by_id("stakeholders").xpath(".//svg[@role='img']/title")
    assert svg and "Feedback per stakeholder type" in svg[0].text_content()


def test_documents_are_for_staff_and_for_real_meetings(app, staff_client):
    with app.app_context():
        member = db.session.get(User, _member_id(app, staff_client))
        meeting_id = factories.meeting(member, "Staff only", MEETING_DAY, START, END).id
    anonymous = app.test_client()
    for url in (
        f"/meetings/{meeting_id}/print",
        f"/meetings/{meeting_id}/agenda.pdf",
        f"/meetings/{meeting_id}/agenda.docx",
        "/reports/quarterly/2026-Q2.pdf",
        "/reports/annual/2026.docx",
    ):
        response = anonymous.get(url)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    champion = staff_client("champion")
    assert champion.get(f"/meetings/{meeting_id}/agenda.pdf").status_code == 403
    assert champion.get("/reports/annual/2026.pdf").status_code == 403
    admin = staff_client("admin")
    assert admin.get(f"/meetings/{meeting_id + 1000}/agenda.pdf").status_code == 404
    assert admin.get("/reports/quarterly/2026-Q5.docx").status_code == 404
    assert admin.get("/reports/annual/twenty.pdf").status_code == 404
    with app.app_context():
        assert db.session.get(Meeting, meeting_id) is not None


def _member_id(app, staff_client) -> int:
    staff_client("member")
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == "member@example.invalid"))


def test_the_agenda_cover_says_when_where_who_and_what_to_approve(app_ctx):
    from types import SimpleNamespace

    from portal.meetings.pack import cover_details

    earlier = Meeting(title="September meeting", meeting_date=date(2026, 9, 9))
    meeting = SimpleNamespace(
        start_time=time(14, 30),
        venue="Committee room 1",
        joining_details="",
        members=[SimpleNamespace(name="A Member"), SimpleNamespace(name="Another Member")],
        previous_meeting=earlier,
        period_start=START,
        period_end=END,
    )
    assert cover_details(meeting) == [
        ("Time", "2:30pm"),
        ("Venue", "Committee room 1"),
        ("Members invited", "A Member, Another Member"),
        ("Minutes to approve", "September meeting, 9 September 2026"),
        ("Feedback covered", "Received 1 July 2026 to 29 September 2026"),
    ]
    bare = SimpleNamespace(period_start=START, period_end=END)  # nothing else known: left out
    assert cover_details(bare) == [
        ("Feedback covered", "Received 1 July 2026 to 29 September 2026")
    ]
    meeting.start_time = time(12, 0)
    assert cover_details(meeting)[0] == ("Time", "midday")


def test_demo_documents_writes_every_example(app, make_user, tmp_path):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo", "documents", "--out", str(tmp_path / "none")])
    assert refused.exit_code == 1 and "flask demo users" in refused.output
    assert not (tmp_path / "none").exists()
    with app.app_context():
        assert db.session.scalar(select(Meeting.id)) is None  # nothing half-made
    make_user("member")
    with app.app_context():
        factories.feedback(commitment=FOODBANK, received_at=at(date.today().replace(day=1)))
    done = runner.invoke(args=["demo", "documents", "--out", str(tmp_path / "examples")])
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in (tmp_path / "examples").iterdir())
    assert names == sorted(
        f"{stem}.{suffix}"
        for stem in ("agenda-pack", "quarterly-report", "annual-pack")
        for suffix in ("html", "pdf", "docx")
    )
    for stem in ("agenda-pack", "quarterly-report", "annual-pack"):
        pdf = (tmp_path / "examples" / f"{stem}.pdf").read_bytes()
        assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en-GB"
        docx.Document(str(tmp_path / "examples" / f"{stem}.docx"))
    with app.app_context():
        assert db.session.scalar(select(Meeting.title)).endswith("(example)")
