"""The phase banner's feedback link: a page for feedback about the website, kept apart from
feedback on the commitments."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Feedback
from portal.sitefeedback.models import WebsiteFeedback

from .conftest import hidden_fields


def test_phase_banner_links_to_website_feedback_not_the_commitments_form(client):
    html = client.get("/framework").get_data(as_text=True)
    banner = html.split('class="govuk-phase-banner', 1)[1].split("</p>", 1)[0]
    link = re.search(r'href="([^"]+)"', banner).group(1)
    assert link == "/website-feedback?page=/framework"
    page = client.get(link).get_data(as_text=True)
    assert "Feedback about this website" in page
    assert 'name="page" type="hidden" value="/framework"' in page


def test_website_feedback_is_stored_apart_and_listed_for_staff(app, client, staff_client):
    page = client.get("/website-feedback?page=/framework").get_data(as_text=True)
    data = hidden_fields(page) | {"body": "The filters were hard to find on my phone <b>"}
    response = client.post("/website-feedback", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/website-feedback/thanks"
    assert "Thank you for your feedback" in client.get("/website-feedback/thanks").get_data(
        as_text=True
    )
    with app.app_context():
        item = db.session.scalar(select(WebsiteFeedback))
        assert item.body == "The filters were hard to find on my phone <b>"
        assert item.page == "/framework"
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0
    listing = staff_client("member").get("/admin/website-feedback").get_data(as_text=True)
    assert "The filters were hard to find on my phone &lt;b&gt;" in listing


def test_website_feedback_bad_input_and_foreign_pages(app, client):
    page = client.get("/website-feedback").get_data(as_text=True)
    empty = client.post("/website-feedback", data=hidden_fields(page) | {"body": "  "})
    assert empty.status_code == 422
    assert "Enter your feedback about the website" in empty.get_data(as_text=True)
    long = client.post("/website-feedback", data=hidden_fields(page) | {"body": "x" * 2001})
    assert long.status_code == 422
    assert "Feedback must be 2,000 characters or fewer" in long.get_data(as_text=True)
    elsewhere = hidden_fields(page) | {"body": "Fine", "page": "https://evil.example/"}
    assert client.post("/website-feedback", data=elsewhere).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(WebsiteFeedback.page)) is None
        assert db.session.scalar(select(func.count()).select_from(WebsiteFeedback)) == 1


def test_website_feedback_with_an_expired_token_keeps_the_text(app, client):
    response = client.post("/website-feedback", data={"body": "Typed before lunch"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Your session timed out. Check your feedback and send it again." in html
    assert "Typed before lunch" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebsiteFeedback)) == 0
