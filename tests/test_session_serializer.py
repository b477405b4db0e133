"""The session cookie's serializer skips Flask's tagging pass for plain values (issue 17) and
writes and reads exactly what Flask's own serializer does, for plain and tagged values alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask.sessions import session_json_serializer
from markupsafe import Markup

from portal.security import PlainSessionSerializer

VALUES = [
    {},
    {"csrf_token": "abc", "equality_until": 1790000000, "shown": True, "none": None},
    {"ratio": 0.5, "text": "caf\u00e9 \u2013 \U0001f68c", "quote": 'say "hi"'},
    {" t": "a one-key dict that looks like a tag"},
    {" t": "looks like a tag", "other": 1},
    {"tuple": (1, 2)},
    {"bytes": b"\x00\x01"},
    {"markup": Markup("<b>x</b>")},
    {"when": datetime(2026, 11, 30, 12, 0, tzinfo=UTC)},
    {"id": uuid.UUID(int=5)},
    {"nested": {"a": [1, {"b": (2, 3)}]}},
    {"_flashes": [("info", "Signed in")]},
    {"list": ["a", 1, None]},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_same_json_as_flask_s_serializer_and_back(app, value):
    ours = PlainSessionSerializer()
    with app.app_context():
        written = ours.dumps(value)
        assert written == session_json_serializer.dumps(value)
        assert ours.loads(written) == session_json_serializer.loads(written)
        assert ours.loads(written) == value


def test_a_dict_of_plain_values_is_not_tagged(app, monkeypatch):
    ours = PlainSessionSerializer()

    def refuse(*_args):
        raise AssertionError("tagged")

    monkeypatch.setattr(ours, "tag", refuse)
    monkeypatch.setattr(ours, "_untag_scan", refuse)
    plain = {"csrf_token": "abc", "until": 5, "shown": False}
    with app.app_context():
        assert ours.loads(ours.dumps(plain)) == plain


def test_the_session_cookie_is_read_by_flask_s_own_interface(app, client):
    from flask.sessions import SecureCookieSessionInterface

    client.get("/feedback")
    cookie = client.get_cookie("session", domain="portal.test")
    assert cookie is not None
    with app.test_request_context("/"):
        flask_serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        assert "csrf_token" in flask_serializer.loads(cookie.value)


def _outcome(check, data):
    from wtforms import ValidationError

    try:
        check(data)
    except ValidationError as error:
        return error.args[0]
    return "valid"


def test_the_form_token_check_is_flask_wtf_s(app, monkeypatch):
    """The portal's check of a form token (its serializer kept) answers as Flask-WTF's does."""
    import time

    from flask import session
    from flask_wtf import csrf as flask_wtf_csrf

    from portal import security

    with app.test_request_context("/feedback", method="POST"):
        token = security.generate_csrf()
        other = security.KeptSerializer(app.secret_key, salt="wtf-csrf-token").dumps("x" * 40)
        cases = [token, None, "", "garbage", token[:-2] + "xx", other]
        outcomes = [_outcome(security.validate_csrf, data) for data in cases]
        assert outcomes == [_outcome(flask_wtf_csrf.validate_csrf, data) for data in cases]
        assert outcomes[0] == "valid"
        assert len(set(outcomes)) == 4  # valid, missing, invalid, do not match
        later = time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 10
        monkeypatch.setattr(time, "time", lambda: later)
        assert _outcome(security.validate_csrf, token) == "The CSRF token has expired."
        assert _outcome(flask_wtf_csrf.validate_csrf, token) == "The CSRF token has expired."
        monkeypatch.undo()
        session.pop("csrf_token")
        assert _outcome(security.validate_csrf, token) == "The CSRF session token is missing."
