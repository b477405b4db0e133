"""Public pages, the framework filters (plain and htmx), health and errors."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal import create_app


def test_home_explains_the_framework_and_links_onward(client):
    html = client.get("/").get_data(as_text=True)
    assert "Fairer, Stronger, Greener City Region in which nobody is left behind" in html
    assert "Social Value Implementation Group" in html
    for link in ("/framework", "/feedback", "/privacy", "/accessibility"):
        assert f'href="{link}"' in html


def test_no_gov_uk_crown_or_logotype(client):
    html = client.get("/").get_data(as_text=True)
    assert "govuk-header__logotype" not in html
    assert "crown" not in html.lower()
    assert "Liverpool City Region Combined Authority" in html


def titles(html: str) -> list[str]:
    return re.findall(
        r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)', html
    )


def test_framework_lists_every_commitment_grouped_by_role(client):
    html = client.get("/framework").get_data(as_text=True)
    assert len(titles(html)) == 13
    for role in ("As an employer", "As a commissioner", "As a service provider"):
        assert role in html
    assert "Establish a minimum percentage weighting for Social Value considerations" in html


def titles_in_file(query: str) -> set[str]:
    """The titles of the framework file's commitments that a framework filter query selects."""
    from urllib.parse import parse_qs

    import yaml

    from portal.framework import DEFAULT_PATH

    args = {k: v[0] for k, v in parse_qs(query).items()}
    return {
        c["title"].strip()
        for c in yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))["commitments"]
        if ("theme" not in args or args["theme"] in c["themes"])
        and ("horizon" not in args or c["horizon"] == args["horizon"])
        and (args.get("transport") != "yes" or c.get("transport", False))
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=greener", {"Environmental benefits"}),
        ("horizon=future-aspiration", None),
        ("transport=yes", None),
        ("theme=greener&transport=yes", None),
    ],
)
def test_framework_filters(client, query, expected):
    html = client.get(f"/framework?{query}").get_data(as_text=True)
    found = set(titles(html))
    assert found
    # Exactly the commitments of the file that the filters select.
    assert {unescape(t) for t in found} == titles_in_file(query)
    if expected is not None:
        assert expected <= found
    if "horizon=future-aspiration" in query:
        assert "A minimum Social Value weighting in procurement" not in found
        assert "A transport workforce that reflects the people it serves" in found
    if "transport=yes" in query:
        assert "Encouraging fair employment" not in found
        if "theme" not in query:
            assert "Safe Spaces at staffed stations and travel centres" in found
    if query == "theme=greener":
        assert "Safe Spaces at staffed stations and travel centres" not in found


def test_framework_filters_that_match_nothing_say_so(client):
    query = "theme=greener&horizon=future-aspiration&transport=yes"
    assert titles_in_file(query) == set()  # the file really has no such commitment
    html = client.get(f"/framework?{query}").get_data(as_text=True)
    assert titles(html) == []
    assert "No commitments match these filters" in html


def test_framework_with_unknown_filter_values_is_not_an_error(client):
    response = client.get("/framework?theme=<script>&horizon=soon")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_framework_htmx_returns_only_results_block_and_varies(client):
    full = client.get("/framework?theme=fairer")
    partial = client.get("/framework?theme=fairer", headers={"HX-Request": "true"})
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in partial.headers["Vary"]
    html = partial.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert titles(html) == titles(full.get_data(as_text=True))


def test_commitment_page_shows_details_and_form(client):
    html = client.get("/commitments/foodbank-collection-points").get_data(as_text=True)
    assert "Increase the number of foodbank collection points" in html
    for text in ("Service provider", "Fairer", "Day One Commitment", "Stations and travel centres"):
        assert text in html
    assert "Current status" in html
    assert 'name="body"' in html and 'name="stakeholder_type"' in html


def test_unknown_commitment_is_a_404_page(client):
    response = client.get("/commitments/does-not-exist")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "heading"),
    [("/privacy", "Privacy notice"), ("/accessibility", "Accessibility statement")],
)
def test_privacy_and_accessibility_pages_have_real_content(client, url, heading):
    html = client.get(url).get_data(as_text=True)
    assert heading in html
    assert len(re.sub(r"<[^>]+>", "", html)) > 3000


def test_privacy_notice_is_linked_beside_personal_fields(client):
    html = client.get("/feedback").get_data(as_text=True)
    contact = html[html.index("Contact details and consent") :]
    assert 'href="/privacy"' in contact[:800]


def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_healthz_down_when_database_unreachable(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "missing" / "no.db"),
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"
