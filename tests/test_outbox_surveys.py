"""Survey acknowledgements through the outbox, delivered to a real SMTP server (aiosmtpd): only
with consent and an address, once, in the response's transaction, with the reference and the
private tracking links; nothing after an erasure, a purge or an unsubscribe."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import Feedback, SurveyResponse, User, utcnow
from portal.outbox import service as outbox
from portal.outbox.models import MessageStatus, OutboxMessage
from portal.surveys import service

from .conftest import hidden_fields
from .smtp import html_of, smtp_server, text_of
from .test_outbox import URL, messages, path_of, send
from .test_surveys import ALL_TYPES, GOOD, answer_all

SURVEY = "/surveys/all-types"
CONSENTING = [
    *GOOD[:3],
    {"visits": "3", "follow_up": "yes", "email": "answerer@example.com"},
    GOOD[4],
]
ANSWERS = {
    "respondent_type": "passenger",
    "name_of_station": "Lime Street",
    "story": "The lift at Lime Street was out of order for a week",
    "colour": "city_line",
    "extras": ["wifi"],
    "stars": "5",
    "agree": "agree",
    "visits": 1,
}


@pytest.fixture
def mailbox(app, monkeypatch):
    with smtp_server() as box:
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{box.port}")
        yield box


@pytest.fixture
def synced(app, tmp_path):
    path = tmp_path / "all-types.yaml"
    shutil.copy(ALL_TYPES, path)
    with app.app_context():
        assert not service.sync([path]).problems
        db.session.commit()
    return path


def send_answers(client, pages) -> str:
    html = answer_all(client, pages).get_data(as_text=True)
    fields = hidden_fields(html)
    response = client.post(
        f"{SURVEY}/submit",
        data={"csrf_token": fields["csrf_token"], "submission_key": fields["submission_key"]},
    )
    assert response.status_code == 303
    done = client.get(f"{SURVEY}/done").get_data(as_text=True)
    again = client.post(
        f"{SURVEY}/submit",
        data={"csrf_token": fields["csrf_token"], "submission_key": fields["submission_key"]},
    )
    assert again.status_code == 303  # a second click on "Send answers"
    return re.search(r"SVS-[2-9A-HJ-NP-Z]{7}", done).group(0)


def submit_directly(app, answers: dict, key: str) -> str:
    with app.app_context():
        version = service.get_survey("all-types").current
        reference = service.submit(version, answers, key).response.reference
        db.session.commit()
        return reference


def test_consented_response_gets_exactly_one_acknowledgement(app, client, mailbox, synced):
    reference = send_answers(client, CONSENTING)
    assert "sent 1," in send(app)
    assert "sent 0," in send(app)
    (message,) = mailbox.to("answerer@example.com")
    assert len(mailbox.messages) == 1
    assert reference in message["Subject"]
    body = text_of(message)
    lines = body.splitlines()
    assert reference in lines[0]
    with app.app_context():
        items = db.session.scalars(select(Feedback).order_by(Feedback.id)).all()
        feedback_refs = [i.reference for i in items]
    assert len(feedback_refs) == 2  # two written answers, each its own feedback item
    tracking = [URL.search(line).group(0) for line in lines[1:3]]
    for feedback_ref, link in zip(feedback_refs, tracking, strict=True):
        assert feedback_ref in lines[1 + tracking.index(link)]
        page = app.test_client().get(path_of(link))  # the private link works on its own
        assert page.status_code == 200 and feedback_ref in page.get_data(as_text=True)
    html = html_of(message)
    assert "<img" not in html.lower() and reference in html
    assert all(link in html for link in tracking)
    # One-click unsubscribe, header and visible link.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip("<> ") in body
    (row,) = messages(app, kind="survey_acknowledgement")
    assert row.message_id == message["Message-ID"] and row.status is MessageStatus.SENT
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert row.survey_response_id == response.id
        # The address is stored encrypted, in the answers and in the outbox.
        assert "answerer" not in str(response.answers).lower()
        raw = db.session.execute(text("SELECT to_address FROM outbox")).scalar()
        assert "answerer" not in raw.lower()


def test_response_without_consent_or_without_long_answers(app, client, mailbox, synced):
    send_answers(client, GOOD)  # follow_up: no
    # An address left in the answers without consent is pruned and never written to.
    submit_directly(app, {**ANSWERS, "follow_up": "no", "email": "sneaky@example.com"}, "k-no")
    send(app)
    assert messages(app) == [] and mailbox.messages == []
    with app.app_context():
        definition = service.get_survey("all-types").current.definition
    # Even unpruned answers: an address needs the consent answer its question depends on.
    assert outbox.survey_contact(definition, {"follow_up": "no", "email": "a@b.c"}) is None
    assert outbox.survey_contact(definition, {"email": "a@b.c"}) is None
    assert outbox.survey_contact(definition, {"follow_up": "yes", "email": "a@b.c"}) == (
        "email",
        "a@b.c",
    )
    # Consent with no written answer: the reference only, no tracking link.
    reference = submit_directly(
        app, {**ANSWERS, "story": "", "follow_up": "yes", "email": "short@example.com"}, "k-yes"
    )
    send(app)
    (message,) = mailbox.to("short@example.com")
    assert reference in text_of(message).splitlines()[0]
    assert "/track/" not in text_of(message)


def test_acknowledgement_is_queued_in_the_same_transaction(app, mailbox, synced):
    answers = {**ANSWERS, "follow_up": "yes", "email": "tx@example.com"}
    with app.app_context():
        version = service.get_survey("all-types").current
        # The service leaves the commit to its caller: if the commit never happens (the
        # database went away), neither the response nor its acknowledgement is kept.
        service.submit(version, answers, "k-tx")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    reference = submit_directly(app, answers, "k-tx")
    assert submit_directly(app, answers, "k-tx") == reference  # a repeat stores nothing more
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_erasure_before_delivery_means_no_email(app, mailbox, synced, make_user):
    from portal.privacy import service as privacy

    submit_directly(app, {**ANSWERS, "follow_up": "yes", "email": "erase@example.com"}, "k-e")
    with app.app_context():
        admin = db.session.get(User, make_user("admin"))
        report = privacy.erase(admin, "erase@example.com")
        assert report.survey_responses == 1
        db.session.commit()
    send(app)
    assert mailbox.messages == []


def test_email_answer_dropped_before_delivery_is_cancelled_by_the_worker(app, mailbox, synced):
    """What a retention purge does to the response: the worker re-checks and sends nothing."""
    submit_directly(app, {**ANSWERS, "follow_up": "yes", "email": "gone@example.com"}, "k-g")
    with app.app_context():
        outbox.drop_survey_emails(db.session.scalar(select(SurveyResponse)))
        db.session.commit()
    assert "cancelled 1" in send(app)
    assert mailbox.messages == []
    assert messages(app)[0].status is MessageStatus.CANCELLED


def test_retention_purge_before_delivery_means_no_email(app, mailbox, synced):
    from portal.privacy import service as privacy

    submit_directly(app, {**ANSWERS, "follow_up": "yes", "email": "purge@example.com"}, "k-p")
    with app.app_context():
        for item in db.session.scalars(select(Feedback)):
            item.closed_at = utcnow() - timedelta(days=800)
        db.session.commit()
        report = privacy.purge(12)
        assert report.survey_emails == 1 and report.outbox_rows == 1
        response = db.session.scalar(select(SurveyResponse))
        assert "email" not in response.answers and response.email_index is None
        db.session.commit()
    send(app)
    assert mailbox.messages == [] and messages(app) == []


def test_unsubscribe_from_the_real_message_deletes_the_address(app, mailbox, synced):
    reference = submit_directly(
        app, {**ANSWERS, "follow_up": "yes", "email": "unsub-survey@example.com"}, "k-u"
    )
    send(app)
    (message,) = mailbox.to("unsub-survey@example.com")
    url = message["List-Unsubscribe"].strip("<> ")
    done = app.test_client().post(path_of(url), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "You have unsubscribed" in page and reference in page
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert "email" not in response.answers and response.email_index is None
        assert response.answers["follow_up"] == "yes"  # the answers themselves stay
