"""Over 200 hostile payloads against every public form and search box: never a 5xx, never
stored differently from what was sent (less NUL characters), never executed (tests/browser)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Feedback

from .conftest import hidden_fields
from .hostile import PAYLOADS


def expected(payload: str) -> str:
    return payload.replace("\x00", "").replace("\r\n", "\n").strip()


def post_feedback(client, url: str, **fields):
    page = client.get(url).get_data(as_text=True)
    data = hidden_fields(page) | {"stakeholder_type": "passenger", "body": "Ordinary feedback text"}
    data.update(fields)
    return client.post(url, data=data)


def test_general_feedback_form(app, client):
    failures = []
    for payload in PAYLOADS:
        response = post_feedback(
            client,
            "/feedback",
            body=payload,
            organisation=payload[:200],
            name=payload[:200],
            email="p@example.com",
            consent_to_contact="y",
        )
        if response.status_code >= 500:
            failures.append((payload, response.status_code))
        if response.status_code == 303:
            with app.app_context():
                stored = db.session.scalar(select(Feedback).order_by(Feedback.id.desc()))
                if stored.body != expected(payload):
                    failures.append((payload, "stored differently", stored.body))
        elif response.status_code not in (422, 413):
            failures.append((payload, response.status_code))
    assert failures == []


def test_commitment_form_and_inline_validation(client):
    failures = []
    for payload in PAYLOADS:
        response = post_feedback(
            client,
            "/commitments/foodbank-collection-points",
            body=payload,
            locality=payload,
            rating=payload,
        )
        if response.status_code >= 500:
            failures.append((payload, response.status_code))
        page = client.get("/feedback").get_data(as_text=True)
        validate = client.post(
            "/feedback/validate?field=body", data=hidden_fields(page) | {"body": payload}
        )
        if validate.status_code >= 500:
            failures.append((payload, "validate", validate.status_code))
    assert failures == []


@pytest.mark.parametrize(
    "template",
    [
        "/framework?theme={p}&horizon={p}&transport={p}",
        "/best-practice?q={p}&commitment={p}&role={p}&theme={p}",
        "/you-said-we-did?period={p}&commitment={p}",
        "/track/{p}",
        "/surveys/{p}",
        "/commitments/{p}",
        "/best-practice/{p}",
    ],
)
def test_public_search_boxes_and_addresses(client, template):
    failures = []
    for payload in PAYLOADS:
        url = template.format(p=quote(payload, safe=""))
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((payload, response.status_code))
        body = response.get_data(as_text=True)
        if "<script>alert(1)</script>" in body or "onerror=alert(1)>" in body:
            failures.append((payload, "unescaped"))
    assert failures == []


def test_login_form(client):
    failures = []
    for payload in PAYLOADS[:120]:
        page = client.get("/login").get_data(as_text=True)
        response = client.post(
            "/login", data=hidden_fields(page) | {"email": payload, "password": payload}
        )
        if response.status_code >= 500 or response.status_code == 303:
            failures.append((payload, response.status_code))
    assert failures == []


def test_staff_search_box(client, staff_client):
    member = staff_client("member")
    failures = []
    for payload in PAYLOADS:
        for url in (
            f"/triage?q={quote(payload, safe='')}",
            f"/triage?q={quote(payload, safe='')}&from={quote(payload, safe='')}",
        ):
            response = member.get(url, headers={"HX-Request": "true"})
            if response.status_code >= 500:
                failures.append((payload, response.status_code))
    assert failures == []


def test_survey_answers(app, client):
    from portal.surveys import service as surveys

    with app.app_context():
        surveys.sync()
        db.session.commit()
    failures = []
    for payload in PAYLOADS:
        page = client.get("/surveys/transport-hubs-community-assets/questions/2")
        html = page.get_data(as_text=True)
        token = hidden_fields(html)["csrf_token"]
        response = client.post(
            "/surveys/transport-hubs-community-assets/questions/2",
            data={
                "csrf_token": token,
                "q-hub": payload,
                "q-community_uses": [payload, "x"],
                "shown": ["hub", "community_uses"],
            },
        )
        if response.status_code >= 500:
            failures.append((payload, response.status_code))
    assert failures == []
