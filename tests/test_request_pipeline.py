"""The request pipeline behind the public pages (issue 17): what was made cheaper still does
what it did — the content version read on each thread's own connection, route limits declared
for POST left out of GETs, the session cookie and form token made by kept serializers, the Vary
header added as text, the sync wrappers of registered views and hooks kept."""

from __future__ import annotations

import pytest
from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import ValidationError, validate_csrf
from sqlalchemy import select, text

from portal.extensions import db, limiter
from portal.models import Commitment
from portal.public import pagecache
from portal.security import add_vary, generate_csrf

from .conftest import hidden_fields, make_app, valid_answers


def first_slug(app: Flask) -> str:
    with app.app_context():
        return db.session.scalar(
            select(Commitment.slug).where(Commitment.active.is_(True)).order_by(Commitment.id)
        )


# `commits`: these run on the real engine, as a worker does, not in a test's shared transaction
# (which the version is read in, since the test's changes are uncommitted there).


@pytest.mark.commits
def test_the_version_is_read_on_the_thread_s_own_connection_and_sees_commits(app):
    slug = first_slug(app)
    url = f"/commitments/{slug}"
    client = app.test_client()
    client.get(url)
    client.get(url)
    change = text("UPDATE commitments SET text = :t WHERE slug = :s")
    with app.app_context():
        reader = pagecache._reader(db.engine)
        own = reader.connection
        assert own is not None  # opened by the first page, kept for the next
        before = db.session.scalar(select(Commitment.text).where(Commitment.slug == slug))
        db.session.rollback()
        # A change committed by someone else (another worker's connection) is seen at once.
        with db.engine.begin() as other:
            other.execute(change, {"t": "Seen by the next page.", "s": slug})
    try:
        assert "Seen by the next page." in client.get(url).get_data(as_text=True)
        with app.app_context():
            assert pagecache._reader(db.engine).connection is own  # the same one, kept
    finally:
        with app.app_context(), db.engine.begin() as other:
            other.execute(change, {"t": before, "s": slug})
    assert "Seen by the next page." not in client.get(url).get_data(as_text=True)


@pytest.mark.commits
def test_a_broken_version_connection_is_replaced(app):
    url = f"/commitments/{first_slug(app)}"
    client = app.test_client()
    client.get(url)
    with app.app_context():
        reader = pagecache._reader(db.engine)
        broken = reader.connection
        before = pagecache.current_version()
        broken.close()  # as if the server had dropped it
        assert pagecache.current_version() == before  # read through the engine instead
        assert reader.connection is None
    assert client.get(url).status_code == 200
    with app.app_context():
        assert reader.connection is not None and reader.connection is not broken
        assert pagecache.current_version() == before


def test_a_get_of_a_page_limited_on_post_never_runs_the_limiter(tmp_path_factory, monkeypatch):
    app = make_app(
        "sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, FEEDBACK_RATE_LIMIT="2/minute"
    )
    checks: list[str] = []
    original = limiter._check_request_limit

    def counted(*args, **kwargs):
        checks.append("check")
        return original(*args, **kwargs)

    monkeypatch.setattr(limiter, "_check_request_limit", counted)
    client = app.test_client()
    url = f"/commitments/{first_slug(app)}"
    assert [client.get(url).status_code for _ in range(4)] == [200] * 4
    assert checks == []
    # The POST limit still holds, checked by the route.
    statuses = []
    for _ in range(3):
        fields = hidden_fields(client.get(url).get_data(as_text=True))
        statuses.append(client.post(url, data={**fields, **valid_answers()}).status_code)
    assert statuses == [303, 303, 429]
    assert len(checks) == 3


def test_an_application_wide_limit_still_counts_gets_of_post_limited_pages(
    tmp_path_factory, monkeypatch
):
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [])
    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2/minute")
    client = app.test_client()
    url = f"/commitments/{first_slug(app)}"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_the_session_cookie_is_flask_s_own(app, client):
    response = client.get(f"/commitments/{first_slug(app)}")
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    # Flask's own session interface reads what the portal's wrote, with the same key.
    data = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)
    assert set(data) == {"csrf_token"}
    assert response.headers["Vary"] == "HX-Request, Cookie"


def test_the_form_token_is_flask_wtf_s_own(app):
    with app.test_request_context("/"):
        token = generate_csrf()
        assert generate_csrf() == token  # one per request
        validate_csrf(token)  # Flask-WTF accepts it
        from flask import session

        raw = session["csrf_token"]
    with app.test_request_context("/"):
        from flask import session

        session["csrf_token"] = raw
        validate_csrf(token)  # the next request with the same session accepts it
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        with pytest.raises(ValidationError, match="invalid"):
            validate_csrf(tampered)


@pytest.mark.parametrize(
    ("before", "name", "after"),
    [
        (None, "Cookie", "Cookie"),
        ("HX-Request", "Cookie", "HX-Request, Cookie"),
        ("HX-Request, Cookie", "cookie", "HX-Request, Cookie"),
        ("Accept-Encoding,HX-Request", "Cookie", "Accept-Encoding, HX-Request, Cookie"),
    ],
)
def test_vary_is_added_as_werkzeug_adds_it(before, name, after):
    ours, theirs = Response(), Response()
    if before is not None:
        ours.headers["Vary"] = theirs.headers["Vary"] = before
    add_vary(ours, name)
    theirs.vary.add(name)
    assert ours.headers["Vary"] == theirs.headers["Vary"] == after


def test_the_answer_for_a_registered_view_or_hook_is_kept(app, client):
    kept = app._sync_functions
    kept.clear()
    assert client.get("/privacy").status_code == 200
    view = app.view_functions["public.privacy"]
    assert view in kept
    hook = app.after_request_funcs[None][0]
    assert hook in kept
    assert app.ensure_sync(view) is kept[view]
    size = len(kept)
    assert client.get("/privacy").status_code == 200
    assert len(kept) == size  # the same functions: nothing more kept


def test_functions_made_during_requests_are_not_kept_and_coroutines_keep_flask_s_wrapper(
    tmp_path_factory,
):
    from flask import after_this_request

    app = make_app("sqlite", tmp_path_factory)
    made: list = []

    @app.get("/_made_during_a_request")
    def made_during_a_request():
        @after_this_request
        def mark(response: Response) -> Response:
            response.headers["X-Marked"] = "yes"
            return response

        made.append(mark)
        return "ok"

    async def answer() -> str:
        return "async ok"

    app.add_url_rule("/_async_view", "async_view", answer)
    client = app.test_client()
    for _ in range(3):
        response = client.get("/_made_during_a_request")
        assert response.headers["X-Marked"] == "yes"
    assert len(made) == 3 and not any(function in app._sync_functions for function in made)
    assert made_during_a_request in app._sync_functions
    wrapped = app.ensure_sync(answer)
    assert wrapped is not answer  # Flask's async-to-sync wrapper, kept for the registered view
    assert app._sync_functions[answer] is wrapped
    assert app.ensure_sync(answer) is wrapped
