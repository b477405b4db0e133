"""The published Annual Review (issue 14): drafted and previewed by staff, published by an admin,
fixed once published, corrected as a new version; public page, PDF and XLSX data pack; small
counts suppressed; approved quotes only."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.annualreview import service
from portal.extensions import db
from portal.meetings import service as meetings
from portal.models import (
    ActionStatus,
    AgendaItemKind,
    AnnualReview,
    AuditEntry,
    ProgressStatus,
    ReviewStatus,
    Sentiment,
    User,
)
from portal.progress import service as progress

from . import factories
from .conftest import hidden_fields

YEAR = 2025  # 2025/26: a year that has ended, whatever today is
FOODBANK = "foodbank-collection-points"
SAFE_SPACES = "safe-spaces-at-stations-and-travel-centres"
INTRO = "This is the first Annual Review of Social Value Impact."


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


IN_YEAR = at(date(2025, 6, 1))


def save_draft(client, year: int = YEAR, expect: int = 303, **fields: str):
    page = client.get(f"/annual-review/{year}/draft")
    assert page.status_code == 200
    data = hidden_fields(page.get_data(as_text=True)) | {
        "introduction": INTRO,
        "working_well": "",
        "to_improve": "",
        "change_note": "",
    }
    data.update(fields)
    response = client.post(f"/annual-review/{year}/draft", data=data)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def publish(client, year: int = YEAR):
    page = client.get(f"/annual-review/{year}/draft/preview").get_data(as_text=True)
    return client.post(f"/annual-review/{year}/draft/publish", data=hidden_fields(page))


@pytest.fixture
def admin(app, staff_client):
    return staff_client("admin")


def seed_year(app) -> None:
    """Feedback in 2025/26: 6 about the foodbank, 3 about safe spaces, 1 general."""
    with app.app_context():
        for n in range(6):
            factories.feedback(
                commitment=FOODBANK,
                received_at=IN_YEAR,
                sentiment=Sentiment.POSITIVE,
                body=f"Foodbank point {n} works well",
            )
        for n in range(3):
            factories.feedback(
                commitment=SAFE_SPACES,
                received_at=IN_YEAR,
                body=f"Safe spaces {n}",
                stakeholder_type="business",
            )
        factories.feedback(received_at=IN_YEAR, body="General feedback")
        # Outside the year:
        factories.feedback(
            commitment=FOODBANK, received_at=at(date(2026, 4, 1)), body="Next year's feedback"
        )


# --- the journey ----------------------------------------------------------------------------


def test_an_admin_drafts_previews_and_publishes_and_the_public_sees_it(app, admin, client):
    seed_year(app)
    assert client.get("/annual-review/2025").status_code == 404  # nothing published yet
    assert "No Annual Review has been published yet" in client.get("/annual-review").text
    response = save_draft(
        admin, working_well="Foodbank points are busy.", to_improve="Reach more businesses."
    )
    assert response.headers["Location"].endswith("/annual-review/2025/draft/preview")
    preview = admin.get("/annual-review/2025/draft/preview").text
    assert "Preview: this draft is not published" in preview
    assert INTRO in preview and "Publish version 1" in preview
    assert client.get("/annual-review/2025").status_code == 404  # a draft is not public
    preview_pdf = admin.get("/annual-review/2025/draft/preview.pdf")
    assert preview_pdf.mimetype == "application/pdf"

    response = publish(admin)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/annual-review/2025")
    page = client.get("/annual-review/2025")
    assert page.status_code == 200
    html = page.text
    assert "Annual Review of Social Value Impact 2025/26" in html
    assert (
        INTRO in html and "Foodbank points are busy." in html and "Reach more businesses." in html
    )
    assert "Preview" not in html and "Publish version" not in html
    assert "Feedback per commitment" in html and "Feedback per role" in html
    assert "Feedback per theme" in html and "Feedback per stakeholder type" in html
    assert "Feedback per transport mode or asset, where known" in html
    assert "What is working well" in html and "Opportunities to improve" in html
    assert "Progress of each commitment" in html and "You said, we did" in html
    assert '<p class="govuk-body" id="review-total">10 pieces of feedback' in html
    listing = client.get("/annual-review").text
    assert 'href="/annual-review/2025"' in listing and "Annual Review 2025/26" in listing
    assert client.get("/annual-review/2025.pdf").mimetype == "application/pdf"
    workbook = load_workbook(io.BytesIO(client.get("/annual-review/2025.xlsx").data))
    assert "Commitment" in workbook.sheetnames and "Progress" in workbook.sheetnames
    with app.app_context():
        review = db.session.scalar(select(AnnualReview))
        assert (review.version, review.status) == (1, ReviewStatus.PUBLISHED)
        actions = [
            e.action
            for e in db.session.scalars(select(AuditEntry))
            if e.entity_type == "annual_review"
        ]
        assert "create" in actions and "publish" in actions


def test_the_figures_are_the_years_counts_with_small_counts_suppressed(app, admin, client):
    seed_year(app)
    save_draft(admin)
    publish(admin)
    html = client.get("/annual-review/2025").text
    foodbank = commitment_row(html, "More foodbank collection points")
    assert foodbank == "6"  # the item of 2026/27 is not counted
    assert commitment_row(html, "Safe Spaces") == "Fewer than 5"
    assert ">3<" not in table_html(html, "table-commitments")
    # Stakeholder types add up to the total: with one small cell (business, 3) shown as
    # "Fewer than 5", passengers (7) would give it away by subtraction, so both are held back.
    stakeholders = table_html(html, "table-stakeholders")
    assert stakeholders.count("Fewer than 5") == 2
    with app.app_context():
        snapshot = db.session.scalar(select(AnnualReview.snapshot))
        cells = [row[1] for table in snapshot["tables"] for row in table["rows"]]
        assert all(cell is None or cell == 0 or cell >= 5 for cell in cells)
    workbook = load_workbook(io.BytesIO(client.get("/annual-review/2025.xlsx").data))
    rows = {r[0].value: r[1].value for r in workbook["Commitment"].iter_rows(min_row=2)}
    assert rows["More foodbank collection points at travel centres and stations"] == 6
    safe = next(v for k, v in rows.items() if k.startswith("Safe Spaces"))
    assert safe == "Fewer than 5"


def main(html: str) -> str:
    """The page's main content (the page around it carries a per-request token)."""
    return html[html.index("<main") : html.index("</main>")]


