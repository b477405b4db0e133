"""Every email the portal sends carries a one-click unsubscribe (RFC 8058 headers and a visible
link), staff emails included: the link turns on "No emails" on /account, through the real
message's header, without a cookie or CSRF token; forged links are refused."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from portal.extensions import db
from portal.meetings import service as meetings
from portal.models import AgendaItemKind, Commitment, Feedback, User, utcnow
from portal.notes import service as notes
from portal.outbox import service
from portal.outbox.models import Frequency, MessageStatus, StaffEmailPreference
from portal.public.service import NewFeedback, submit_feedback
from portal.triage import service as triage

from .conftest import hidden_fields, login
from .smtp import html_of, smtp_server, text_of
from .test_outbox import commitment_id, consenting, messages, path_of, post_progress, send
from .test_outbox_surveys import ANSWERS, submit_directly, synced  # noqa: F401

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def mailbox(app, monkeypatch):
    with smtp_server() as box:
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{box.port}")
        yield box


def every_kind() -> set[str]:
    """Each kind of email is a pair of templates in templates/email/."""
    return {p.stem for p in TEMPLATES.glob("*.txt") if not p.name.startswith("_")}


def unsubscribe_url(message) -> str:
    return message["List-Unsubscribe"].strip().strip("<>")


def frequency(app, user_id: int) -> Frequency | None:
    with app.app_context():
        pref = db.session.get(StaffEmailPreference, user_id)
        return pref.frequency if pref else None


def assign_new_item(app, to_role: str, body: str) -> str:
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        assignee = db.session.scalar(select(User).where(User.role == to_role))
        item = submit_feedback(NewFeedback(body=body, stakeholder_type="other")).feedback
        triage.assign(item, admin, assignee)
        db.session.commit()  # triage services leave the commit to their caller
        return item.reference


@pytest.mark.usefixtures("synced")
def test_every_kind_of_email_carries_a_one_click_unsubscribe(app, mailbox, make_user):
    from .test_notes import note_input

    admin_id = make_user("admin")
    with app.app_context():
        admin = db.session.get(User, admin_id)
        member = db.session.get(User, make_user("member"))
        champion = db.session.get(User, make_user("champion"))
        officer = db.session.get(User, make_user("officer"))
        officer.commitments = [db.session.get(Commitment, commitment_id())]
        service.set_frequency(admin, Frequency.DAILY)
        db.session.commit()
        # A follower (confirmation, then progress and a "You said, we did" outcome).
        follow = service.request_follow(
            db.session.get(Commitment, commitment_id()), "walker@example.com"
        )
        db.session.commit()
        service.confirm_follow(follow)
        db.session.commit()
        # A consenting author (acknowledgement, then the outcome's reply).
        reference = consenting("author@example.com").feedback.reference
        today = date.today()
        meeting = meetings.create_meeting(member, "M", today, today - timedelta(days=30), today)
        item = next(i for i in meeting.items if i.kind is AgendaItemKind.COMMITMENT)
        action = meetings.add_action(member, item, "Do it", "Team", None, reference)
        meetings.publish_outcome(member, action, "Done: five new points.")
        # Staff: an assignment, a note submitted and returned, a daily and a weekly digest.
        triage.assign(db.session.scalar(select(Feedback)), admin, member)
        db.session.commit()  # triage services leave the commit to their caller
        note = notes.create(champion, note_input())
        notes.submit(champion, note)
        notes.return_note(member, note, "Add the cost per station")
        triage.assign(db.session.scalar(select(Feedback)), member, admin)  # held, digested
        service.build_digests(utcnow() + timedelta(seconds=1))
        db.session.commit()
    post_progress(app, admin_id, "Three new collection points")
    submit_directly(app, {**ANSWERS, "follow_up": "yes", "email": "s@example.com"}, "k-walk")
    send(app)
    sent = [m for m in messages(app) if m.status is MessageStatus.SENT]
    assert {m.kind for m in sent} == every_kind()  # the walk covers every kind there is
    assert len(mailbox.messages) == len(sent)
    for message in mailbox.messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", message["Subject"]
        url = unsubscribe_url(message)
        assert "/unsubscribe/" in url, message["Subject"]
        assert url in text_of(message) and url in html_of(message)  # a visible link too
        # Each link is one the portal accepts.
        page = app.test_client().get(path_of(url))
        assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)


def test_staff_one_click_unsubscribe_stops_every_staff_email(app, client, mailbox, make_user):
    make_user("admin")
    member_id = make_user("member")
    officer_id = make_user("officer")
    with app.app_context():
        officer = db.session.get(User, officer_id)
        officer.commitments = [db.session.get(Commitment, commitment_id())]
        db.session.commit()
    first = assign_new_item(app, "member", "An item for the member")
    send(app)
    (alert,) = mailbox.to("member@example.invalid")
    assert first in alert["Subject"]
    url = unsubscribe_url(alert)
    assert url in text_of(alert)
    # Something else is already waiting for the member when they unsubscribe.
    assign_new_item(app, "member", "Queued before the unsubscribe")
    # The page shows a button; opening it (a mail scanner) changes nothing.
    shown = app.test_client().get(path_of(url))
    assert shown.status_code == 200 and "Unsubscribe" in shown.get_data(as_text=True)
    assert frequency(app, member_id) is not Frequency.NONE
    # RFC 8058: the mail program POSTs with no cookie and no CSRF token.
    done = app.test_client().post(path_of(url), data=ONE_CLICK)
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "You have unsubscribed" in page and "/account" in page
    assert frequency(app, member_id) is Frequency.NONE
    assert app.test_client().post(path_of(url), data=ONE_CLICK).status_code == 200  # repeatable
    # Nothing more for the member: not what was queued, not new alerts, not digests.
    assign_new_item(app, "member", "After the unsubscribe")
    with app.app_context():
        note_author = db.session.get(User, make_user("champion"))
        from .test_notes import note_input

        notes.submit(note_author, notes.create(note_author, note_input()))
        db.session.commit()
    app.test_cli_runner().invoke(args=["outbox", "digests"])
    send(app)
    assert len(mailbox.to("member@example.invalid")) == 1
    assert {m.status for m in messages(app, user_id=member_id)} == {
        MessageStatus.SENT,
        MessageStatus.CANCELLED,
    }
    # /account shows the choice, and choosing "Straight away" again turns alerts back on.
    login(client, "member@example.invalid")
    account = client.get("/account").get_data(as_text=True)
    assert 'value="none" checked' in account and "No emails" in account
    token = hidden_fields(account)["csrf_token"]
    assert (
        client.post("/account", data={"csrf_token": token, "frequency": "immediate"}).status_code
        == 303
    )
    again = assign_new_item(app, "member", "Alerts are back on")
    send(app)
    assert again in mailbox.to("member@example.invalid")[-1]["Subject"]
    # An officer who chose "No emails" on /account gets no weekly digest either.
    officer_client = app.test_client()
    login(officer_client, "officer@example.invalid")
    token = hidden_fields(officer_client.get("/account").get_data(as_text=True))["csrf_token"]
    saved = officer_client.post("/account", data={"csrf_token": token, "frequency": "none"})
    assert saved.status_code == 303
    assert frequency(app, officer_id) is Frequency.NONE
    with app.app_context():
        consenting("weekly@example.com")
        report = service.build_digests(utcnow() + timedelta(days=8))  # a week after the last
        db.session.commit()
        assert report.weekly == 0
    send(app)
    assert mailbox.to("officer@example.invalid") == []


def test_forged_or_foreign_unsubscribe_tokens_are_refused(app, mailbox, make_user):
    make_user("admin")
    member_id = make_user("member")
    assign_new_item(app, "member", "An item for the member")
    send(app)
    real = unsubscribe_url(mailbox.to("member@example.invalid")[0])
    base, _, token = real.rpartition("/")
    with app.app_context():
        forged = [
            # The right shape, signed with another key.
            URLSafeSerializer("not-the-portal-secret", salt="outbox-unsubscribe").dumps(
                {"u": member_id}
            ),
            # A real token with its signature changed.
            token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
            # A real signature of another kind (the follow confirmation's salt).
            URLSafeSerializer(app.config["SECRET_KEY"], salt="outbox-follow-confirm").dumps(
                {"u": member_id}
            ),
            # Signed by the portal but naming nothing it knows.
            service.unsubscribe_token("x", member_id),
        ]
    for bad in forged:
        url = f"{base}/{bad}"
        assert app.test_client().get(path_of(url)).status_code == 404, bad
        refused = app.test_client().post(path_of(url), data=ONE_CLICK)
        assert refused.status_code == 404, bad
        assert "This link does not work" in refused.get_data(as_text=True)
    assert frequency(app, member_id) is not Frequency.NONE
    later = assign_new_item(app, "member", "Still wanted")
    send(app)
    assert later in mailbox.to("member@example.invalid")[-1]["Subject"]
