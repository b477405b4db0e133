"""Best-practice notes: the sanitiser, every workflow step with its permissions, versions, the
public library and its search on both databases, endorsements and agenda pins."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.meetings import service as meetings
from portal.models import AgendaItemKind, Commitment, Meeting, NoteStatus, User
from portal.notes import service
from portal.notes.markdown import render
from portal.triage import search

from .conftest import csrf_for, login

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "<a href='javascript:alert(1)'>x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<form action='https://evil.example'><input name=x></form>",
    "<p style='position:fixed;top:0'>overlay</p>",
    "<div onclick=alert(1)>click</div>",
    "<object data=x></object><embed src=x>",
    "<style>body{display:none}</style>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<details open ontoggle=alert(1)>",
    "<a href='https://ok.example' onmouseover='alert(1)'>hover</a>",
    '![x](https://evil.example/x.png" onerror="alert(1))',
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<input autofocus onfocus=alert(1)>",
    "<body onload=alert(1)>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="&#106;avascript:alert(1)">entity</a>',
    "[x](&#x6A;avascript:alert(1))",
    "<textarea><script>alert(1)</script></textarea>",
    "<!-- <script>alert(1)</script> -->",
    "<template><script>alert(1)</script></template>",
]
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


class _Collector(HTMLParser):
    """Collect every real tag and attribute: escaped text like "&lt;script&gt;" is harmless."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("attack", ATTACKS)
