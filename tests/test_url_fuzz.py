"""Every rule of the URL map, as every role and with no login, with hostile values in each path
argument, in each query parameter the view reads and in each form field a POST reads: never a 5xx.

Built on the permission test in test_auth.py (its expectations say which roles a rule serves).
Which query parameters and form fields a view reads is not guessed: a first, ordinary request
records every name the view asks `request.args` and `request.form` for; then all those names are
filled with each hostile value together, and each name alone with a few of them.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from portal.auth import service as accounts
from portal.extensions import db
from portal.meetings import minutes as meeting_minutes
from portal.meetings import service as meetings
from portal.models import Action, AgendaItem, Code, Commitment
from portal.notes import service as notes
from portal.outbox import service as outbox
from portal.outbox.models import OutboxMessage
from portal.public.service import NewFeedback, submit_feedback
from portal.security import PortalRequest
from portal.surveys import service as surveys
from portal.triage import service as triage

from .conftest import PASSWORD, csrf_for, login
from .test_auth import PUBLIC_ENDPOINTS, _expected_roles

REPEATED = object()  # the parameter given twice, with two different values
HOSTILE = [
    "99999999999999999999999",  # 23 digits: beyond any integer column
    "2147483648",  # one more than PostgreSQL's integer
    "-1",
    "0000",  # year 0
    "9999",
    "9999-Q4",
    "0000-01-01",
    "9999-12-31",
    "²²²²",  # digits that str.isdigit() accepts and int() refuses
    "١٢٣",  # Arabic-Indic digits, which int() accepts
    "",
    "x" * 5000,
    REPEATED,
]
# Each rule gets every hostile value as the first role that may use it (no login for public
# pages, else admin, member, champion, officer in that order); the other roles that may use it
# get these few, which reach their own branches without repeating the whole walk.
SHORT = ["99999999999999999999999", "١٢٣", "", REPEATED]
# Signing out would end the session the rest of the walk needs; its form has no other field.
SKIPPED = {"static", "auth.logout"}
ROLES = [None, "admin", "member", "champion", "officer"]


class _Recording(ImmutableMultiDict):
    """Request values that remember every name a view asked for."""

    seen: set[str]

    def _note(self, key):
        if isinstance(key, str):
            self.seen.add(key)

    def get(self, key, default=None, type=None):  # noqa: A002
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


SEEN: dict[str, set[str]] = {"args": set(), "form": set()}


def _recording(values: ImmutableMultiDict, kind: str) -> ImmutableMultiDict:
    recorded = _Recording(values)
    recorded.seen = SEEN[kind]
    return recorded


class RecordingRequest(PortalRequest):
    """The portal's request class, recording the query and form names each view reads."""

    @property
    def args(self):  # type: ignore[override]
        return _recording(super().args, "args")

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.form = _recording(self.form, "form")


def _world(app: Flask) -> dict[str, object]:
    """Create one of everything an address can point at; return the values to fill them."""
    with app.app_context():
        admin = accounts.create_user("fuzz-admin@example.invalid", "admin", PASSWORD, "Fuzz")
        spare = accounts.create_user("spare@example.invalid", "member", PASSWORD, "Spare")
        submission = submit_feedback(
            NewFeedback(body="Fuzzing the portal's addresses", stakeholder_type="resident")
        )
        reference = submission.feedback.reference
        code = triage.create_code(admin, "Fuzz code", None)
        meeting = meetings.create_meeting(admin, "Fuzz meeting", date(2026, 10, 8))
        item = meetings.add_item(admin, meeting, "Fuzz item")
        meetings.add_action(admin, item, "Fuzz action", "Fuzz owner", None)
        invited = meeting_minutes.invite(admin, meeting, [], ["Fuzz member"])[0]
        db.session.commit()
        action = db.session.query(Action).first()
        note = notes.create(
            admin, notes.NoteInput(title="Fuzz note", summary="A summary.", body="A body.")
        )
        notes.submit(admin, note)
        notes.publish(spare, note)
        db.session.commit()
        surveys.sync()
        db.session.commit()
        follow = outbox.request_follow(
            db.session.query(Commitment).first(), "fuzz.follower@example.invalid"
        )
        db.session.commit()
        message_id = db.session.query(OutboxMessage).first().id
        survey_slug = surveys.open_surveys()[0].survey.slug if surveys.open_surveys() else "none"
        values = {
            "reference": reference,
            "token": submission.token,
            "meeting_id": str(meeting.id),
            "item_id": str(db.session.query(AgendaItem).first().id),
            "action_id": str(action.id),
            "member_id": str(invited.id),
            "note_id": str(note.id),
            "number": "1",
            "code_id": str(db.session.get(Code, code.id).id),
            "user_id": str(spare.id),
            "message_id": str(message_id),
            "follow_token": outbox.confirm_token(follow),
            "period": "2026-Q1",
            "year": "2026",
            "slug": {
                "surveys": survey_slug,
                "notes": note.slug,
            },
            "commitment_slug": "foodbank-collection-points",
            "anything": "no-such-collection",  # the API's catch-all (a problem+json 404)
            "name": "social-value-2026-01-01.db",  # an open-data file (none published)
        }
        db.session.commit()
    return values


