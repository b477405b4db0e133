"""The feedback journey: happy paths, every kind of bad input, duplicates and escaping."""

from __future__ import annotations

import re
from html import escape

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Channel, ContactDetails, Feedback, FeedbackStatus
from portal.public.service import REFERENCE_ALPHABET

from .conftest import hidden_fields, submit, valid_answers

COMMITMENT_URL = "/commitments/safe-spaces-at-stations-and-travel-centres"
REFERENCE = re.compile(r"SVF-[" + REFERENCE_ALPHABET + r"]{6,8}")


def count(app, model=Feedback) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def only_item(app) -> Feedback:
    with app.app_context():
        items = list(db.session.scalars(select(Feedback)))
        assert len(items) == 1
        db.session.expunge_all()
        return items[0]


def test_plain_post_redirects_with_303_and_shows_reference_and_tracking_link(app, client):
    response = submit(client, COMMITMENT_URL, consent_to_quote="y")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/feedback/confirmation")

    page = client.get("/feedback/confirmation").get_data(as_text=True)
    item = only_item(app)
    assert REFERENCE.fullmatch(item.reference)
    assert item.reference in page
    assert item.channel is Channel.WEB
    assert item.status is FeedbackStatus.NEW
    assert item.consent_to_quote is True
    assert item.rating == 4
    assert item.commitment.slug == "safe-spaces-at-stations-and-travel-centres"

    link = re.search(r'id="tracking-link" href="([^"]+)"', page).group(1)
    token = link.rsplit("/track/", 1)[1]
    assert len(token) >= 22  # 24 random bytes, base64url: 192 bits
    tracking = client.get(link.replace("http://portal.test", ""))
    assert tracking.status_code == 200
    body = tracking.get_data(as_text=True)
    assert item.reference in body and "Received" in body
    assert tracking.headers.getlist("Referrer-Policy") == ["no-referrer"]  # the view's, once


