"""A request with no sign-in is found anonymous without Flask-Login's full search (issue 17),
with the same user and the same session afterwards as Flask-Login's own `_load_user`."""

from __future__ import annotations

import pytest
from flask import g, session
from flask_login import LoginManager

from portal.extensions import PortalLoginManager

STATES = [
    ({}, {}),
    ({"csrf_token": "abc"}, {}),
    ({"csrf_token": "abc", "_fresh": False}, {}),
    ({"csrf_token": "abc", "_fresh": True}, {}),
    ({"csrf_token": "abc"}, {"remember_token": "1|bad"}),
    ({"_id": "someone-else", "csrf_token": "abc"}, {}),
    ({"_user_id": "999999:0", "csrf_token": "abc"}, {}),
]


def _load(app, manager_load, values, cookies):
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    with app.test_request_context("/feedback", headers=headers):
        session.update(values)
        manager_load(app.login_manager)
        return g._login_user.is_authenticated, dict(session)


@pytest.mark.parametrize(("values", "cookies"), STATES, ids=range(len(STATES)))
def test_the_same_user_and_session_as_flask_login(app, app_ctx, values, cookies):
    assert isinstance(app.login_manager, PortalLoginManager)
    ours = _load(app, PortalLoginManager._load_user, values, cookies)
    theirs = _load(app, LoginManager._load_user, values, cookies)
    assert ours == theirs
    assert ours[0] is False


def test_a_remember_me_cookie_goes_to_flask_login(app, app_ctx, monkeypatch):
    from flask_login.utils import encode_cookie

    with app.test_request_context("/"):
        cookie = encode_cookie("999999:0")
    loaded = []
    monkeypatch.setattr(app.login_manager, "_user_callback", lambda user_id: loaded.append(user_id))
    ours = _load(app, PortalLoginManager._load_user, {"a": 1}, {"remember_token": cookie})
    assert loaded == ["999999:0"]
    assert ours == _load(app, LoginManager._load_user, {"a": 1}, {"remember_token": cookie})


def test_a_plain_anonymous_request_is_not_hashed(app, monkeypatch):
    def refuse():
        raise AssertionError("session identifier computed")

    monkeypatch.setattr(app.login_manager, "_session_identifier_generator", refuse)
    with app.test_request_context("/feedback"):
        session["csrf_token"] = "abc"
        app.login_manager._load_user()
        assert g._login_user.is_authenticated is False
        assert session["_fresh"] is False