def test_sanitiser_removes_every_attack(attack):
    collector = _Collector()
    collector.feed(str(render(attack)))
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, (attack, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (attack, name)
            assert name in {"class", "href", "title", "rel", "scope", "start"}, (attack, name)
            if name == "href":
                assert value.startswith(("https://", "http://", "mailto:")), (attack, value)


@pytest.mark.parametrize(
    ("markdown", "levels"),
    [
        ("# A\n\n## B\n\n### C\n\n#### D\n\n##### E", [2, 2, 3, 4, 4]),
        ("### Straight to three\n\n#### Then four\n\n## Back to two", [2, 3, 2]),
        ("## Two\n\n#### Skips three", [2, 3]),
    ],
)
def test_note_headings_sit_under_the_page_h1_in_order(markdown, levels):
    html = str(render(markdown))
    assert [int(level) for level in re.findall(r"<h(\d)", html)] == levels


def test_markdown_tables_scroll_in_a_focusable_named_region():
    html = str(render("| Station | Points |\n|---|---|\n| Lime Street | 2 |"))
    assert html.startswith('<div class="app-table-wrapper" role="region" aria-label="Table"')
    assert 'tabindex="0"' in html and html.rstrip().endswith("</table></div>")


def test_sanitiser_keeps_allowed_markdown():
    html = str(
        render(
            "## What we did\n\nWe **trained** *staff* at `Moorfields`.\n\n"
            "- one\n- two\n\n1. first\n2. second\n\n> a quote\n\n"
            "| Station | Points |\n|---|---|\n| Lime Street | 2 |\n\n"
            "[The report](https://example.org/report) and [mail](mailto:team@example.org)"
        )
    )
    for fragment in (
        '<h2 class="govuk-heading-m">What we did</h2>',
        "<strong>trained</strong>",
        "<em>staff</em>",
        "<code>Moorfields</code>",
        '<ul class="govuk-list govuk-list--bullet">',
        '<ol class="govuk-list govuk-list--number">',
        "<blockquote>",
        '<table class="govuk-table">',
        '<td class="govuk-table__cell">Lime Street</td>',
        'href="https://example.org/report"',
        'rel="noopener noreferrer"',
        'href="mailto:team@example.org"',
    ):
        assert fragment in html, fragment


# --- workflow ----------------------------------------------------------------------------------


@pytest.fixture
def people(app_ctx, make_user) -> dict[str, User]:
    return {
        role: db.session.get(User, make_user(role))
        for role in ("champion", "member", "admin", "officer")
    } | {"other": db.session.get(User, make_user("champion", "other@example.invalid"))}


def note_input(**changes) -> service.NoteInput:
    data = service.NoteInput(
        title="Foodbank points that staff look after",
        summary="Staff-run collection points fill up twice as fast.",
        body="## How\n\n- ask the station team\n- empty it weekly",
        commitment_ids=[
            db.session.scalar(
                select(Commitment.id).where(Commitment.slug == "foodbank-collection-points")
            )
        ],
        evidence_links=["https://example.org/evidence"],
        cost="Staff time only",
        achieved="Forty boxes a month",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_full_workflow_with_permissions(people):
    champion, member, other = people["champion"], people["member"], people["other"]
    with pytest.raises(service.NotAllowed):
        service.create(member, note_input())  # members review, champions write
    note = service.create(champion, note_input())
    assert note.status is NoteStatus.DRAFT and note.slug == "foodbank-points-that-staff-look-after"
    with pytest.raises(service.NotAllowed):
        service.edit(other, note, note_input(title="Hijacked"))
    with pytest.raises(service.NotAllowed):
        service.submit(other, note)
    with pytest.raises(service.NoteError, match="submitted for review"):
        service.publish(member, note)  # a draft cannot be published
    service.submit(champion, note)
    assert note.status is NoteStatus.SUBMITTED
    assert not service.can_edit(champion, note)
    with pytest.raises(service.NotAllowed, match="Implementation Group members"):
        service.publish(champion, note)
    with pytest.raises(service.NoteError, match="comment"):
        service.return_note(member, note, " ")
    service.return_note(member, note, "Add what it cost")
    assert note.status is NoteStatus.RETURNED and note.review_comment == "Add what it cost"
    service.edit(champion, note, note_input(cost="Two hours a week"))
    service.submit(champion, note)
    version = service.publish(member, note)
    assert note.status is NoteStatus.PUBLISHED and version.number == 1
    assert note.review_comment is None
    assert service.get_published(note.slug).id == note.id
    service.endorse(member, note)
    with pytest.raises(service.NoteError, match="already endorsed"):
        service.endorse(member, note)
    with pytest.raises(service.NotAllowed):
        service.endorse(champion, note)
    service.archive(member, note)
    assert service.get_published(note.slug) is None
    with pytest.raises(service.NoteError):
        service.archive(member, note)


def test_editing_a_published_note_creates_a_new_version(people):
    champion, member = people["champion"], people["member"]
    note = service.create(champion, note_input())
    service.submit(champion, note)
    service.publish(member, note)
    service.edit(champion, note, note_input(title="Foodbank points, revised", body="New body"))
    assert note.status is NoteStatus.DRAFT
    public = service.get_published(note.slug)
    assert public.published_version.title == "Foodbank points that staff look after"
    service.submit(champion, note)
    second = service.publish(people["admin"], note)
    assert second.number == 2
    assert [v.number for v in note.versions] == [1, 2]
    assert note.versions[0].title == "Foodbank points that staff look after"
    assert note.published_version.title == "Foodbank points, revised"
    assert note.slug == "foodbank-points-that-staff-look-after"  # a stable address


def test_validation_saves_nothing(people):
    errors = service.validate(note_input(title="", evidence_links=["javascript:alert(1)"]))
    assert set(errors) == {"title", "evidence_links"}
    with pytest.raises(service.NoteError):
        service.create(people["champion"], note_input(body=" "))
    assert service.notes_for(people["champion"]) == []


def test_library_search_and_filters(people):
    champion, member = people["champion"], people["member"]
    published = service.create(
        champion,
        note_input(body="Volunteers from a tenants association collected donations at Kirkby"),
    )
    service.submit(champion, published)
    service.publish(member, published)
    draft = service.create(
        champion, note_input(title="Unpublished tenants idea", body="tenants tenants tenants")
    )
    found = service.library(service.LibraryFilters(q=search.parse("tenant")))
    assert [n.id for n, _ in found] == [published.id]  # stemmed, and drafts never appear
    assert draft.id not in [
        n.id for n, _ in service.library(service.LibraryFilters(q=search.parse("")))
    ]
    phrase = service.library(service.LibraryFilters(q=search.parse('"tenants association"')))
    assert [n.id for n, _ in phrase] == [published.id]
    none = service.library(service.LibraryFilters(q=search.parse('"association tenants"')))
    assert none == []
    by_commitment = service.library(
        service.LibraryFilters(q=search.parse(""), commitment="foodbank-collection-points")
    )
    assert [n.id for n, _ in by_commitment] == [published.id]
    other = service.library(
        service.LibraryFilters(q=search.parse(""), commitment="anchor-institutions")
    )
    assert other == []
    assert service.published_for_commitment(published.commitments[0].id) == [published]


def test_pinning_into_an_agenda_and_the_notes_section(people):
    champion, member = people["champion"], people["member"]
    note = service.create(champion, note_input())
    service.submit(champion, note)
    with pytest.raises(service.NoteError, match="Only published"):
        service.endorse(member, note)
    service.publish(member, note)
    today = note.first_published_at.date()
    meeting = meetings.create_meeting(
        member,
        "With notes",
        today + date.resolution * 10,
        today - date.resolution * 5,
        today + date.resolution,
    )
    notes_item = next(i for i in meeting.items if i.kind is AgendaItemKind.NOTES)
    assert notes_item.snapshot["notes"][0]["title"] == note.title
    later = meetings.create_meeting(
        member,
        "Later",
        today + date.resolution * 100,
        today + date.resolution * 2,
        today + date.resolution * 90,
    )
    assert all(i.kind is not AgendaItemKind.NOTES for i in later.items)
    service.pin_to_meeting(member, note, later)
    assert any(i.kind is AgendaItemKind.NOTES for i in later.items)
    assert service.pinned_to(later) == [note]
    with pytest.raises(service.NoteError, match="already"):
        service.pin_to_meeting(member, note, later)
    with pytest.raises(service.NotAllowed):
        service.pin_to_meeting(champion, note, later)


# --- over HTTP ----------------------------------------------------------------------------------


def test_champion_cannot_publish_own_note_over_http(app, make_user):
    make_user("champion")
    client = app.test_client()
    login(client, "champion@example.invalid")
    token = csrf_for(client)
    response = client.post(
        "/notes/new",
        data={"csrf_token": token, "title": "T", "summary": "S", "body": "B"},
    )
    note_url = response.headers["Location"]
    client.post(f"{note_url}/submit", data={"csrf_token": token})
    assert client.post(f"{note_url}/publish", data={"csrf_token": token}).status_code == 403
    page = client.get(note_url).get_data(as_text=True)
    assert "Submitted for review" in page and 'id="publish-note"' not in page


def test_pin_form_on_the_note_page(app, make_user):
    """The meeting to pin a published note into is a GOV.UK select rendered from PinForm; an
    unknown meeting is refused with nothing pinned; a listed one is pinned."""
    with app.app_context():
        champion = db.session.get(User, make_user("champion"))
        member = db.session.get(User, make_user("member"))
        note = service.create(champion, note_input())
        service.submit(champion, note)
        service.publish(member, note)
        today = note.first_published_at.date()
        meeting = meetings.create_meeting(
            member,
            "Pin <here>",
            date(2027, 1, 9),
            today + date.resolution * 2,
            today + date.resolution * 90,
        )
        meetings.create_meeting(
            member,
            "An earlier one",
            date(2026, 12, 9),
            today + date.resolution * 2,
            today + date.resolution * 90,
        )
        db.session.commit()
        note_id, meeting_id = note.id, meeting.id
    client = app.test_client()
    login(client, "member@example.invalid")
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    select_html = re.search(
        r'<select class="govuk-select" id="pin-meeting".*?</select>', page, re.S
    )
    assert select_html and 'name="meeting_id"' in select_html.group(0)
    # No option is marked selected, so the first listed (the newest meeting) is the default.
    assert "selected" not in select_html.group(0)
    assert select_html.group(0).index("Pin &lt;here&gt;") < select_html.group(0).index("earlier")
    assert re.search(
        r'<label class="govuk-label" for="pin-meeting">\s*Pin into the agenda of', page
    )
    assert re.search(
        rf'<option value="{meeting_id}"[^>]*>Pin &lt;here&gt; \(9 January 2027\)</option>',
        select_html.group(0),
    )
    token = csrf_for(client)
    refused = client.post(
        f"/notes/{note_id}/pin", data={"csrf_token": token, "meeting_id": "99999999"}
    )
    assert refused.status_code == 303
    assert "Choose a meeting" in client.get(f"/notes/{note_id}").get_data(as_text=True)
    pinned = client.post(
        f"/notes/{note_id}/pin",
        data={"csrf_token": token, "meeting_id": str(meeting_id)},
        follow_redirects=True,
    )
    assert "Pinned into the agenda of Pin &lt;here&gt;" in pinned.get_data(as_text=True)
    with app.app_context():
        assert [n.id for n in service.pinned_to(db.session.get(Meeting, meeting_id))] == [note_id]


def test_champions_see_only_their_own_notes(app, make_user):
    with app.app_context():
        author = db.session.get(User, make_user("champion"))
        note = service.create(author, note_input())
        db.session.commit()
        note_id = note.id
        db.session.commit()
    make_user("champion", "second@example.invalid")
    client = app.test_client()
    login(client, "second@example.invalid")
    assert client.get(f"/notes/{note_id}").status_code == 403
    assert client.get(f"/notes/{note_id}/edit").status_code == 403
    assert "Foodbank points" not in client.get("/notes").get_data(as_text=True)


def test_note_form_errors_keep_input(app, make_user):
    make_user("champion")
    client = app.test_client()
    login(client, "champion@example.invalid")
    token = csrf_for(client)
    response = client.post(
        "/notes/new",
        data={"csrf_token": token, "title": "", "summary": "Kept summary", "body": "<b>x</b>"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a title" in html and "Kept summary" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_public_pages(app, make_user):
    with app.app_context():
        champion = db.session.get(User, make_user("champion"))
        member = db.session.get(User, make_user("member"))
        note = service.create(champion, note_input(body="Hello <script>alert(1)</script> world"))
        service.submit(champion, note)
        service.publish(member, note)
        slug = note.slug
        draft = service.create(champion, note_input(title="Secret draft")).slug
        db.session.commit()
    client = app.test_client()
    page = client.get(f"/best-practice/{slug}").get_data(as_text=True)
    assert "Foodbank points that staff look after" in page and "<script>alert" not in page
    assert client.get(f"/best-practice/{draft}").status_code == 404
    assert client.get(f"/best-practice/{slug}/versions/1").status_code == 200
    assert client.get(f"/best-practice/{slug}/versions/9").status_code == 404
    library = client.get("/best-practice?q=hello").get_data(as_text=True)
    assert "Foodbank points that staff look after" in library and "Secret draft" not in library
    # The search box and filters come from LibraryFilterForm (GOV.UK input and selects),
    # showing what was asked for.
    asked = client.get(
        "/best-practice", query_string={"q": "  hello ", "commitment": "foodbank-collection-points"}
    ).get_data(as_text=True)
    assert re.search(
        r'<input class="govuk-input" id="q" name="q" type="search" value="hello"', asked
    )
    chosen = re.search(
        r'<select class="govuk-select[^"]*" id="filter-commitment".*?</select>', asked, re.S
    )
    assert re.findall(r'<option value="([^"]*)" selected>', chosen.group(0)) == [
        "foodbank-collection-points"
    ]
    assert 'id="filter-role"' in asked and 'id="filter-theme"' in asked
    assert "Foodbank points that staff look after" in asked
    elsewhere = client.get("/best-practice?commitment=no-such-commitment").get_data(as_text=True)
    assert "Foodbank points that staff look after" not in elsewhere
    commitment_page = client.get("/commitments/foodbank-collection-points").get_data(as_text=True)
    assert f'/best-practice/{slug}"' in commitment_page
