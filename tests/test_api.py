"""Issue 16, public API: schemathesis over the OpenAPI 3.1 document (every operation,
property-based, no 5xx, every response valid against the schema), then pagination by Link
header cursors, ETag / If-None-Match, CORS, the per-IP rate limit, problem+json errors, the
suppression of small counts and the docs page served from the portal's own files."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from sqlalchemy import select

from portal.anonymise import EMAIL, PHONE, POSTCODE
from portal.extensions import db
from portal.models import Commitment

from .conftest import make_app
from .opendata_data import populate

LINK = re.compile(r'<([^>]+)>; rel="([a-z]+)"')


@pytest.fixture
def populated(app):
    with app.app_context():
        return populate()


OPERATIONS = 6  # the documented GET operations (the index and the five collections + detail)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(app, populated, mode):
    """schemathesis, property-based over every operation of the document: no server error;
    status codes, content types, headers and bodies as documented; bad input rejected."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == OPERATIONS + 1
    statuses: set[int] = set()
    for operation in operations:
        inputs = [p for p in operation.definition.raw["parameters"] if p["in"] != "header"]
        if mode is GenerationMode.NEGATIVE and not inputs:
            continue  # any If-None-Match is valid: nothing to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call_and_validate()
            assert response.status_code < 500
            statuses.add(response.status_code)

        check()
    assert 200 in statuses if mode is GenerationMode.POSITIVE else 400 in statuses


def test_document_is_openapi_3_1_and_covers_every_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        and rule.endpoint not in ("api.openapi", "api.docs", "api.unknown")
    }
    assert routes == set(document["paths"])
    assert {
        "/api/v1/commitments",
        "/api/v1/commitments/{slug}",
        "/api/v1/progress",
        "/api/v1/you-said-we-did",
        "/api/v1/notes",
        "/api/v1/feedback-counts",
    } <= routes
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert "application/problem+json" in responses["429"]["content"], path
        assert "304" in responses, path


def follow(client, url: str) -> list[dict]:
    """Walk a collection by its Link headers; return every item."""
    items = []
    seen = set()
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        items.extend(response.get_json()["items"])
        links = dict((rel, href) for href, rel in LINK.findall(response.headers["Link"]))
        assert links["first"].startswith("http://portal.test/api/v1/")
        url = links.get("next", "").removeprefix("http://portal.test")
        assert url not in seen
        seen.add(url)
    return items


def test_cursor_pagination_by_link_headers(app, client, populated):
    with app.app_context():
        slugs = list(db.session.scalars(select(Commitment.slug).order_by(Commitment.id)))
    assert len(slugs) > 3
    walked = follow(client, "/api/v1/commitments?limit=2")
    assert [item["slug"] for item in walked] == slugs
    last = client.get("/api/v1/commitments?limit=100")
    assert 'rel="next"' not in last.headers["Link"]
    counts = follow(client, "/api/v1/feedback-counts?limit=7")
    with app.app_context():
        from portal.opendata import service

        assert len(counts) == len(service.feedback_counts()) > 7
    beyond = client.get("/api/v1/commitments?cursor=9999999999")
    assert beyond.status_code == 200 and beyond.get_json()["items"] == []
    for bad in ("not-a-cursor", "-1", "12345678901", "1.5"):
        response = client.get(f"/api/v1/commitments?cursor={bad}")
        assert response.status_code == 400
        assert response.mimetype == "application/problem+json"
        assert "cursor" in response.get_json()["errors"]


def test_latest_progress_and_detail(client, populated):
    slug = populated["commitment"]
    first = client.get("/api/v1/commitments?limit=100").get_json()["items"]
    entry = next(item for item in first if item["slug"] == slug)
    assert entry["latest_progress"]["period"] == "2026-Q1"
    assert entry["url"] == f"http://portal.test/api/v1/commitments/{slug}"
    detail = client.get(f"/api/v1/commitments/{slug}").get_json()
    assert [p["period"] for p in detail["progress"]] == ["2026-Q1"]
    assert not EMAIL.search(detail["progress"][0]["narrative"])
    missing = client.get("/api/v1/commitments/no-such-commitment")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "instance": "/api/v1/commitments/no-such-commitment",
        "detail": "There is no commitment with this slug",
    }


