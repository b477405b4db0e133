"""The feedback confirmation and the POST before it, made cheaper (issue 17), stay what they were.

- The confirmation page is kept per state (reference shown or not, link shown now or already,
  equality questions offered or not) and served with this submission's reference and private
  link, escaped as Jinja escapes them: byte for byte plain rendering's (form token aside).
- The equality questions are offered from the session (the token's expiry travels with it), not
  a query: an answered or expired offer is gone on the next page.
- A posted general form looks up only the commitment chosen; the list of commitments is read
  only to show the form again, and a commitment retired a moment ago is refused at once.
"""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, update

from portal.core.fragments import FragmentCache
from portal.extensions import db
from portal.models import Commitment, Feedback
from portal.privacy import service as privacy_service
from portal.privacy.models import EqualityToken
from portal.public import pagecache
from portal.public.service import NewFeedback, submit_feedback
from tests.conftest import hidden_fields, submit, valid_answers
from tests.test_public_fast_path import blank_tokens, slugs

CONFIRMATION = "/feedback/confirmation"


def fast_and_plain(client: FlaskClient, plain) -> tuple[str, str]:
    """The confirmation from the same session state, once each way."""
    with client.session_transaction() as session:
        saved = dict(session)
    fast = client.get(CONFIRMATION)
    with client.session_transaction() as session:
        session.clear()
        session.update(saved)
    slow = plain(lambda: client.get(CONFIRMATION))
    assert fast.status_code == slow.status_code == 200
    return fast.get_data(as_text=True), slow.get_data(as_text=True)


def page_cache(app: Flask) -> FragmentCache:
    with app.test_request_context():
        return pagecache._cache()


def references(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Feedback.reference).order_by(Feedback.id)))


def test_every_confirmation_state_is_the_same_kept_and_plain(app, client, plain):
    cache = page_cache(app)
    pages = []
    # 1. Just sent: the reference, the private link (once), the equality questions offered.
    assert submit(client, "/feedback").status_code == 303
    fast, slow = fast_and_plain(client, plain)
    [reference] = references(app)
    assert reference in fast and 'id="tracking-link"' in fast and "/feedback/equality" in fast
    pages.append((fast, slow))
    # 2. Seen again: the link is not shown twice (the session remembers it was shown).
    pages.append(fast_and_plain(client, plain))
    assert 'id="tracking-link"' not in pages[-1][0] and "shown once" in pages[-1][0]
    # 3. The same form sent again after its confirmation was lost: "we already had this".
    other = app.test_client()
    page = other.get("/feedback").get_data(as_text=True)
    form = hidden_fields(page) | valid_answers(body="Sent twice from the lift at Bootle station")
    assert other.post("/feedback", data=form).status_code == 303
    with other.session_transaction() as session:  # as if the confirmation was never seen
        for name in ("confirmation", "equality", "equality_until"):
            session.pop(name)
    assert other.post("/feedback", data=form).status_code == 303
    pages.append(fast_and_plain(other, plain))
    assert "We already had this feedback" in pages[-1][0]
    # 4. A bot filling the honeypot: no reference at all.
    bot = app.test_client()
    assert submit(bot, "/feedback", website="https://spam.example").status_code == 303
    pages.append(fast_and_plain(bot, plain))
    assert 'id="reference"' not in pages[-1][0]
    for fast, slow in pages:
        assert blank_tokens(fast) == blank_tokens(slow)
    assert cache.hits >= 1  # the kept pages were used, not only rendered


def test_a_kept_confirmation_shows_each_submission_its_own_reference_and_link(app, client):
    cache = page_cache(app)
    assert submit(client, "/feedback").status_code == 303
    first = client.get(CONFIRMATION).get_data(as_text=True)
    second_client = app.test_client()
    sent = submit(second_client, "/feedback", body="A second view of the lift at Bootle")
    assert sent.status_code == 303
    hits = cache.hits
    second = second_client.get(CONFIRMATION).get_data(as_text=True)
    assert cache.hits == hits + 1  # the second was served from the kept page
    one, two = references(app)
    assert one in first and two not in first
    assert two in second and one not in second
    link = 'id="tracking-link" href="'
    assert first.split(link)[1].split('"')[0] != second.split(link)[1].split('"')[0]
    # Each private link is the one of its own item, and is shown only once.
    for page, reference in ((first, one), (second, two)):
        token = page.split(link)[1].split('"')[0].split("/track/")[1]
        assert reference in client.get(f"/track/{token}").get_data(as_text=True)
    assert link not in second_client.get(CONFIRMATION).get_data(as_text=True)


