"""Rate limits are declared on the routes they limit (`@limiter.limit` with the named limits of
portal/ratelimits): searching the inbox and the best-practice library, and CSP reports."""

from __future__ import annotations

import pytest

from portal.extensions import limiter

from .conftest import PASSWORD, login, make_app


@pytest.fixture
def limited(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, SEARCH_RATE_LIMIT="2/minute")
    with app.app_context():
        from portal.auth.service import create_user
        from portal.extensions import db

        create_user("member@example.invalid", "member", PASSWORD)
        db.session.commit()
    client = app.test_client()
    assert login(client, "member@example.invalid").status_code == 303
    return client


@pytest.mark.parametrize("path", ["/triage", "/best-practice"])
def test_searching_is_limited_and_browsing_is_not(limited, path):
    assert [limited.get(f"{path}?q=bus").status_code for _ in range(3)] == [200, 200, 429]
    assert [limited.get(path).status_code for _ in range(3)] == [200, 200, 200]


def test_each_search_page_counts_its_own_searches(limited):
    assert [limited.get("/triage?q=bus").status_code for _ in range(3)] == [200, 200, 429]
    assert limited.get("/best-practice?q=bus").status_code == 200


def test_csp_reports_are_limited(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [client.post("/csp-report", data="{}").status_code for _ in range(61)]
    assert statuses == [204] * 60 + [429]


def test_each_limit_is_checked_once_by_its_route(limited):
    # Every limit is on its route: Flask-Limiter's pass before every view found nothing to
    # count, so it is not installed; the routes' own limits still hold (above).
    from portal.extensions import limiter

    app = limited.application
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    assert [limited.get("/triage?q=bus").status_code for _ in range(3)] == [200, 200, 429]


def test_an_application_wide_limit_keeps_the_check_before_every_view(tmp_path_factory, monkeypatch):
    # Flask-Limiter keeps the first default limits any app configures on the one shared limiter:
    # put them back afterwards, or every later app in this process would inherit "2/minute".
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [])
    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2/minute")
    client = app.test_client()
    assert [client.get("/privacy").status_code for _ in range(3)] == [200, 200, 429]
