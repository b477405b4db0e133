"""Triage: workflow, tagging, bulk actions, codeframe, audit trail, search, similar items, inbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import Markup
from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.models import (
    AuditEntry,
    Channel,
    Code,
    Feedback,
    FeedbackStatus,
    InternalNote,
    Priority,
    Role,
    Sentiment,
    Theme,
    User,
)
from portal.public.service import NewFeedback, submit_feedback
from portal.search import fulltext as search
from portal.triage import inbox, service

from . import factories
from .conftest import csrf_for, hidden_fields

S = FeedbackStatus


@pytest.fixture
def member(app_ctx, make_user) -> User:
    return db.session.get(User, make_user("member"))


# --- workflow ------------------------------------------------------------------------------

ALLOWED = [
    (S.NEW, S.IN_REVIEW),
    (S.IN_REVIEW, S.REFERRED),
    (S.IN_REVIEW, S.ACTIONED),
    (S.REFERRED, S.ACTIONED),
    (S.REFERRED, S.CLOSED),
    (S.ACTIONED, S.CLOSED),
    (S.CLOSED, S.IN_REVIEW),
    (S.SPAM, S.NEW),
    (S.DUPLICATE, S.NEW),
] + [(s, t) for s in (S.NEW, S.IN_REVIEW, S.REFERRED, S.ACTIONED) for t in (S.SPAM, S.DUPLICATE)]


def test_every_transition_allowed_or_refused(member):
    original = factories.feedback("The original item")
    for current in S:
        for new in S:
            item = factories.feedback(f"Item going from {current} to {new}")
            item.status = current
            db.session.commit()
            allowed = (current, new) in ALLOWED
            assert service.can_transition(current, new) is allowed
            if allowed:
                service.change_status(item, member, new, duplicate_of=original)
                assert item.status is new
            else:
                with pytest.raises(service.TriageError, match="cannot move from"):
                    service.change_status(item, member, new, duplicate_of=original)
                db.session.refresh(item)
                assert item.status is current


def test_duplicate_needs_an_original_other_than_itself(member):
    item = factories.feedback("One")
    with pytest.raises(service.TriageError, match="reference of the original"):
        service.change_status(item, member, S.DUPLICATE)
    with pytest.raises(service.TriageError, match="itself"):
        service.change_status(item, member, S.DUPLICATE, duplicate_of=item)
    original = factories.feedback("Two")
    service.change_status(item, member, S.DUPLICATE, duplicate_of=original)
    db.session.commit()  # services never commit: the caller (a view) does
    assert item.duplicate_of_id == original.id
    with pytest.raises(service.TriageError, match="already a duplicate"):
        service.change_status(original, member, S.DUPLICATE, duplicate_of=item)
    service.change_status(item, member, S.NEW)  # restoring unlinks it
    db.session.commit()
    assert item.duplicate_of_id is None


def test_invalid_transition_over_http_is_refused_with_a_message(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback().reference
    token = csrf_for(client)
    response = client.post(
        f"/triage/{reference}/status", data={"csrf_token": token, "status": "closed"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{reference} cannot move from New to Closed" in page
    with app.app_context():
        assert db.session.scalar(select(Feedback.status)) is S.NEW


# --- item actions and audit trail -------------------------------------------------------------


def test_tags_assessment_assignment_notes_reply_are_audited(member):
    item = factories.feedback()
    role = db.session.scalar(select(Role).where(Role.slug == "employer"))
    theme = db.session.scalar(select(Theme).where(Theme.slug == "fairer"))
    code = service.create_code(member, "Personal safety at stations")
    service.set_tags(item, member, [role.id], [theme.id], [code.id])
    service.set_assessment(item, member, Sentiment.NEGATIVE, Priority.HIGH)
    service.assign(item, member, member)
    service.add_note(item, member, "Called the station manager")
    service.set_public_reply(item, member, "We have trained staff at the station.")
    service.change_status(item, member, S.IN_REVIEW)
    fields = [(e.field, e.before, e.after) for e in audit.history("feedback", item.id)]
    assert ("roles", None, "Employer") in fields
    assert ("themes", None, "Fairer") in fields
    assert ("codes", None, "Personal safety at stations") in fields
    assert ("sentiment", None, "negative") in fields
    assert ("priority", "normal", "high") in fields
    assert ("assignee", None, "member@example.invalid") in fields
    assert ("public_reply", None, "We have trained staff at the station.") in fields
    assert ("status", "new", "in_review") in fields
    assert any(f == "internal_note" for f, _, _ in fields)
    entries = audit.history("feedback", item.id)
    assert all(e.actor_id == member.id and e.at is not None for e in entries)
    # Saving the same values again records nothing new.
    count = len(entries)
    service.set_tags(item, member, [role.id], [theme.id], [code.id])
    service.set_assessment(item, member, Sentiment.NEGATIVE, Priority.HIGH)
    assert len(audit.history("feedback", item.id)) == count


def test_note_and_reply_validation(member):
    item = factories.feedback()
    with pytest.raises(service.TriageError, match="Enter a note"):
        service.add_note(item, member, "   ")
    with pytest.raises(service.TriageError, match="5,000"):
        service.set_public_reply(item, member, "x" * 5001)
    assert db.session.scalar(select(func.count()).select_from(InternalNote)) == 0


def test_assign_only_to_members(member, make_user):
    champion = db.session.get(User, make_user("champion"))
    with pytest.raises(service.TriageError):
        service.assign(factories.feedback(), member, champion)


def test_item_page_shows_contact_details_only_when_given(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        with_contact = submit_feedback(
            NewFeedback(
                body="Please call me back about this",
                stakeholder_type="resident",
                consent_to_contact=True,
                email="caller@example.com",
                name="A Caller",
            )
        ).feedback.reference
        without = factories.feedback().reference
    assert "caller@example.com" in client.get(f"/triage/{with_contact}").get_data(as_text=True)
    assert "Contact details</h2>" not in client.get(f"/triage/{without}").get_data(as_text=True)


def test_public_reply_reaches_the_tracking_page_and_notes_never_do(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        submission = submit_feedback(
            NewFeedback(body="Add step-free access at Hunts Cross", stakeholder_type="passenger")
        )
        reference, token = submission.feedback.reference, submission.token
        db.session.commit()
    csrf = csrf_for(client)
    client.post(f"/triage/{reference}/notes", data={"csrf_token": csrf, "body": "SECRET NOTE"})
    client.post(
        f"/triage/{reference}/reply", data={"csrf_token": csrf, "reply": "Lifts are planned."}
    )
    public = app.test_client().get(f"/track/{token}").get_data(as_text=True)
    assert "Lifts are planned." in public
    assert "SECRET NOTE" not in public


def test_unknown_item_is_404(staff_client):
    assert staff_client("member").get("/triage/SVF-NOPE234").status_code == 404


# --- bulk actions ------------------------------------------------------------------------------


def test_triage_services_never_commit(member):
    """Every triage rule leaves the commit to its caller: rolled back, nothing of it is kept
    (neither the change nor its audit entry)."""
    item, original = factories.feedback("An item to change"), factories.feedback("The original")
    lifts = service.create_code(member, "Lifts")
    db.session.commit()
    ids = (item.id, original.id, lifts.id)
    audited = db.session.scalar(select(func.count()).select_from(AuditEntry))
    code_names = sorted(db.session.scalars(select(Code.name)))
    changes = [
        lambda i, o, c: service.set_tags(i, member, [], [], [c.id]),
        lambda i, o, c: service.set_assessment(i, member, Sentiment.NEGATIVE, Priority.HIGH),
        lambda i, o, c: service.assign(i, member, member),
        lambda i, o, c: service.change_status(i, member, S.DUPLICATE, duplicate_of=o),
        lambda i, o, c: service.add_note(i, member, "A note"),
        lambda i, o, c: service.set_public_reply(i, member, "A reply"),
        lambda i, o, c: service.create_code(member, "Ramps"),
        lambda i, o, c: service.rename_code(member, c, "Elevators"),
        lambda i, o, c: service.merge_codes(member, c, service.create_code(member, "Steps")),
        lambda i, o, c: service.set_code_retired(member, c, True),
        lambda i, o, c: service.bulk_add_code([i, o], member, c),
        lambda i, o, c: service.bulk_status([i, o], member, S.IN_REVIEW),
        lambda i, o, c: service.bulk_assign([i, o], member, member),
    ]
    for change in changes:
        change(
            *(
                db.session.get(model, id_)
                for model, id_ in zip((Feedback, Feedback, Code), ids, strict=True)
            )
        )
        db.session.rollback()
        db.session.expire_all()
        fresh = db.session.get(Feedback, item.id)
        assert (fresh.status, fresh.assignee_id, fresh.codes, fresh.public_reply) == (
            S.NEW,
            None,
            [],
            None,
        )
        assert fresh.sentiment is None and fresh.duplicate_of_id is None
        assert db.session.scalar(select(func.count()).select_from(InternalNote)) == 0
        assert sorted(db.session.scalars(select(Code.name))) == code_names
        assert not db.session.get(Code, lifts.id).retired
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audited


def test_bulk_actions_service(member):
    items = [factories.feedback(f"Bulk item number {n}") for n in range(3)]
    code = service.create_code(member, "Procurement weighting (bulk test)")
    assert service.bulk_add_code(items, member, code).changed == 3
    assert service.bulk_add_code(items, member, code).changed == 0  # already tagged
    result = service.bulk_status(items, member, S.IN_REVIEW)
    assert result.changed == 3
    closed = service.bulk_status(items, member, S.CLOSED)
    assert closed.changed == 0 and len(closed.refused) == 3
    assert service.bulk_assign(items, member, member).changed == 3
    original = factories.feedback("Original")
    assert service.bulk_status(items, member, S.DUPLICATE, original).changed == 3
    db.session.commit()
    assert all(i.duplicate_of_id == original.id for i in items)


def _bulk(client, ids, **data):
    token = csrf_for(client)
    payload = {"csrf_token": token, "ids": [str(i) for i in ids], "return_to": "/triage"}
    payload.update(data)
    return payload


def test_bulk_plain_form_redirects_back(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        ids = [factories.feedback(f"Plain bulk {n}").id for n in range(2)]
    response = client.post(
        "/triage/bulk", data=_bulk(client, ids, action="status", status="in_review")
    )
    assert response.status_code == 303 and response.headers["Location"] == "/triage"
    assert "2 items updated" in client.get("/triage").get_data(as_text=True)
    with app.app_context():
        assert set(db.session.scalars(select(Feedback.status))) == {S.IN_REVIEW}


def test_bulk_htmx_returns_the_results_block(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        ids = [factories.feedback(f"Htmx bulk {n}").id for n in range(2)]
        member_id = db.session.scalar(select(User.id))
    response = client.post(
        "/triage/bulk",
        data=_bulk(client, ids, action="assign", assignee=str(member_id)),
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "2 items updated" in html and "<html" not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "status", "status": "bogus"}, "Choose a status"),
        ({"action": "code", "code_id": "999999"}, "Choose a code"),
        ({"action": "duplicate", "duplicate_of": "SVF-NOTHERE"}, "existing item"),
        ({"action": "explode"}, "Choose an action"),
        ({"action": "assign", "assignee": "999999"}, "Choose a member"),
    ],
)
def test_bulk_bad_input_gets_a_message_and_changes_nothing(app, staff_client, data, message):
    client = staff_client("member")
    with app.app_context():
        ids = [factories.feedback("Unchanged item").id]
        audited = db.session.scalar(select(func.count()).select_from(AuditEntry))
    client.post("/triage/bulk", data=_bulk(client, ids, **data))
    assert message in client.get("/triage").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Feedback.status)) is S.NEW
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audited


def test_bulk_with_nothing_selected(staff_client):
    client = staff_client("member")
    client.post("/triage/bulk", data=_bulk(client, [], action="status", status="in_review"))
    assert "Select at least one item" in client.get("/triage").get_data(as_text=True)


def test_bulk_return_to_must_be_local(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        ids = [factories.feedback().id]
    data = _bulk(client, ids, action="status", status="in_review")
    data["return_to"] = "https://evil.example/"
    assert client.post("/triage/bulk", data=data).headers["Location"] == "/triage"


# --- codeframe ---------------------------------------------------------------------------------


def test_codes_create_rename_merge_retire(member):
    parent = service.create_code(member, "Stations")
    safety = service.create_code(member, "Personal safety", parent)
    lighting = service.create_code(member, "Lighting")
    child = service.create_code(member, "Car park lighting", lighting)
    with pytest.raises(service.TriageError, match="already exists"):
        service.create_code(member, "personal SAFETY")
    with pytest.raises(service.TriageError, match="Enter a name"):
        service.create_code(member, "  ")
    service.rename_code(member, safety, "Personal safety at stations")
    items = [factories.feedback(f"Dark platform {n}") for n in range(3)]
    service.set_tags(items[0], member, [], [], [safety.id, lighting.id])
    service.set_tags(items[1], member, [], [], [lighting.id])
    moved = service.merge_codes(member, lighting, safety)
    assert moved == 2
    for item in items[:2]:
        db.session.refresh(item)
        assert [c.name for c in item.codes] == ["Personal safety at stations"]
    db.session.refresh(lighting)
    assert lighting.retired and lighting.merged_into_id == safety.id
    db.session.refresh(child)
    assert child.parent_id == safety.id
    merges = [e for e in audit.history("code", lighting.id) if e.action == "merge"]
    assert merges and merges[0].after == "Personal safety at stations"
    with pytest.raises(service.TriageError):
        service.merge_codes(member, safety, safety)
    with pytest.raises(service.TriageError, match="in use"):
        service.merge_codes(member, safety, lighting)
    service.set_code_retired(member, parent, True)
    assert parent not in service.active_codes()


def test_codeframe_pages(app, staff_client):
    client = staff_client("member")
    token = csrf_for(client)
    client.post("/admin/codes", data={"csrf_token": token, "name": "Step-free access"})
    page = client.get("/admin/codes").get_data(as_text=True)
    assert "Step-free access" in page and "created" in page
    client.post("/admin/codes", data={"csrf_token": token, "name": "step-free ACCESS"})
    assert "already exists" in client.get("/admin/codes").get_data(as_text=True)


def test_inline_code_creation_tags_the_item(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback().reference
    token = csrf_for(client)
    client.post(f"/triage/{reference}/codes", data={"csrf_token": token, "name": "Toilets"})
    with app.app_context():
        item = service.get_item(reference)
        assert [c.name for c in item.codes] == ["Toilets"]


# --- search, inbox, paging -------------------------------------------------------------------


def test_search_lists_matches_newest_first(member):
    older = factories.feedback(
        "Buses are late. The foodbank collection point at Lime Street is great."
    )
    newer = factories.feedback("Foodbank foodbank foodbank: more foodbank collection points please")
    factories.feedback("Nothing to do with food at all, just trains")
    page = service.inbox_page(service.InboxFilters(q=search.parse("foodbank")), member)
    assert [r.item.id for r in page.rows] == [newer.id, older.id]


def test_phrase_search_needs_the_words_together(member):
    together = factories.feedback("The safe space at Moorfields was staffed and welcoming")
    factories.feedback("The space was not safe at night")
    page = service.inbox_page(service.InboxFilters(q=search.parse('"safe space"')), member)
    assert [r.item.id for r in page.rows] == [together.id]


def test_search_stems_words(member):
    item = factories.feedback("Stations need more staff in the evenings")
    page = service.inbox_page(service.InboxFilters(q=search.parse("station")), member)
    assert [r.item.id for r in page.rows] == [item.id]


def test_search_is_kept_in_sync_on_update_and_delete(member):
    item = factories.feedback("Originally about ferries")
    item.body = "Now about tunnels instead"
    db.session.commit()

    def find(word):
        return service.inbox_page(  # noqa: E731
            service.InboxFilters(q=search.parse(word)), member
        ).rows

    assert not find("ferries")
    assert [r.item.id for r in find("tunnels")] == [item.id]
    db.session.delete(item)
    db.session.commit()
    assert not find("tunnels")


@pytest.mark.parametrize(
    "hostile", ['"', "foo AND", "NEAR(", "a:b", "*", "-x", "'; DROP TABLE feedback; --", "((("]
)
def test_search_syntax_in_user_input_is_harmless(member, hostile):
    factories.feedback("Some ordinary words")
    service.inbox_page(service.InboxFilters(q=search.parse(hostile)), member)
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1


def test_highlight_escapes_and_marks():
    excerpt = search.highlight("<script>x</script> the Foodbank point", search.parse("foodbank"))
    assert "<script>" not in excerpt
    assert "&lt;script&gt;" in excerpt
    assert "<mark>Foodbank</mark>" in excerpt


def test_highlight_marks_every_word_longest_first_around_the_first_match():
    body = "x" * 300 + " a <b>bus</b> & buses at the bus station " + "y " * 200
    excerpt = search.highlight(body, search.parse("bus buses station"))
    assert isinstance(excerpt, Markup)
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert (
        "&lt;b&gt;<mark>bus</mark>&lt;/b&gt; &amp; <mark>buses</mark> at the <mark>bus</mark> "
        "<mark>station</mark>"
    ) in excerpt
    # A word that is only inside an escaped character is not marked ("amp" of "&amp;").
    assert "<mark>" not in search.highlight("fish & chips", search.parse("amp"))
    # No words: the start of the text, escaped.
    assert search.highlight("<i>hi</i>", search.parse("")) == "&lt;i&gt;hi&lt;/i&gt;"


def test_keyset_pagination_walks_every_item_once(member):
    base = datetime(2026, 1, 1, tzinfo=UTC)
    made = [
        factories.feedback(f"Paged item {n}", received_at=base + timedelta(hours=n % 7))
        for n in range(23)
    ]
    seen, cursor = [], None
    while True:
        page = service.inbox_page(service.InboxFilters(), member, cursor, limit=5)
        seen += [r.item.id for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(i.id for i in made)
    assert len(seen) == len(set(seen))
    keys = [(i.received_at, i.id) for i in (db.session.get(Feedback, x) for x in seen)]
    assert keys == sorted(keys, reverse=True)


def test_search_pagination_walks_every_match_once(member):
    made = [
        factories.feedback(f"Tunnel tolls {'tunnel ' * (n % 4)} comment {n}") for n in range(12)
    ]
    seen, cursor = [], None
    filters = service.InboxFilters(q=search.parse("tunnel"))
    while True:
        page = service.inbox_page(filters, member, cursor, limit=5)
        seen += [r.item.id for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(i.id for i in made)


def test_filters_combine(member, make_user):
    other = db.session.get(User, make_user("admin"))
    liverpool_email = factories.feedback(
        "Liverpool by email",
        locality="liverpool",
        channel=Channel.EMAIL,
        stakeholder_type="business",
    )
    factories.feedback("Wirral by web", locality="wirral")
    factories.feedback("Liverpool by web", locality="liverpool")
    service.assign(liverpool_email, member, other)
    filters = service.InboxFilters.from_args(
        {"locality": "liverpool", "channel": "email", "stakeholder_type": "business"}
    )
    rows = service.inbox_page(filters, member).rows
    assert [r.item.id for r in rows] == [liverpool_email.id]
    assert service.status_counts(filters, member)[S.NEW] == 1
    assigned = service.InboxFilters.from_args({"assignee": str(other.id)})
    assert len(service.inbox_page(assigned, member).rows) == 1
    unassigned = service.InboxFilters.from_args({"assignee": "none"})
    assert len(service.inbox_page(unassigned, member).rows) == 2
    mine = service.InboxFilters.from_args({"assignee": "me"})
    assert len(service.inbox_page(mine, other).rows) == 1


def test_filter_errors_are_reported_not_crashing(staff_client):
    client = staff_client("member")
    response = client.get("/triage?from=2026-13-45&status=bogus&to=2020-01-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Received from must be a real date, like 27 3 2026" in html
    assert "Choose a status from the list" in html


def test_date_range_includes_whole_days(member):
    inside = factories.feedback("Inside", received_at=datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))
    factories.feedback("Outside", received_at=datetime(2026, 4, 1, 0, 0, 0, tzinfo=UTC))
    filters = service.InboxFilters.from_args({"from": "2026-03-01", "to": "2026-03-31"})
    assert [r.item.id for r in service.inbox_page(filters, member).rows] == [inside.id]


def test_inbox_htmx_returns_only_results_and_varies(staff_client, app):
    client = staff_client("member")
    with app.app_context():
        factories.feedback("Htmx inbox item about ferries")
    full = client.get("/triage?q=ferries")
    partial = client.get("/triage?q=ferries", headers={"HX-Request": "true"})
    assert "HX-Request" in partial.headers["Vary"] and "HX-Request" in full.headers["Vary"]
    html = partial.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert "<mark>ferries</mark>" in html
    assert "<html" in full.get_data(as_text=True)


def test_inbox_next_link_and_status_tabs(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        for n in range(55):
            factories.feedback(f"Item {n} for paging")
    html = client.get("/triage").get_data(as_text=True)
    assert html.count('name="ids"') == 50
    assert "New (55)" in html
    link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert second.count('name="ids"') == 5
    assert 'rel="next"' not in second


def test_neighbours_follow_the_filter(member):
    base = datetime(2026, 5, 1, tzinfo=UTC)
    a = factories.feedback("Oldest liverpool", locality="liverpool", received_at=base)
    factories.feedback("Middle wirral", locality="wirral", received_at=base + timedelta(hours=1))
    c = factories.feedback(
        "Newest liverpool", locality="liverpool", received_at=base + timedelta(hours=2)
    )
    filters = service.InboxFilters.from_args({"locality": "liverpool"})
    assert service.neighbours(a, filters, member) == (c.reference, None)
    assert service.neighbours(c, filters, member) == (None, a.reference)


def test_page_of_rows_uses_a_fixed_number_of_queries(app, member):
    from sqlalchemy import event

    code = service.create_code(member, "Counted")
    for n in range(30):
        item = factories.feedback(f"Query count item {n}")
        service.set_tags(item, member, [], [], [code.id])
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        service.inbox_page(service.InboxFilters(), member)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 6  # rows + one per tag kind + assignees, never one per row


# --- similar items ------------------------------------------------------------------------------


CAMPAIGN = (
    "We the undersigned ask the Combined Authority to put a staffed Safe Space in every travel "
    "centre on the Wirral, open until the last train, with trained staff who can signpost help."
)


def test_similar_items_find_campaign_copies_not_unrelated(member):
    first = factories.feedback(CAMPAIGN)
    copy = factories.feedback("Hello. " + CAMPAIGN + " Thanks")
    near = factories.feedback(CAMPAIGN.replace("Wirral", "Sefton"))
    factories.feedback("The ferry timetable changed and nobody told us about it at Seacombe")
    found = service.similar_items(first)
    assert {s.item.id for s in found} == {copy.id, near.id}
    assert all(s.score >= 0.3 for s in found)
    assert service.similarity(CAMPAIGN, CAMPAIGN) == 1.0


def test_mark_similar_as_duplicate_over_http(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        original = factories.feedback(CAMPAIGN).reference
        copy = factories.feedback(CAMPAIGN + " Please!").reference
    page = client.get(f"/triage/{copy}").get_data(as_text=True)
    assert original in page and "Mark as duplicate" in page
    token = csrf_for(client)
    client.post(
        f"/triage/{copy}/status",
        data={"csrf_token": token, "status": "duplicate", "duplicate_of": original},
    )
    with app.app_context():
        item = service.get_item(copy)
        assert item.status is S.DUPLICATE and item.duplicate_of.reference == original


# --- staff-recorded feedback ------------------------------------------------------------------


def test_staff_record_phone_feedback_with_received_date(app, staff_client):
    client = staff_client("member")
    page = client.get("/triage/new").get_data(as_text=True)
    data = hidden_fields(page) | {
        "channel": "phone",
        "received_on": ["3", "11", "2026"],
        "body": "Caller said the lift at Bootle Oriel Road was out of order for a week.",
        "stakeholder_type": "passenger",
    }
    response = client.post("/triage/new", data=data)
    assert response.status_code == 303
    with app.app_context():
        item = db.session.scalar(select(Feedback))
        assert item.channel is Channel.PHONE
        assert item.received_at.date().isoformat() == "2026-11-03"
        assert audit.history("feedback", item.id)[0].action == "create"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": ""}, "Select how the feedback reached us"),
        ({"received_on": ["31", "2", "2026"]}, "The date received must be a real date"),
        ({"received_on": ["3", "", "2026"]}, "The date received must include a month"),
        ({"received_on": ["3", "11"]}, "Enter the date received as a day, month and year"),
        ({"received_on": []}, "Enter the date the feedback was received"),
        ({"received_on": ["3", "11", "2026", "2026"]}, "Enter the date received as a day"),
        ({"received_on": ["3", "11", "²⁰²⁶"]}, "The date received must be a real date"),
        ({"received_on": ["1", "1", "2099"]}, "today or in the past"),
        ({"body": "short"}, "Feedback must be 10 characters or more"),
    ],
)
def test_staff_record_bad_input(app, staff_client, changes, message):
    client = staff_client("member")
    page = client.get("/triage/new").get_data(as_text=True)
    data = hidden_fields(page) | {
        "channel": "email",
        "received_on": ["3", "11", "2026"],
        "body": "A complete and valid piece of feedback text.",
        "stakeholder_type": "resident",
    }
    data.update(changes)
    response = client.post("/triage/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_status_counts_kept_by_the_database_and_capped_when_filtered(member, monkeypatch):
    items = [
        factories.feedback(f"Counted item {n}", locality="wirral" if n % 2 else "halton")
        for n in range(6)
    ]
    counts = service.status_counts(service.InboxFilters(), member)
    assert counts[S.NEW] == 6 and counts.label() == "6"
    service.change_status(items[0], member, S.IN_REVIEW)
    db.session.delete(items[1])
    db.session.commit()
    counts = service.status_counts(service.InboxFilters(), member)
    assert (counts[S.NEW], counts[S.IN_REVIEW]) == (4, 1)
    # Filtered counts are exact below the cap and say "N+" above it.
    wirral = service.status_counts(service.InboxFilters.from_args({"locality": "wirral"}), member)
    assert wirral.label(S.NEW) == "2" and wirral.label(S.IN_REVIEW) == "0"
    monkeypatch.setattr(inbox, "COUNT_CAP", 1)
    wirral = service.status_counts(service.InboxFilters.from_args({"locality": "wirral"}), member)
    assert wirral[S.NEW] == 1 and wirral.label(S.NEW) == "1+" and wirral.label() == "1+"
    searched = service.status_counts(service.InboxFilters(q=search.parse("counted")), member)
    assert searched.label().endswith("+")


@pytest.mark.parametrize(
    ("path", "table"), [("/triage", "inbox"), ("/admin/audit", "audit")], ids=["inbox", "audit"]
)
def test_date_filters_are_govuk_date_inputs_and_old_links_work(app, staff_client, path, table):
    client = staff_client("admin")
    with app.app_context():
        factories.feedback("Inside the range", received_at=datetime(2026, 3, 31, 12, tzinfo=UTC))
        factories.feedback("Outside the range", received_at=datetime(2026, 4, 1, 12, tzinfo=UTC))
    page = client.get(path).get_data(as_text=True)
    assert 'type="date"' not in page
    for key in ("from", "to"):
        for part in ("day", "month", "year"):
            assert f'name="{key}-{part}"' in page
    parts = {"from-day": "1", "from-month": "3", "from-year": "2026"} | {
        "to-day": "31",
        "to-month": "3",
        "to-year": "2026",
    }
    by_parts = client.get(path, query_string=parts)
    # A link made before the date input: the same filter, its dates shown in the boxes.
    old = client.get(path, query_string={"from": "2026-03-01", "to": "2026-03-31"})
    assert by_parts.status_code == old.status_code == 200
    old_html = old.get_data(as_text=True).replace(' inputmode="numeric"', "")
    assert 'name="to-day" type="text" value="31"' in old_html
    assert 'name="to-year" type="text" value="2026"' in old_html
    if table == "inbox":
        for html in (by_parts.get_data(as_text=True), old_html):
            assert "Inside the range" in html and "Outside the range" not in html
    # Half a date: a GOV.UK message at the boxes, what was typed kept.
    half = client.get(path, query_string={"from-day": "31", "from-year": "2026"})
    html = half.get_data(as_text=True)
    assert half.status_code == 422
    assert "from must include a month" in html.replace("From", "from")
    assert 'value="31"' in html


# --- the item page's forms (WTForms classes rendered with govuk-frontend-wtf) ----------------


def test_item_page_forms_are_filled_from_the_item(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        role = db.session.scalars(select(Role).order_by(Role.position)).first()
        role_id = role.id
        original = factories.feedback(CAMPAIGN).reference
        item = factories.feedback(CAMPAIGN + " Please!", consent_to_quote=True)
        item.roles.append(role)
        item.sentiment = Sentiment.NEGATIVE
        item.priority = Priority.HIGH
        item.public_reply = "We have asked the operator <b>today</b>"
        db.session.commit()
        reference = item.reference
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    # Every box has the id NAME-VALUE, and the item's own values are ticked or chosen.
    assert re.search(
        rf'id="role_ids-{role_id}" name="role_ids" type="checkbox" value="{role_id}" checked', page
    )
    assert re.search(
        r'id="sentiment-negative" name="sentiment" type="radio" value="negative" checked', page
    )
    assert re.search(r'id="priority-high" name="priority" type="radio" value="high" checked', page)
    assert re.search(
        r'id="transport_mode-none" name="transport_mode" type="radio" value="none" checked', page
    )
    assert 'id="status-in_review" name="status" type="radio" value="in_review">' in page
    assert '<option value="none" selected>Nobody</option>' in page
    # The reply is in its box, escaped; the quote form asks to approve.
    assert "We have asked the operator &lt;b&gt;today&lt;/b&gt;</textarea>" in page
    assert '<input name="approve" type="hidden" value="yes">' in page
    # Hidden fields repeated in every form carry no id (ids are unique), and no empty hints.
    assert 'id="return_to"' not in page
    assert page.count(f'name="return_to" type="hidden" value="/triage/{reference}"') >= 8
    assert '<div id="status-hint" class="govuk-hint">' not in page
    # The similar item's button is markup, not text.
    assert f'Mark as duplicate<span class="govuk-visually-hidden"> of {original}</span>' in page


def test_item_page_refused_note_comes_back_in_its_box(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback().reference
    token = csrf_for(client, f"/triage/{reference}")
    typed = "x" * 5001
    response = client.post(f"/triage/{reference}/notes", data={"csrf_token": token, "body": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#note-body"' in page  # the error summary links to the box
    assert 'class="govuk-textarea govuk-textarea--error" id="note-body" name="body"' in page
    assert f">{typed}</textarea>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InternalNote)) == 0
