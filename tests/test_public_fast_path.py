"""The public pages' fast path renders exactly what plain rendering renders (issue 17).

The fast path is two things (portal/core/fragments.py, portal/public/pagecache.py): GOV.UK
components rendered once per distinct parameters, and whole public pages kept per version of
what they show. `FRAGMENT_CACHE = False` is plain rendering. Pages are compared with only the
per-request tokens (form token, one-time submission key) blanked out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Commitment
from tests.conftest import hidden_fields, login, valid_answers

TOKENS = [
    (re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]+'), r"\1CSRF"),
    (re.compile(r'(value=")[^"]+(" name="csrf_token")'), r"\1CSRF\2"),
    (re.compile(r'("X-CSRFToken": ")[^"]+'), r"\1CSRF"),
    (re.compile(r'(name="submission_key" type="hidden" value=")[^"]+'), r"\1KEY"),
]


def blank_tokens(html: str) -> str:
    for pattern, replacement in TOKENS:
        html = pattern.sub(replacement, html)
    return html


def slugs(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Commitment.slug).where(Commitment.active.is_(True))))


def page_hits(app: Flask) -> int:
    return app.extensions["public_page_cache"].hits


def test_every_commitment_page_is_the_same_fast_and_plain(app, client, plain):
    every = slugs(app)
    assert len(every) >= 10
    for slug in every:
        url = f"/commitments/{slug}"
        first = client.get(url)
        hits = page_hits(app)
        kept = client.get(url)  # served from the kept page
        assert page_hits(app) == hits + 1
        rendered = plain(lambda url=url: client.get(url))
        assert first.status_code == kept.status_code == rendered.status_code == 200
        expected = blank_tokens(rendered.get_data(as_text=True))
        assert blank_tokens(first.get_data(as_text=True)) == expected, slug
        assert blank_tokens(kept.get_data(as_text=True)) == expected, slug
        # The tokens themselves are this request's own.
        assert (
            hidden_fields(kept.get_data(as_text=True))["submission_key"]
            != hidden_fields(first.get_data(as_text=True))["submission_key"]
        )


@pytest.mark.parametrize(
    "url", ["/framework", "/", "/framework?theme=greener&transport=yes", "/framework?horizon=x"]
)
def test_framework_and_home_are_the_same_fast_and_plain(app, client, plain, url):
    client.get(url)
    hits = page_hits(app)
    kept = client.get(url)
    assert page_hits(app) == hits + 1
    rendered = plain(lambda: client.get(url))
    assert blank_tokens(kept.get_data(as_text=True)) == blank_tokens(
        rendered.get_data(as_text=True)
    )


ERROR_CASES = [
    # Errors at several fields, radios and a box kept, typed text kept.
    {
        "body": "short",
        "stakeholder_type": "business",
        "locality": "wirral",
        "organisation": "<b>Acme & Sons</b>",
        "consent_to_contact": "y",
    },
    # Contact details typed without consent, a rating and transport mode kept.
    {
        "body": "Step-free access at Sandhills is still missing.",
        "stakeholder_type": "",
        "transport_mode": "bus",
        "rating": "3",
        "name": "Ann",
        "email": "not-an-email",
    },
    # Values nobody could choose.
    {
        "body": "",
        "stakeholder_type": "dragon",
        "locality": "mars",
        "rating": "9",
        "transport_mode": "rocket",
        "consent_to_quote": "y",
    },
]


def post_errors(client, url: str, answers: dict[str, str]):
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data={**fields, **answers})


@pytest.mark.parametrize("case", range(len(ERROR_CASES)))
def test_errors_and_kept_input_are_the_same_fast_and_plain(app, client, plain, case):
    answers = ERROR_CASES[case]
    for slug in slugs(app):
        url = f"/commitments/{slug}"
        client.get(url)  # the components are kept from a plain visit first
        fast = post_errors(client, url, answers)
        rendered = plain(lambda url=url: post_errors(client, url, answers))
        assert fast.status_code == rendered.status_code == 422
        html = fast.get_data(as_text=True)
        assert blank_tokens(html) == blank_tokens(rendered.get_data(as_text=True)), slug
        assert "There is a problem" in html
        if answers.get("organisation"):
            assert "&lt;b&gt;Acme &amp; Sons&lt;/b&gt;" in html


@pytest.mark.parametrize("case", range(len(ERROR_CASES)))
def test_general_feedback_form_errors_are_the_same_fast_and_plain(app, client, plain, case):
    answers = {**ERROR_CASES[case], "commitment": slugs(app)[1]}
    client.get("/feedback")
    fast = post_errors(client, "/feedback", answers)
    rendered = plain(lambda: post_errors(client, "/feedback", answers))
    assert fast.status_code == rendered.status_code == 422
    assert blank_tokens(fast.get_data(as_text=True)) == blank_tokens(
        rendered.get_data(as_text=True)
    )


def test_typed_text_is_not_kept_in_the_fragment_cache(app, client):
    slug = slugs(app)[0]
    post_errors(client, f"/commitments/{slug}", {"body": "my secret words", "name": "Ann Other"})
    kept = "".join(app.extensions["fragment_cache"].entries.values())
    assert "my secret words" not in kept
    assert "Ann Other" not in kept


def test_a_kept_page_s_tokens_work(app, client):
    url = f"/commitments/{slugs(app)[0]}"
    client.get(url)
    hits = page_hits(app)
    page = client.get(url)
    assert page_hits(app) == hits + 1
    response = client.post(
        url, data={**hidden_fields(page.get_data(as_text=True)), **valid_answers()}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/feedback/confirmation")


def test_a_change_to_what_the_page_shows_is_served_at_once(app, client):
    slug = slugs(app)[0]
    url = f"/commitments/{slug}"
    client.get(url)
    client.get(url)
    client.get("/framework")
    change = text("UPDATE commitments SET text = :t WHERE slug = :s")
    with app.app_context():
        before = db.session.scalar(select(Commitment.text).where(Commitment.slug == slug))
        db.session.execute(change, {"t": "A changed commitment text.", "s": slug})
        db.session.commit()
    try:
        assert "A changed commitment text." in client.get(url).get_data(as_text=True)
        assert "A changed commitment text." in client.get("/framework").get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.execute(change, {"t": before, "s": slug})
            db.session.commit()
    assert "A changed commitment text." not in client.get(url).get_data(as_text=True)


def test_a_progress_update_is_served_at_once(app, client, make_user):
    from portal.progress.models import ProgressStatus, ProgressUpdate

    slug = slugs(app)[0]
    url = f"/commitments/{slug}"
    client.get(url)
    client.get(url)
    user_id = make_user("admin", "progress-admin@example.invalid")
    with app.app_context():
        commitment = db.session.scalar(select(Commitment).where(Commitment.slug == slug))
        db.session.add(
            ProgressUpdate(
                commitment_id=commitment.id,
                year=2026,
                quarter=2,
                status=ProgressStatus.ON_TRACK,
                narrative="Quarterly narrative that must show at once.",
                author_id=user_id,
            )
        )
        db.session.commit()
    assert "Quarterly narrative that must show at once." in client.get(url).get_data(as_text=True)


def test_signed_in_staff_and_flashed_messages_are_never_served_a_kept_page(app, client, make_user):
    url = f"/commitments/{slugs(app)[0]}"
    client.get(url)
    make_user("admin", "kept-admin@example.invalid")
    staff = app.test_client()
    assert login(staff, "kept-admin@example.invalid").status_code == 303
    hits = page_hits(app)
    html = staff.get(url).get_data(as_text=True)
    assert page_hits(app) == hits
    assert "Report quarterly progress" in html
    assert "Sign out" in html
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "A flashed message for this visitor")]
    assert "A flashed message for this visitor" in client.get(url).get_data(as_text=True)
    assert page_hits(app) == hits


def test_a_new_worker_loads_compiled_templates_instead_of_compiling_them(
    tmp_path_factory, monkeypatch
):
    from jinja2 import Environment

    from portal import create_app
    from tests.conftest import make_app

    first = make_app("sqlite", tmp_path_factory)
    page = first.test_client().get("/framework")
    assert page.status_code == 200
    kept = list((Path(first.instance_path) / "jinja-bytecode").iterdir())
    assert kept  # the compiled templates, in the app's instance folder

    names = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "DATA_KEY", "SERVER_NAME")
    second = create_app({n: first.config[n] for n in names}, instance_path=first.instance_path)

    def compile_again(*_args, **_kwargs):
        raise AssertionError("a template was compiled again")

    monkeypatch.setattr(Environment, "compile", compile_again)
    again = second.test_client().get("/framework")
    assert again.status_code == 200
    assert blank_tokens(again.get_data(as_text=True)) == blank_tokens(page.get_data(as_text=True))