def _value(values: dict, rule, argument: str) -> str:
    if argument == "token" and rule.endpoint == "outbox.confirm":
        return values["follow_token"]
    if argument == "slug":
        for kind, slug in (("/roles/", "employer"), ("/themes/", "fairer")):
            if kind in rule.rule:
                return slug
        return values["slug"].get(rule.endpoint.split(".")[0], values["commitment_slug"])
    return values[argument]


def _path_arguments(rule) -> list[str]:
    """The arguments taken from the address (not those a rule's defaults supply)."""
    return sorted(set(rule.arguments) - set(rule.defaults or {}))


def _path(rule, fill: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: quote(fill[m.group(1)], safe=""), rule.rule)


def _pairs(name: str, value) -> list[tuple[str, str]]:
    if value is REPEATED:
        return [(name, "1"), (name, "x")]
    return [(name, value)]


def _allowed(endpoint: str, role: str | None) -> bool:
    if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("public."):
        return True
    return role is not None and role in _expected_roles(endpoint)


def _first_allowed(endpoint: str) -> str | None:
    return next(role for role in ROLES if _allowed(endpoint, role))


@pytest.mark.parametrize("role", ROLES)
def test_no_address_parameter_or_field_gets_a_server_error(app, make_user, monkeypatch, role):
    values = _world(app)
    monkeypatch.setattr(app, "request_class", RecordingRequest)
    client = app.test_client()
    if role:
        make_user(role)
        assert login(client, f"{role}@example.invalid").status_code == 303
        if role == "officer":
            with app.app_context():
                accounts.link_commitments("officer@example.invalid", [values["commitment_slug"]])
                db.session.commit()
    token = csrf_for(client)
    failures: list[tuple] = []
    requests = 0

    def send(method: str, url: str, query=None, form=None):
        nonlocal requests
        requests += 1
        data = MultiDict([("csrf_token", token), *(form or [])]) if method == "POST" else None
        response = client.open(url, method=method, query_string=query or [], data=data)
        if response.status_code >= 500:
            shown = [(k, v[:30]) for k, v in (query or form or [])]
            failures.append((role, method, url[:80], shown, response.status_code))
        return response

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED:
            continue
        allowed = _allowed(rule.endpoint, role)
        hostile_values = HOSTILE if role == _first_allowed(rule.endpoint) else SHORT
        fill = {a: _value(values, rule, a) for a in _path_arguments(rule)}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # Hostile values in each path argument, the others real.
            for argument in _path_arguments(rule):
                for hostile in hostile_values:
                    if hostile is REPEATED:
                        continue
                    send(method, _path(rule, fill | {argument: hostile}))
            if not allowed:
                continue  # refused before the view reads anything: the paths above suffice
            SEEN["args"].clear()
            SEEN["form"].clear()
            url = _path(rule, fill)
            send(method, url)
            query_names = sorted(SEEN["args"])
            form_names = sorted(SEEN["form"] - {"csrf_token"}) if method == "POST" else []
            # Every hostile value in all the names at once, then a few in each name alone (a
            # value refused early in one name must not hide what another name does with it).
            for names, kind in ((query_names, "query"), (form_names, "form")):
                if not names:
                    continue
                for hostile in hostile_values:
                    pairs = [pair for name in names for pair in _pairs(name, hostile)]
                    send(method, url, **{kind: pairs})
                for name in names if len(names) > 1 else []:
                    for hostile in SHORT:
                        send(method, url, **{kind: _pairs(name, hostile)})
    assert requests > 300
    assert failures == [], "\n".join(sorted({repr(f) for f in failures})[:200])