def commitment_row(html: str, start: str) -> str:
    table = table_html(html, "table-commitments")
    match = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(start)}[^<]*</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>',
        table,
    )
    assert match, table
    return match.group(1)


def table_html(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)]


def test_suppression_rules():
    assert [service.suppress(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    rows = [("a", 10), ("b", 3), ("c", 7), ("d", 0)]
    assert service.suppressed_rows(rows) == [["a", 10], ["b", None], ["c", 7], ["d", 0]]
    assert service.suppressed_rows(rows, adds_up=True) == [
        ["a", 10],
        ["b", None],
        ["c", None],
        ["d", 0],
    ]
    two_small = [("a", 10), ("b", 3), ("c", 2)]
    assert service.suppressed_rows(two_small, adds_up=True) == [["a", 10], ["b", None], ["c", None]]


# --- fixed once published; corrections ------------------------------------------------------


def test_a_published_review_is_fixed_and_a_correction_is_a_new_version(app, admin, client):
    seed_year(app)
    save_draft(admin)
    publish(admin)
    first = main(client.get("/annual-review/2025").text)
    with app.app_context():
        for n in range(5):
            factories.feedback(
                commitment=SAFE_SPACES, received_at=IN_YEAR, body=f"Late safe spaces feedback {n}"
            )
    assert main(client.get("/annual-review/2025").text) == first  # the snapshot, not live
    assert commitment_row(first, "Safe Spaces") == "Fewer than 5"

    # A correction must say what it changes.
    form = admin.get("/annual-review/2025/draft").text
    assert "What this version changes" in form and "Version 1 is published" in form
    assert INTRO in form  # it starts from the published words
    response = save_draft(admin, expect=422, introduction="Corrected introduction.")
    assert "Enter what this version changes" in response.text
    with app.app_context():
        assert service.draft(YEAR) is None  # nothing half-saved
    save_draft(admin, introduction="Corrected introduction.", change_note="Late feedback added.")
    assert main(client.get("/annual-review/2025").text) == first  # a draft changes nothing
    publish(admin)

    latest = client.get("/annual-review/2025").text
    assert "Corrected introduction." in latest and "Late feedback added." in latest
    assert commitment_row(latest, "Safe Spaces") == "8"
    assert 'href="/annual-review/2025/versions/1"' in latest
    older = client.get("/annual-review/2025/versions/1")
    assert older.status_code == 200
    assert INTRO in older.text and commitment_row(older.text, "Safe Spaces") == "Fewer than 5"
    assert "a later version is published" in older.text
    assert client.get("/annual-review/2025/versions/1.pdf").mimetype == "application/pdf"
    assert client.get("/annual-review/2025/versions/1.xlsx").status_code == 200
    assert client.get("/annual-review/2025/versions/3").status_code == 404
    listing = client.get("/annual-review").text
    assert "version 2" in listing and listing.count('href="/annual-review/2025"') == 1


def test_the_database_refuses_two_versions_with_one_number_and_a_draft_with_figures(app_ctx):
    db.session.add(
        AnnualReview(
            year=YEAR,
            version=1,
            status=ReviewStatus.PUBLISHED,
            snapshot={"x": 1},
            published_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    db.session.add(
        AnnualReview(
            year=YEAR,
            version=1,
            status=ReviewStatus.PUBLISHED,
            snapshot={"x": 2},
            published_at=datetime.now(UTC),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(AnnualReview(year=YEAR, version=0, snapshot={"x": 1}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(AnnualReview(year=YEAR, version=2, status=ReviewStatus.DRAFT))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- what may be public ---------------------------------------------------------------------


def test_only_approved_quotes_progress_and_published_outcomes(app, admin, client, make_user):
    with app.app_context():
        factories.feedback(
            commitment=FOODBANK,
            received_at=IN_YEAR,
            consent_to_quote=True,
            quote_approved=True,
            body="The foodbank box at Lime Street helped, ring 07700 900123",
        )
        factories.feedback(
            commitment=FOODBANK,
            received_at=IN_YEAR,
            consent_to_quote=True,
            body="Consented but never approved by a member",
        )
        factories.feedback(
            commitment=FOODBANK,
            received_at=IN_YEAR,
            consent_to_quote=False,
            quote_approved=True,
            body="Never consented to quote",
        )
        member = db.session.get(User, make_user("admin", "officer-admin@example.invalid"))
        progress.post_update(
            member,
            factories.commitment(FOODBANK),
            progress.ProgressInput(
                2025, 3, ProgressStatus.ON_TRACK, "Ten new boxes installed.", []
            ),
        )
        meeting = factories.meeting(
            member, "Q2 meeting", date(2025, 10, 8), date(2025, 4, 1), date(2025, 10, 7)
        )
        item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
        meetings.add_decision(member, item, "Add boxes at every staffed station")
        done = meetings.add_action(member, item, "Ask Merseyrail for space", "Owner", None)
        done.outcome = "Merseyrail gave space for boxes at six stations"
        done.outcome_published_at = at(date(2025, 11, 1))
        done.status, done.closed_at = ActionStatus.DONE, at(date(2025, 11, 1))
        unpublished = meetings.add_action(member, item, "Draft a letter", "Owner", None)
        unpublished.outcome = "An internal outcome never published"
        db.session.commit()
    save_draft(admin)
    publish(admin)
    html = client.get("/annual-review/2025").text
    assert "The foodbank box at Lime Street helped" in html
    assert "07700" not in html and "[removed]" in html
    assert "Consented but never approved" not in html
    assert "Never consented to quote" not in html
    assert "Ten new boxes installed." in html and "On track" in html
    assert "Add boxes at every staffed station" in html
    assert "Merseyrail gave space for boxes at six stations" in html
    assert "An internal outcome never published" not in html
    assert "Implementation Group and completed in the year: 1." in html


def test_the_data_pack_never_runs_typed_text_as_a_formula(app, admin, client):
    save_draft(admin, introduction="Intro", change_note="")
    publish(admin)
    save_draft(admin, introduction="Intro 2", change_note='=HYPERLINK("http://x.invalid","y")')
    publish(admin)
    workbook = load_workbook(io.BytesIO(client.get("/annual-review/2025.xlsx").data))
    about = {r[0].value: r[1].value for r in workbook["About"].iter_rows(min_row=2)}
    assert about["What this version changes"].startswith("'=HYPERLINK")


def test_the_pdf_is_an_accessible_a4_document_with_uk_dates(app, admin, client):
    seed_year(app)
    save_draft(admin)
    publish(admin)
    reader = PdfReader(io.BytesIO(client.get("/annual-review/2025.pdf").data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "Annual Review of Social Value Impact 2025/26"
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "1 April 2025 to 31 March 2026" in text
    assert "Page 1 of" in text and "Fewer than 5" in text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)  # no ISO dates
    assert not re.search(
        r"\b0\d (January|February|March|April|May|June|July|August|September|"
        r"October|November|December)\b",
        text,
    )  # no zero-padded days


# --- who may do what, and bad input -----------------------------------------------------------


def test_members_draft_and_preview_but_only_admins_publish(app, staff_client, client):
    member = staff_client("member")
    save_draft(member)
    assert "An admin publishes the review" in member.get("/annual-review/2025/draft/preview").text
    page = member.get("/annual-review/2025/draft/preview").text
    response = member.post("/annual-review/2025/draft/publish", data=hidden_fields(page))
    assert response.status_code == 403
    officer = staff_client("officer")
    assert officer.get("/annual-review/drafts").status_code == 403
    assert officer.get("/annual-review/2025/draft").status_code == 403
    assert client.get("/annual-review/drafts").status_code == 302  # to sign in
    assert client.post("/annual-review/2025/draft/publish").status_code in (302, 400)
    with app.app_context():
        assert service.published(YEAR) is None


def test_publishing_needs_a_saved_draft_and_a_fresh_form(app, admin):
    response = publish(admin)
    assert response.status_code == 303
    assert "Save a draft" in admin.get(response.headers["Location"]).text
    save_draft(admin)
    expired = admin.post("/annual-review/2025/draft/publish", data={"csrf_token": "stale"})
    assert expired.status_code in (303, 400)
    with app.app_context():
        assert service.published(YEAR) is None
        assert service.draft(YEAR) is not None
    page = admin.get("/annual-review/2025/draft/preview").text
    assert (
        admin.post("/annual-review/2025/draft/publish", data=hidden_fields(page)).status_code == 303
    )
    again = admin.post("/annual-review/2025/draft/publish", data=hidden_fields(page))  # twice
    assert (
        "There is no draft to publish: version 1 is already published"
        in admin.get(again.headers["Location"]).text
    )
    with app.app_context():
        assert [v.version for v in service.versions(YEAR)] == [1]


def test_bad_draft_input_gets_messages_and_saves_nothing(app, admin):
    response = save_draft(admin, expect=422, introduction="   ")
    assert "Enter an introduction" in response.text
    assert 'class="govuk-error-summary' in response.text
    response = save_draft(admin, expect=422, working_well="x" * 5001)
    assert "What is working well must be 5,000 characters or fewer" in response.text
    assert "x" * 5001 in response.text  # what was typed is kept
    with app.app_context():
        assert service.draft(YEAR) is None


def test_years_out_of_range_or_not_started_are_not_found(admin, client):
    for url in ("/annual-review/1999", "/annual-review/2101.pdf", "/annual-review/0/versions/1"):
        assert client.get(url).status_code == 404
    next_year = service.current_year() + 1
    assert admin.get(f"/annual-review/{next_year}/draft").status_code == 404
    assert admin.get(f"/annual-review/{next_year}/draft/preview").status_code == 404
    assert admin.get("/annual-review/99999999999999999999/draft").status_code == 404


def test_drafts_page_lists_recent_years(app, admin):
    save_draft(admin)
    html = admin.get("/annual-review/drafts").text
    assert "2025/26" in html and "Preview<span" in html
    assert "Start a draft" in html  # the other years


def test_the_review_is_found_from_every_page_and_from_reports(client, admin, staff_client):
    assert 'href="/annual-review">Annual Review</a>' in client.get("/").text  # the footer
    assert 'href="/annual-review/drafts"' in admin.get("/reports").text
    assert 'href="/annual-review/drafts"' not in staff_client("officer").get("/reports").text
