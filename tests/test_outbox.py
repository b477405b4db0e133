"""Email through the durable outbox, delivered to a real SMTP server (aiosmtpd) run by the tests:
acknowledgements, outcomes, following a commitment, staff alerts, faults and privacy."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.meetings import service as meetings
from portal.models import (
    AgendaItemKind,
    Commitment,
    Feedback,
    ProgressStatus,
    User,
    utcnow,
)
from portal.notes import service as notes
from portal.outbox import service
from portal.outbox.models import CommitmentFollow, MessageStatus, OutboxMessage
from portal.progress import service as progress
from portal.public.service import NewFeedback, submit_feedback

from .conftest import csrf_for, hidden_fields, login, submit
from .smtp import free_port, html_of, smtp_server, text_of

SLUG = "foodbank-collection-points"
URL = re.compile(r"https?://\S+")


@pytest.fixture
def mailbox(app, monkeypatch):
    """A real SMTP server on a free port, and the app configured to send to it."""
    with smtp_server() as box:
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{box.port}")
        yield box


def send(app) -> str:
    """Run one pass of the real worker command; return its output."""
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links(message) -> list[str]:
    return URL.findall(text_of(message))


def messages(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def commitment_id(slug: str = SLUG) -> int:
    return db.session.scalar(select(Commitment.id).where(Commitment.slug == slug))


def consenting(email: str, body: str = "Please add a collection point at Southport station"):
    submission = submit_feedback(
        NewFeedback(
            body=body,
            stakeholder_type="resident",
            commitment_id=commitment_id(),
            consent_to_contact=True,
            email=email,
            name="Demo Person 1001",
        )
    )
    db.session.commit()  # as the feedback form's view does: the service leaves it to its caller
    return submission


# --- acknowledgements -----------------------------------------------------------------------


def test_consented_submission_gets_exactly_one_acknowledgement(app, client, mailbox):
    response = submit(
        client,
        f"/commitments/{SLUG}",
        consent_to_contact="y",
        name="Demo Person 1002",
        email="person1002@example.com",
    )
    assert response.status_code == 303
    reference = client.get("/feedback/confirmation").get_data(as_text=True)
    reference = re.search(r"SVF-[A-Z0-9]{7}", reference).group(0)
    assert "sent 1," in send(app)
    assert "sent 0," in send(app)  # a second pass sends nothing again
    received = mailbox.to("person1002@example.com")
    assert len(received) == 1
    message = received[0]
    assert reference in message["Subject"]
    body = text_of(message)
    first_lines = body.splitlines()[:2]
    assert reference in first_lines[0]
    tracking = URL.search(first_lines[1]).group(0)
    assert "/track/" in tracking
    page = client.get(path_of(tracking))
    assert page.status_code == 200 and reference in page.get_data(as_text=True)
    # Notify style: no images or tracking pixels; the HTML carries the same reference and link.
    html = html_of(message)
    assert "<img" not in html.lower() and reference in html and tracking in html
    # Its Message-ID is the one fixed when it was queued.
    (row,) = messages(app, kind="acknowledgement")
    assert message["Message-ID"] == row.message_id and row.status is MessageStatus.SENT
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_submission_without_consent_sends_nothing(app, client, mailbox):
    assert submit(client, f"/commitments/{SLUG}").status_code == 303
    with app.app_context():
        # Even an address given without the consent box is refused by the form and never stored.
        submit_feedback(
            NewFeedback(body="No consent given here", stakeholder_type="resident", email="x@y.z")
        )
        db.session.commit()
    send(app)
    assert messages(app) == []
    assert mailbox.messages == []


def test_acknowledgement_is_queued_in_the_same_transaction(app, mailbox):
    """A failed submission leaves no message behind; a stored one always has its message."""
    with app.app_context():
        first = consenting("same@example.com")
        count = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert count == 1
        assert db.session.scalar(select(OutboxMessage.feedback_id)) == first.feedback.id


# --- outcomes and replies -------------------------------------------------------------------


def test_publishing_an_outcome_emails_each_consenting_author_once(app, mailbox, make_user):
    member_id = make_user("member")
    with app.app_context():
        one = consenting("author-one@example.com").feedback.reference
        two = consenting("author-two@example.com", "A second point about collection").feedback
        silent = submit_feedback(
            NewFeedback(
                body="Without consent to be contacted",
                stakeholder_type="resident",
                commitment_id=commitment_id(),
            )
        ).feedback.reference
        member = db.session.get(User, member_id)
        today = date.today()
        meeting = meetings.create_meeting(
            member, "Outcomes", today, today - timedelta(days=30), today
        )
        item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
        action = meetings.add_action(
            member, item, "Install points", "Stations team", None, f"{one} {two.reference} {silent}"
        )
        meetings.publish_outcome(member, action, "Three more collection points are open.")
        two_id = two.id
        db.session.commit()
    send(app)
    for address in ("author-one@example.com", "author-two@example.com"):
        received = mailbox.to(address)
        assert [m["Subject"].split(":")[0] for m in received] == [
            "We have received your feedback",
            "An update on your feedback",
        ]
        assert "Three more collection points are open." in text_of(received[1])
    assert len(mailbox.messages) == 4  # nothing for the author who did not consent
    # Withdrawing and republishing a reply writes again, once.
    with app.app_context():
        from portal.triage import service as triage

        item = db.session.get(Feedback, two_id)
        member = db.session.scalar(select(User).where(User.role == "member"))
        triage.set_public_reply(item, member, "A corrected reply")
        triage.set_public_reply(item, member, "A corrected reply")  # unchanged: nothing new
        db.session.commit()  # triage services leave the commit to their caller
    send(app)
    assert len(mailbox.to("author-two@example.com")) == 3


# --- following a commitment -----------------------------------------------------------------


def test_follow_confirm_update_and_one_click_unsubscribe(app, client, mailbox, make_user):
    page = client.get(f"/commitments/{SLUG}").get_data(as_text=True)
    assert 'action="/commitments/foodbank-collection-points/follow"' in page
    assert "Get updates" in page
    response = client.post(
        f"/commitments/{SLUG}/follow",
        data={"csrf_token": csrf_for(client, f"/commitments/{SLUG}"), "email": "f@example.com"},
    )
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    send(app)
    (confirmation,) = mailbox.to("f@example.com")
    confirm_url = links(confirmation)[0]
    assert "/follow/confirm/" in confirm_url
    # Progress posted before confirming reaches nobody: double opt-in.
    admin_id = make_user("admin")
    post_progress(app, admin_id, "Before confirming")
    send(app)
    assert len(mailbox.to("f@example.com")) == 1
    # The link shows a button (so a mail scanner opening it confirms nothing) …
    shown = client.get(path_of(confirm_url))
    assert shown.status_code == 200 and "Confirm your updates" in shown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CommitmentFollow.confirmed_at)) is None
    # … and pressing it confirms.
    token = hidden_fields(shown.get_data(as_text=True))["csrf_token"]
    done = client.post(path_of(confirm_url), data={"csrf_token": token})
    assert done.status_code == 303
    assert "You will get updates" in client.get(done.headers["Location"]).get_data(as_text=True)
    post_progress(app, admin_id, "Three new collection points at Lime Street", quarter_back=1)
    send(app)
    update_message = mailbox.to("f@example.com")[-1]
    assert "Three new collection points at Lime Street" in text_of(update_message)
    assert update_message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = update_message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe_url in text_of(update_message)  # and a visible link
    # RFC 8058: the mail program POSTs with no cookie and no CSRF token.
    one_click = app.test_client().post(
        path_of(unsubscribe_url), data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    assert "You have unsubscribed" in one_click.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CommitmentFollow)) == 0
    again = app.test_client().post(path_of(unsubscribe_url), data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200  # repeating it is harmless
    post_progress(app, admin_id, "After unsubscribing", quarter_back=2)
    send(app)
    assert len(mailbox.to("f@example.com")) == 2  # the confirmation and one update


def post_progress(app, admin_id: int, narrative: str, quarter_back: int = 0) -> None:
    with app.app_context():
        admin = db.session.get(User, admin_id)
        year, quarter = progress.quarter_choices()[quarter_back]
        progress.post_update(
            admin,
            db.session.get(Commitment, commitment_id()),
            progress.ProgressInput(year, quarter, ProgressStatus.ON_TRACK, narrative, []),
        )
        db.session.commit()


def test_follow_form_errors_and_bad_links(app, client, mailbox, monkeypatch):
    token = csrf_for(client, f"/commitments/{SLUG}")
    bad = client.post(f"/commitments/{SLUG}/follow", data={"csrf_token": token, "email": "nope"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Enter an email address in the correct format" in html and 'href="#email"' in html
    assert 'value="nope"' in html  # the input is kept
    empty = client.post(f"/commitments/{SLUG}/follow", data={"csrf_token": token, "email": ""})
    assert empty.status_code == 422 and "Enter your email address" in empty.get_data(as_text=True)
    no_csrf = client.post(f"/commitments/{SLUG}/follow", data={"email": "a@example.com"})
    assert no_csrf.status_code == 400
    unknown = client.post(
        "/commitments/no-such/follow", data={"csrf_token": token, "email": "a@example.com"}
    )
    assert unknown.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CommitmentFollow)) == 0
    # A tampered confirmation or unsubscribe link is refused with a page, not a crash.
    assert client.get("/follow/confirm/not-a-token").status_code == 400
    assert client.post("/follow/confirm/not-a-token", data={"csrf_token": token}).status_code == 400
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    assert client.post("/unsubscribe/not-a-token").status_code == 404
    # An expired confirmation link says so.
    client.post(f"/commitments/{SLUG}/follow", data={"csrf_token": token, "email": "e@example.com"})
    send(app)
    confirm_url = links(mailbox.to("e@example.com")[0])[0]
    monkeypatch.setattr(service, "CONFIRM_MAX_AGE", -1)
    expired = client.get(path_of(confirm_url))
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)


def test_asking_twice_sends_one_confirmation(app, client, mailbox):
    token = csrf_for(client, f"/commitments/{SLUG}")
    for address in ("twice@example.com", "TWICE@example.com"):
        client.post(f"/commitments/{SLUG}/follow", data={"csrf_token": token, "email": address})
    send(app)
    assert len(mailbox.messages) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CommitmentFollow)) == 1


def test_outcome_on_a_followed_commitment_reaches_followers(app, mailbox, make_user):
    member_id = make_user("member")
    with app.app_context():
        follow = service.request_follow(
            db.session.get(Commitment, commitment_id()), "fan@example.com"
        )
        service.confirm_follow(follow)
        reference = consenting("author@example.com").feedback.reference
        member = db.session.get(User, member_id)
        today = date.today()
        meeting = meetings.create_meeting(member, "M", today, today - timedelta(days=30), today)
        item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
        action = meetings.add_action(member, item, "Do it", "Team", None, reference)
        meetings.publish_outcome(member, action, "Done: five new points.")
        db.session.commit()
    send(app)
    outcome = mailbox.to("fan@example.com")[-1]
    assert outcome["Subject"].startswith("You said, we did")
    assert "Done: five new points." in text_of(outcome)


# --- faults ---------------------------------------------------------------------------------


def test_smtp_server_down_loses_nothing_and_delivers_once_back(app, monkeypatch):
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{port}")
    with app.app_context():
        for n in range(3):
            consenting(f"down{n}@example.com")
    output = send(app)
    assert "sent 0, deferred 1" in output  # the pass stops at the first refused connection
    (first, *rest) = messages(app)
    assert first.status is MessageStatus.PENDING and first.attempts == 1
    assert "cannot reach" in first.last_error and first.next_attempt_at > first.created_at
    assert all(m.status is MessageStatus.PENDING for m in rest)
    send(app)  # the first waits for its retry time; the next one is tried and deferred too
    with smtp_server(port=port) as box:
        with app.app_context():  # time passes: every retry is due
            db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            db.session.commit()
        send(app)
        send(app)
        assert sorted(m["To"] for m in box.messages) == [f"down{n}@example.com" for n in range(3)]
        rows = messages(app)
        assert {m.status for m in rows} == {MessageStatus.SENT}
        assert {m["Message-ID"] for m in box.messages} == {m.message_id for m in rows}


def test_temporary_and_permanent_refusals(app, mailbox, staff_client):
    mailbox.defer.add("busy@example.com")
    mailbox.refuse.add("gone@example.com")
    with app.app_context():
        consenting("busy@example.com")
        consenting("gone@example.com")
    send(app)
    busy, gone = messages(app)
    assert busy.status is MessageStatus.PENDING and "451" in busy.last_error
    assert gone.status is MessageStatus.FAILED and "550" in gone.last_error
    # Admins see the failure at /admin/outbox and can retry it.
    admin = staff_client("admin")
    page = admin.get("/admin/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "gone@example.com" in html and "550" in html
    assert f'action="/admin/outbox/{gone.id}/retry"' in html
    assert f'action="/admin/outbox/{busy.id}/retry"' not in html  # only failed ones
    mailbox.refuse.clear()
    token = hidden_fields(html)["csrf_token"]
    retried = admin.post(f"/admin/outbox/{gone.id}/retry", data={"csrf_token": token})
    assert retried.status_code == 303
    send(app)
    assert len(mailbox.to("gone@example.com")) == 1
    # Retrying something that has not failed is refused with a message.
    refused = admin.post(f"/admin/outbox/{gone.id}/retry", data={"csrf_token": token})
    assert refused.status_code == 303
    assert "Only a failed message" in admin.get("/admin/outbox").get_data(as_text=True)
    assert admin.post("/admin/outbox/999999/retry", data={"csrf_token": token}).status_code == 404


def test_backoff_grows_and_gives_up():
    assert service.backoff(1) == timedelta(seconds=30)
    assert service.backoff(2) == timedelta(minutes=1)
    assert service.backoff(30) == service.BACKOFF_CAP


def test_outbox_page_is_for_admins_only(app, staff_client, client):
    assert staff_client("member").get("/admin/outbox").status_code == 403
    assert client.get("/admin/outbox").status_code == 302


# --- staff alerts ---------------------------------------------------------------------------


def test_assignment_alerts_immediately_or_in_a_daily_digest(app, mailbox, make_user):
    from portal.triage import service as triage

    with app.app_context():
        admin = db.session.get(User, make_user("admin"))
        member = db.session.get(User, make_user("member"))
        first = submit_feedback(NewFeedback(body="First item to assign", stakeholder_type="other"))
        triage.assign(first.feedback, admin, member)
        triage.assign(first.feedback, member, member)  # unchanged: nothing
        db.session.commit()  # triage services leave the commit to their caller
        reference = first.feedback.reference
        db.session.commit()
    send(app)
    (alert,) = mailbox.to("member@example.invalid")
    assert reference in alert["Subject"]
    assert f"/triage/{reference}" in text_of(alert).splitlines()[0]
    # The member chooses a daily digest on /account.
    client = app.test_client()
    login(client, "member@example.invalid")
    page = client.get("/account")
    assert page.status_code == 200
    token = hidden_fields(page.get_data(as_text=True))["csrf_token"]
    bad = client.post("/account", data={"csrf_token": token, "frequency": "hourly"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    saved = client.post("/account", data={"csrf_token": token, "frequency": "daily"})
    assert saved.status_code == 303
    assert 'value="daily" checked' in client.get("/account").get_data(as_text=True)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        member = db.session.scalar(select(User).where(User.role == "member"))
        for body in ("Second item to assign", "Third item to assign"):
            item = submit_feedback(NewFeedback(body=body, stakeholder_type="other")).feedback
            triage.assign(item, admin, member)
        db.session.commit()  # triage services leave the commit to their caller
    send(app)
    assert len(mailbox.to("member@example.invalid")) == 1  # held for the digest
    result = app.test_cli_runner().invoke(args=["outbox", "digests"])
    assert "queued 1 daily digests (2 alerts)" in result.output
    assert "queued 0 daily" in app.test_cli_runner().invoke(args=["outbox", "digests"]).output
    send(app)
    digest = mailbox.to("member@example.invalid")[-1]
    assert digest["Subject"] == "Your daily digest: 2 updates"
    assert text_of(digest).count("/triage/SVF-") == 2


def test_notes_submitted_to_members_and_returned_to_author(app, mailbox, make_user):
    from .test_notes import note_input

    with app.app_context():
        champion = db.session.get(User, make_user("champion"))
        member = db.session.get(User, make_user("member"))
        make_user("officer")
        note = notes.create(champion, note_input())
        notes.submit(champion, note)
        notes.return_note(member, note, "Add the cost per station")
        db.session.commit()
    send(app)
    assert [m["Subject"] for m in mailbox.to("member@example.invalid")] == [
        "A note to review: Foodbank points that staff look after"
    ]
    (returned,) = mailbox.to("champion@example.invalid")
    assert "Add the cost per station" in text_of(returned)
    assert mailbox.to("officer@example.invalid") == []


def test_officers_weekly_digest_of_new_feedback(app, mailbox, make_user):
    with app.app_context():
        officer = db.session.get(User, make_user("officer"))
        officer.commitments = [db.session.get(Commitment, commitment_id())]
        db.session.commit()
        for n in range(3):
            consenting(f"weekly{n}@example.com")
        report = service.build_digests(utcnow() + timedelta(seconds=1))
        db.session.commit()
        assert report.weekly == 1
        again = service.build_digests(utcnow() + timedelta(days=1))  # not a week yet
        assert again.weekly == 0
        db.session.commit()
    send(app)
    (weekly,) = mailbox.to("officer@example.invalid")
    assert weekly["Subject"] == "This week: 3 new feedback items on your commitments"
    assert f"/commitments/{SLUG}" in text_of(weekly)


# --- privacy --------------------------------------------------------------------------------


def test_nothing_after_erasure_or_unsubscribe_and_subject_access_lists_follows(
    app, mailbox, make_user
):
    from portal.privacy import service as privacy

    with app.app_context():
        admin = db.session.get(User, make_user("admin"))
        follow = service.request_follow(
            db.session.get(Commitment, commitment_id()), "erase-me@example.com"
        )
        service.confirm_follow(follow)
        consenting("erase-me@example.com")
        db.session.commit()
        held = privacy.subject_access("Erase-Me@example.com")
        assert held["follows"][0]["commitment"] == SLUG
        assert len(held["emails"]) == 2  # the confirmation and the acknowledgement
        report = privacy.erase(admin, "erase-me@example.com")
        assert report.emails_and_follows == 3
        assert privacy.subject_access("erase-me@example.com")["follows"] == []
        # Unsubscribing from feedback emails cancels what is queued about it.
        other = consenting("unsub@example.com").feedback
        token = service.unsubscribe_token("r", other.reference)
        assert service.unsubscribe(token).reference == other.reference
        db.session.commit()
    send(app)
    assert mailbox.messages == []
    assert [m.status for m in messages(app)] == [MessageStatus.CANCELLED]


def test_contact_details_purged_before_delivery_means_no_email(app, mailbox):
    from portal.privacy import service as privacy

    with app.app_context():
        item = consenting("purged@example.com").feedback
        db.session.delete(item.contact)  # as the retention purge or an erasure does
        db.session.commit()
    send(app)
    assert mailbox.messages == []
    assert messages(app)[0].status is MessageStatus.CANCELLED
    with app.app_context():
        removed = privacy.purge(12, now=utcnow() + timedelta(days=400))
        assert removed.outbox_rows == 1  # the cancelled message is gone after retention
        db.session.commit()


def test_follow_requests_are_rate_limited(tmp_path_factory):
    from .conftest import make_app

    limited = make_app(
        "sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, FEEDBACK_RATE_LIMIT="2/minute"
    )
    client = limited.test_client()
    token = csrf_for(client, f"/commitments/{SLUG}")
    statuses = [
        client.post(
            f"/commitments/{SLUG}/follow", data={"csrf_token": token, "email": f"r{n}@example.com"}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [303, 303, 429]