def test_values_are_escaped_in_a_kept_confirmation_as_jinja_escapes_them(
    app, client, plain, monkeypatch
):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", 'https://portal.example/a&b"<x>')
    assert submit(client, "/feedback").status_code == 303
    fast, slow = fast_and_plain(client, plain)
    assert "https://portal.example/a&amp;b&#34;&lt;x&gt;/track/" in fast
    assert "<x>" not in fast
    assert blank_tokens(fast) == blank_tokens(slow)
    # Served from the kept page (a second submission), still escaped.
    again = app.test_client()
    sent = submit(again, "/feedback", body="A second view of the lift at Bootle")
    assert sent.status_code == 303
    kept, slow = fast_and_plain(again, plain)
    assert "https://portal.example/a&amp;b&#34;&lt;x&gt;/track/" in kept
    assert blank_tokens(kept) == blank_tokens(slow)


def test_signed_in_staff_and_flashed_messages_get_a_plainly_rendered_confirmation(
    app, client, staff_client
):
    cache = page_cache(app)
    member = staff_client("member")
    assert submit(member, "/feedback").status_code == 303
    hits, misses = cache.hits, cache.misses
    page = member.get(CONFIRMATION).get_data(as_text=True)
    assert "Sign out" in page and (cache.hits, cache.misses) == (hits, misses)
    assert submit(client, "/feedback").status_code == 303
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "A flashed message for this visitor")]
    hits, misses = cache.hits, cache.misses
    page = client.get(CONFIRMATION).get_data(as_text=True)
    assert "A flashed message for this visitor" in page
    assert (cache.hits, cache.misses) == (hits, misses)


def test_answered_equality_questions_are_not_offered_again(client):
    assert submit(client, "/feedback").status_code == 303
    assert "/feedback/equality" in client.get(CONFIRMATION).get_data(as_text=True)
    token = hidden_fields(client.get("/feedback/equality").get_data(as_text=True))["csrf_token"]
    answered = client.post("/feedback/equality", data={"csrf_token": token, "age_band": "25 to 34"})
    assert answered.status_code == 303
    assert "/feedback/equality" not in client.get(CONFIRMATION).get_data(as_text=True)


def test_expired_equality_questions_are_not_offered(client, monkeypatch):
    assert submit(client, "/feedback").status_code == 303
    assert "/feedback/equality" in client.get(CONFIRMATION).get_data(as_text=True)
    later = time.time() + 25 * 3600  # the token lasts 24 hours
    monkeypatch.setattr("portal.public.views.time.time", lambda: later)
    assert "/feedback/equality" not in client.get(CONFIRMATION).get_data(as_text=True)


def test_a_tampered_equality_offer_is_not_shown(client):
    assert submit(client, "/feedback").status_code == 303
    with client.session_transaction() as session:
        session["equality"] = "not-a-sealed-token"
    assert "/feedback/equality" not in client.get(CONFIRMATION).get_data(as_text=True)


def test_a_posted_form_reads_no_list_of_commitments(app, client):
    page = client.get("/feedback").get_data(as_text=True)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", note)
    try:
        sent = client.post("/feedback", data=hidden_fields(page) | valid_answers())
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert sent.status_code == 303
    assert not [s for s in statements if "FROM commitments" in s]


def test_a_chosen_commitment_is_stored_and_a_retired_one_refused_at_once(app, client):
    slug = slugs(app)[0]
    assert submit(client, "/feedback", commitment=slug).status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Feedback).order_by(Feedback.id.desc()))
        assert stored.commitment.slug == slug
    page = client.get("/feedback").get_data(as_text=True)  # shown while still in use
    with app.app_context():
        db.session.execute(update(Commitment).where(Commitment.slug == slug).values(active=False))
        db.session.commit()
    refused = client.post("/feedback", data=hidden_fields(page) | valid_answers(commitment=slug))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Choose a commitment from the list" in html
    # The form is shown again with the commitments in use to choose from, and nothing stored.
    assert (
        f'value="{slugs(app)[0]}"' in html
        and f'value="{slug}"' not in html.split('name="commitment"')[1].split("</select>")[0]
    )
    assert len(references(app)) == 1


def test_the_equality_token_is_written_with_a_new_item_only(app):
    data = NewFeedback(body="Lift at Bootle", stakeholder_type="other", submission_key="k-eq-1")
    with app.app_context():
        first = submit_feedback(data, offer_equality=True)
        assert first.equality_token
        db.session.rollback()  # the view's commit never happens: neither is stored
        assert db.session.scalar(select(func.count()).select_from(EqualityToken)) == 0
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0
        first = submit_feedback(data, offer_equality=True)
        db.session.commit()
        again = submit_feedback(data, offer_equality=True)  # the same form sent twice
        db.session.commit()
        assert again.duplicate and again.equality_token is None
        assert again.feedback.id == first.feedback.id
        assert db.session.scalar(select(func.count()).select_from(EqualityToken)) == 1
        assert privacy_service.equality_token_valid(first.equality_token)