def test_htmx_post_swaps_in_confirmation_and_pushes_url(app, client):
    response = submit(client, COMMITMENT_URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/feedback/confirmation"
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Feedback sent" in html
    assert only_item(app).reference in html


def test_general_feedback_with_optional_commitment(app, client):
    assert submit(client, "/feedback").status_code == 303
    assert only_item(app).commitment_id is None


def test_general_feedback_about_a_chosen_commitment(app, client):
    assert submit(client, "/feedback", commitment="foodbank-collection-points").status_code == 303
    assert only_item(app).commitment.slug == "foodbank-collection-points"


def test_contact_details_stored_apart_only_with_consent(app, client):
    response = submit(
        client, "/feedback", name="A Person", email="person@example.com", consent_to_contact="y"
    )
    assert response.status_code == 303
    with app.app_context():
        contact = db.session.scalar(select(ContactDetails))
        assert contact.email == "person@example.com"
        assert contact.consent_to_contact is True
        assert contact.consent_version and contact.consented_at


def test_consent_to_quote_is_off_unless_ticked(app, client):
    page = client.get("/feedback").get_data(as_text=True)
    quote_box = re.search(r'<input[^>]*name="consent_to_quote"[^>]*>', page).group(0)
    assert "checked" not in quote_box
    submit(client, "/feedback")
    assert only_item(app).consent_to_quote is False


BAD_INPUTS = [
    ({"body": ""}, "body", "Enter your feedback"),
    ({"body": "too short"}, "body", "Feedback must be 10 characters or more"),
    ({"body": " " * 15}, "body", "Enter your feedback"),
    ({"body": "   short      "}, "body", "Feedback must be 10 characters or more"),
    ({"body": "x" * 5001}, "body", "Feedback must be 5,000 characters or fewer"),
    ({"stakeholder_type": None}, "stakeholder_type", "Select who you are giving feedback as"),
    ({"stakeholder_type": "alien"}, "stakeholder_type", "Not a valid choice"),
    (
        {"email": "not-an-email", "consent_to_contact": "y"},
        "email",
        "Enter an email address in the correct format",
    ),
    (
        {"email": "person@example.com", "name": "A Person"},
        "consent_to_contact",
        "Tick the box to agree to be contacted",
    ),
    ({"consent_to_contact": "y"}, "email", "Enter your email address so we can contact you"),
    ({"rating": "7"}, "rating", "Not a valid choice"),
    ({"locality": "atlantis"}, "locality", "Not a valid choice"),
    ({"commitment": "no-such-commitment"}, "commitment", "Choose a commitment from the list"),
    ({"organisation": "o" * 201}, "organisation", "200 characters or fewer"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUTS)
def test_bad_input_shows_summary_and_field_error_keeps_input_stores_nothing(
    app, client, changes, field, message
):
    response = submit(client, "/feedback", **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert f'href="#{field}"' in html  # the summary links to the field
    assert message in html
    assert html.count(message) >= 2  # in the summary and at the field
    assert "<title>Error:" in html
    # What the person typed is kept.
    typed = valid_answers(**changes).get("body", "")
    if typed and len(typed) < 200:
        assert typed in html
    assert count(app) == 0
    assert count(app, ContactDetails) == 0


def test_bad_input_over_htmx_returns_the_form_block_with_errors(app, client):
    response = submit(client, "/feedback", headers={"HX-Request": "true"}, body="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "There is a problem" in html and "Enter your feedback" in html
    assert count(app) == 0


def test_inline_validation_returns_one_field_with_its_error(client):
    page = client.get("/feedback").get_data(as_text=True)
    data = hidden_fields(page) | {"body": "short"}
    html = client.post("/feedback/validate?field=body", data=data).get_data(as_text=True)
    assert 'id="field-body"' in html
    assert "Feedback must be 10 characters or more" in html
    assert 'id="field-email"' not in html
    ok = client.post(
        "/feedback/validate?field=body", data=data | {"body": "Long enough feedback text"}
    ).get_data(as_text=True)
    assert "govuk-error-message" not in ok


def test_inline_validation_refuses_unknown_fields(client):
    page = client.get("/feedback").get_data(as_text=True)
    response = client.post("/feedback/validate?field=csrf_token", data=hidden_fields(page))
    assert response.status_code == 400


EXPIRED = "Your session timed out. Check your feedback and send it again."
TYPED = "The lifts at Liverpool Central were out of order for a week & nobody said <why>."


def assert_form_kept(response, typed: str = TYPED) -> str:
    """The same form again: 400, the message in the error summary, the text still in the box."""
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and EXPIRED in html
    assert 'href="#body"' in html
    assert escape(typed) in html  # in the textarea, escaped
    assert 'value="passenger" checked' in html
    assert "Your form has expired" not in html
    return html


@pytest.mark.parametrize("url", ["/feedback", COMMITMENT_URL])
def test_missing_csrf_token_shows_the_form_again_as_typed(app, client, url):
    response = client.post(url, data=valid_answers(body=TYPED, organisation="Kept Ltd"))
    html = assert_form_kept(response)
    assert 'value="Kept Ltd"' in html
    assert count(app) == 0
    # The form carries a fresh token: sending it again as it is now works.
    again = client.post(url, data=hidden_fields(html) | valid_answers(body=TYPED))
    assert again.status_code == 303
    assert count(app) == 1


def test_expired_csrf_token_shows_the_form_again_as_typed(app, client):
    page = client.get("/feedback").get_data(as_text=True)
    data = hidden_fields(page) | valid_answers(body=TYPED)
    data["csrf_token"] = "IjAxMjM0NTY3ODkwMTIzNDU2Nzg5Ig.ZZZZZZ.bad-signature"
    html = assert_form_kept(client.post("/feedback", data=data))
    assert count(app) == 0
    fresh = hidden_fields(html)
    assert fresh["csrf_token"] != data["csrf_token"]
    assert fresh["submission_key"] == data["submission_key"]  # still one item if sent twice


def test_expired_token_over_htmx_returns_the_form_block(app, client):
    data = valid_answers(body=TYPED)
    response = client.post("/feedback", data=data, headers={"HX-Request": "true"})
    html = assert_form_kept(response)
    assert response.headers["X-Form-Expired"] == "true"
    assert "<html" not in html
    assert count(app) == 0


def test_inline_validation_with_an_expired_token_still_checks_the_field(client):
    response = client.post("/feedback/validate?field=body", data={"body": "short"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="field-body"' in html and "10 characters or more" in html


def test_body_over_one_megabyte_gets_413(app, client):
    page = client.get("/feedback").get_data(as_text=True)
    data = hidden_fields(page) | valid_answers(body="x" * (1024 * 1024 + 10))
    response = client.post("/feedback", data=data)
    assert response.status_code == 413
    assert "larger than 1 MB" in response.get_data(as_text=True)
    assert count(app) == 0


def test_double_submit_with_the_same_key_creates_one_item(app, client):
    page = client.get(COMMITMENT_URL).get_data(as_text=True)
    data = hidden_fields(page) | valid_answers()
    first = client.post(COMMITMENT_URL, data=data)
    second = client.post(COMMITMENT_URL, data=data)
    assert first.status_code == second.status_code == 303
    assert count(app) == 1
    confirmation = client.get("/feedback/confirmation").get_data(as_text=True)
    assert only_item(app).reference in confirmation


def test_resubmit_from_another_session_with_the_same_key_is_not_duplicated(app, client):
    page = client.get(COMMITMENT_URL).get_data(as_text=True)
    data = hidden_fields(page) | valid_answers()
    assert client.post(COMMITMENT_URL, data=data).status_code == 303
    other = app.test_client()
    other_page = other.get(COMMITMENT_URL).get_data(as_text=True)
    other_data = hidden_fields(other_page) | valid_answers()
    other_data["submission_key"] = data["submission_key"]
    assert other.post(COMMITMENT_URL, data=other_data).status_code == 303
    assert count(app) == 1
    shown = other.get("/feedback/confirmation").get_data(as_text=True)
    assert "did not save it twice" in shown
    assert "tracking-link" not in shown


def test_each_form_gets_a_fresh_submission_key(client):
    keys = {hidden_fields(client.get("/feedback").get_data(as_text=True))["submission_key"]}
    keys.add(hidden_fields(client.get("/feedback").get_data(as_text=True))["submission_key"])
    assert len(keys) == 2


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> =HYPERLINK("http://x")'


def test_html_scripts_and_formulas_are_stored_as_text_and_shown_escaped(app, client):
    response = submit(client, "/feedback", body=HOSTILE, organisation="<b>Org</b>")
    assert response.status_code == 303
    item = only_item(app)
    assert item.body == HOSTILE
    assert item.organisation == "<b>Org</b>"
    page = client.get("/feedback/confirmation").get_data(as_text=True)
    link = re.search(r'id="tracking-link" href="http://portal.test([^"]+)"', page).group(1)
    html = client.get(link).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_hostile_input_is_escaped_when_redisplayed_after_an_error(client):
    response = submit(client, "/feedback", body=HOSTILE, stakeholder_type=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_honeypot_stores_nothing_but_looks_like_success(app, client):
    response = submit(client, "/feedback", website="http://spam.example")
    assert response.status_code == 303
    assert count(app) == 0
    assert "Feedback sent" in client.get("/feedback/confirmation").get_data(as_text=True)


def test_tracking_page_shows_published_reply_and_unknown_token_is_404(app, client):
    submit(client, "/feedback")
    page = client.get("/feedback/confirmation").get_data(as_text=True)
    link = re.search(r'id="tracking-link" href="http://portal.test([^"]+)"', page).group(1)
    assert "We have not replied yet" in client.get(link).get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(Feedback))
        item.public_reply = "We have added two collection points at <Moorfields>."
        item.status = FeedbackStatus.ACTIONED
        db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert "We have added two collection points at &lt;Moorfields&gt;." in html
    assert "Action taken" in html
    assert client.get("/track/not-a-real-token").status_code == 404


def test_confirmation_without_a_submission_redirects_to_the_form(client):
    response = client.get("/feedback/confirmation")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/feedback")


def test_general_form_rates_delivery_only_for_a_chosen_commitment(app, client):
    page = client.get("/feedback").get_data(as_text=True)
    assert "data-app-needs-commitment" in page and "Only if you chose a commitment above" in page
    assert submit(client, "/feedback", rating="4", commitment="").status_code == 303
    assert only_item(app).rating is None  # no commitment: nothing was rated
    with app.app_context():
        db.session.execute(Feedback.__table__.delete())
        db.session.commit()
    chosen = "foodbank-collection-points"
    assert submit(client, "/feedback", rating="4", commitment=chosen).status_code == 303
    assert only_item(app).rating == 4


def test_name_and_email_are_revealed_by_the_consent_box(client):
    html = client.get("/feedback").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="consent_to_contact"[^>]*>', html).group(0)
    assert 'data-aria-controls="conditional-consent_to_contact"' in box
    assert {"name", "email"} <= ids_inside(html, "conditional-consent_to_contact")
    assert "consent_to_quote" not in ids_inside(html, "conditional-consent_to_contact")


def ids_inside(html: str, element_id: str) -> set[str]:
    """The ids of the elements inside the element with `element_id`."""
    from html.parser import HTMLParser

    class Finder(HTMLParser):
        depth = 0
        found: set[str] = set()

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if self.depth:
                if tag not in ("input", "br", "img", "meta", "link"):
                    self.depth += 1
                if attributes.get("id"):
                    self.found.add(attributes["id"])
            elif attributes.get("id") == element_id:
                self.depth = 1

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

    finder = Finder()
    finder.found = set()
    finder.feed(html)
    return finder.found
