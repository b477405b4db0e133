"""The feedback submission path made cheaper (issue 17) stays what it was for the person.

- The empty general feedback form is kept per framework version and served with this request's
  form token and one-time key; it is byte for byte what plain rendering gives (tokens aside).
- A submission looks nothing up before its INSERT: the one-time key is unique in the database,
  so a second send of the same form inserts nothing (ON CONFLICT DO NOTHING) and finds the
  first item then.
- The item comes back as stored (enums, defaults) without a SELECT for its reference.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import Feedback, FeedbackStatus, OutboxMessage, StakeholderType
from portal.public.service import NewFeedback, submit_feedback
from tests.conftest import hidden_fields, valid_answers
from tests.test_public_fast_path import blank_tokens


def _count(app: Flask, model=Feedback) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_feedback_form_is_kept_and_the_same_as_plain_rendering(app, client, monkeypatch):
    first = client.get("/feedback")
    cache = app.extensions["public_page_cache"]
    hits = cache.hits
    kept = client.get("/feedback")
    assert cache.hits == hits + 1  # served from the kept page
    monkeypatch.setitem(app.config, "FRAGMENT_CACHE", False)
    plain = client.get("/feedback")
    assert first.status_code == kept.status_code == plain.status_code == 200
    expected = blank_tokens(plain.get_data(as_text=True))
    assert blank_tokens(first.get_data(as_text=True)) == expected
    assert blank_tokens(kept.get_data(as_text=True)) == expected
    keys = {hidden_fields(r.get_data(as_text=True))["submission_key"] for r in (first, kept, plain)}
    assert len(keys) == 3  # each page its own one-time key


def test_a_kept_form_s_tokens_store_the_feedback(app, client):
    client.get("/feedback")
    page = client.get("/feedback").get_data(as_text=True)  # the kept page
    assert app.extensions["public_page_cache"].hits >= 1
    response = client.post("/feedback", data=hidden_fields(page) | valid_answers())
    assert response.status_code == 303
    assert _count(app) == 1
    confirmation = client.get("/feedback/confirmation").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Feedback.reference)) in confirmation


def test_a_kept_form_with_a_wrong_token_stores_nothing(app, client):
    client.get("/feedback")
    fields = hidden_fields(client.get("/feedback").get_data(as_text=True))
    fields["csrf_token"] = "not-this-session-s-token"
    response = client.post("/feedback", data=fields | valid_answers())
    assert response.status_code == 400
    assert _count(app) == 0


def test_a_new_submission_runs_no_lookup_before_its_insert(app):
    with app.app_context():
        statements: list[str] = []

        def note(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement.lstrip().split()[0].upper())

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            submission = submit_feedback(
                NewFeedback(body="Lift at Bootle", stakeholder_type="other", submission_key="k1")
            )
            reference = submission.feedback.reference  # shown on the confirmation page
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert "INSERT" in statements
        assert "SELECT" not in statements[: statements.index("INSERT")]
        assert reference.startswith("SVF-")
        # Read back as stored, as after a commit.
        assert submission.feedback.stakeholder_type is StakeholderType.OTHER
        assert submission.feedback.status is FeedbackStatus.NEW
        db.session.commit()


def test_the_same_key_twice_gives_the_first_item_and_no_copy(app):
    with app.app_context():
        data = NewFeedback(body="Lift at Bootle", stakeholder_type="other", submission_key="k2")
        first = submit_feedback(data)
        db.session.commit()
        again = submit_feedback(data)
        db.session.commit()
        assert again.duplicate and again.token is None
        assert again.feedback.id == first.feedback.id
    assert _count(app) == 1


def test_the_item_and_its_acknowledgement_are_one_transaction(app):
    data = NewFeedback(
        body="Lift at Bootle",
        stakeholder_type="other",
        consent_to_contact=True,
        email="ann@example.org",
        submission_key="k3",
    )
    with app.app_context():
        submit_feedback(data)
        db.session.rollback()  # the view's commit never happens
    assert _count(app) == 0
    assert _count(app, OutboxMessage) == 0
    with app.app_context():
        submit_feedback(data)
        db.session.commit()
    assert _count(app) == 1
    assert _count(app, OutboxMessage) == 1