def test_etag_and_if_none_match(app, client, populated):
    first = client.get("/api/v1/commitments")
    etag = first.headers["ETag"]
    assert etag
    again = client.get("/api/v1/commitments", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/v1/commitments", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    with app.app_context():
        commitment = db.session.scalars(select(Commitment).order_by(Commitment.id)).first()
        commitment.title = "A changed title"
        db.session.commit()
    changed = client.get("/api/v1/commitments", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_cors_for_get(client):
    response = client.get("/api/v1/notes", headers={"Origin": "https://analyst.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response.headers["Access-Control-Expose-Headers"]
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/notes",
        headers={
            "Origin": "https://analyst.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == "If-None-Match"


def test_errors_are_problem_json(client):
    for url, status in (
        ("/api/v1/no-such-thing", 404),
        ("/api/v1/feedback-counts?limit=0", 400),
        ("/api/v1/feedback-counts?limit=abc", 400),
        ("/api/v1/progress?period=2026-Q5", 400),
        ("/api/v1/you-said-we-did?period=1999-Q1", 400),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/problem+json", url
        body = response.get_json()
        assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    posted = client.post("/api/v1/commitments", data={"x": "1"})
    assert posted.status_code == 405 and posted.mimetype == "application/problem+json"
    assert posted.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.delete("/api/v1/notes").status_code == 405
    assert client.get("/api/v1/feedback-counts?limit=0").get_json()["errors"]["limit"]


def test_small_counts_are_suppressed(client, populated):
    items = follow(client, "/api/v1/feedback-counts?limit=100")
    assert any(item["suppressed"] for item in items)
    assert any(not item["suppressed"] for item in items)
    for item in items:
        if item["suppressed"]:
            assert item["count"] is None
        else:
            assert item["count"] >= 5
    only = client.get(
        f"/api/v1/feedback-counts?commitment={populated['commitment']}&period=2026-Q1"
    ).get_json()["items"]
    assert only and all(
        i["commitment"] == populated["commitment"] and i["period"] == "2026-Q1" for i in only
    )
    story = client.get("/api/v1/you-said-we-did?period=2026-Q1").get_json()
    assert story["period"] == "2026-Q1"
    for entry in story["commitments"]:
        assert entry["said"] is None or entry["said"] >= 5
        assert entry["said_suppressed"] == (entry["said"] is None)
        for text in entry["quotes"] + entry["decisions"] + entry["outcomes"]:
            assert not (EMAIL.search(text) or PHONE.search(text) or POSTCODE.search(text))


def test_notes_and_progress_have_no_personal_data(client, populated):
    for url in ("/api/v1/notes", "/api/v1/progress"):
        text = client.get(url).get_data(as_text=True)
        assert '"items": []' not in text and '"items":[]' not in text, url
        assert not EMAIL.search(text) and not PHONE.search(text), url
        assert "Owner Person-Name" not in text


def test_rate_limited_per_ip(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3/minute")
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/notes").status_code == 200
    limited = client.get("/api/v1/notes")
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert limited.get_json()["status"] == 429
    assert int(limited.headers["Retry-After"]) > 0
    # Another address has its own allowance.
    other = client.get("/api/v1/notes", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_docs_page_served_from_the_portals_own_files(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    scripts = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    assert all(src.startswith("/static/") for src in scripts), scripts
    # Fingerprinted names (portal/assets.py): the content's hash before the extension.
    unhashed = [re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", src) for src in scripts]
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in unhashed
    assert "/static/js/api-docs.js" in unhashed
    for src in scripts:
        assert client.get(src).status_code == 200, src
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
