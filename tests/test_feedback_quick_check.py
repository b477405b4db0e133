"""A posted feedback form that passes is checked without building the WTForms form (issue 17).

`plainly_valid_answers` must never let through what `FeedbackForm` refuses, and what it lets
through must be stored exactly as the form would have stored it; anything it is unsure of goes to
`FeedbackForm`, which shows every error as before. Compared here on a corpus of answers: every
field's usual, empty, unusual and wrong values, repeated fields, the consent rules, a chosen
commitment (real, retired-looking, unknown) and a commitment's own page.
"""

from __future__ import annotations

from itertools import product

import pytest
from flask import Flask, g
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.models import Feedback
from portal.public import service
from portal.public.forms import FeedbackForm, new_feedback, plainly_valid_answers
from tests.conftest import hidden_fields, valid_answers

KEY = "k" * 32
LONG = "x" * 5000

VARIANTS: dict[str, list[object]] = {
    "body": [
        None,
        "",
        "short",
        "  ten chars ",
        "         .",
        "Lift at Bootle is out",
        LONG,
        LONG + "y",
    ],
    "stakeholder_type": [None, "", "passenger", "resident", "Passenger", " passenger", "x"],
    "transport_mode": [None, "", "bus", "merseyrail-rail", "None", " ", "rail"],
    "locality": [None, "", "liverpool", "wirral", "None", " ", "atlantis"],
    "rating": [None, "", "1", "5", "0", "6", "4.0", " ", "None"],
    "organisation": [None, "", "   ", "Merseytravel", "o" * 200, "o" * 201, " " * 201],
    "name": [None, "", "   ", "Sam", "n" * 201],
    "email": [None, "", "  ", "sam@example.com", " sam@example.com", "not-an-email", "a@b"],
    "consent_to_contact": [None, "", "y", "false", "False", "0"],
    "consent_to_quote": [None, "", "y", "false"],
    "submission_key": [None, "", KEY, "short", "k" * 65, "bad key with spaces ok?"],
    "website": [None, "", "http://spam.example"],
}


def _forms(slug: str) -> list[MultiDict]:
    base = {
        "body": "The lift at Bootle has been out of use for a week",
        "stakeholder_type": "passenger",
        "submission_key": KEY,
    }
    forms = []
    for field, values in VARIANTS.items():
        for value in values:
            data = dict(base)
            if value is None:
                data.pop(field, None)
            else:
                data[field] = value
            forms.append(MultiDict(data))
    # The consent rules join three fields.
    for consent, name, email in product(
        [None, "y"], [None, "", "Sam"], [None, "", "sam@example.com", "bad"]
    ):
        data = dict(base)
        for field, value in (("consent_to_contact", consent), ("name", name), ("email", email)):
            if value is not None:
                data[field] = value
        forms.append(MultiDict(data))
    for commitment in ["", slug, slug.upper(), "no-such-commitment", " "]:
        forms.append(MultiDict({**base, "commitment": commitment, "rating": "3"}))
    # Repeated fields: the form reads the first value.
    repeated = {
        "body": ["The first text of the two", "The second text of the two"],
        "stakeholder_type": ["passenger", "resident"],
        "transport_mode": ["bus", "merseyrail-rail"],
        "locality": ["wirral", "halton"],
        "rating": ["2", "5"],
        "organisation": ["Merseytravel", "Arriva"],
        "consent_to_quote": ["y", "false"],
        "submission_key": [KEY, "m" * 32],
        "commitment": [slug, ""],
    }
    for field, values in repeated.items():
        data = MultiDict({k: v for k, v in base.items() if k != field})
        for value in values:
            data.add(field, value)
        forms.append(data)
    return forms


def _compare(app: Flask, data: MultiDict, commitment=None) -> bool:
    """Check one posted form both ways; return whether the quick check answered."""
    with app.test_request_context("/feedback", method="POST", data=data):
        g.csrf_valid = True  # as after CSRFProtect's check before the view
        quick = plainly_valid_answers(commitment, find_commitment=service.get_commitment)
        if commitment is not None:
            form = FeedbackForm(commitment_choices=[(commitment.slug, commitment.title)])
            form.commitment.data = commitment.slug
        else:
            form = FeedbackForm(find_commitment=service.get_commitment)
        valid = form.validate() and not form.website.data
        if quick is None:
            return False
        answers, chosen = quick
        assert valid, (dict(data), form.errors)
        expected = commitment if commitment is not None else form.chosen_commitment
        assert chosen is expected
        assert new_feedback(answers, chosen) == form.to_new_feedback(expected)
        return True


def test_the_quick_check_passes_only_what_the_form_passes_and_reads_it_the_same(app, app_ctx):
    slug = service.commitment_choices()[0][0]
    forms = _forms(slug)
    answered = [data for data in forms if _compare(app, data)]
    # Not vacuous: the usual answers (and many unusual but valid ones) take the quick path.
    assert len(answered) > len(forms) // 3
    assert any(data.get("commitment") == slug for data in answered)
    assert any(data.get("email") == "sam@example.com" for data in answered)


def test_on_a_commitment_s_own_page_the_answer_is_that_commitment(app, app_ctx):
    commitment = service.get_commitment(service.commitment_choices()[0][0])
    forms = _forms(commitment.slug)
    answered = [data for data in forms if _compare(app, data, commitment)]
    assert len(answered) > len(forms) // 3


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"email": "sam@example.com", "consent_to_contact": "y", "name": "Sam"},
        {"locality": "", "rating": ""},
    ],
)
def test_a_form_that_passes_is_stored_without_building_the_form(app, client, monkeypatch, changes):
    page = client.get("/feedback").get_data(as_text=True)
    built = []
    original = FeedbackForm.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FeedbackForm, "__init__", counting)
    response = client.post("/feedback", data=hidden_fields(page) | valid_answers(**changes))
    assert response.status_code == 303
    assert built == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1


def test_a_form_with_an_error_is_shown_by_the_form_as_before(app, client):
    page = client.get("/feedback").get_data(as_text=True)
    response = client.post("/feedback", data=hidden_fields(page) | valid_answers(body="short"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Feedback must be 10 characters or more" in text
    assert 'value="short"' in text or ">short<" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_the_quick_check_leaves_the_form_token_to_the_form_when_it_was_not_checked(app):
    # With the check before every view switched off, the form token is the form's own to check.
    with app.test_request_context(
        "/feedback", method="POST", data=valid_answers(submission_key=KEY)
    ):
        assert plainly_valid_answers(None) is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("transport_mode", " ", "Choose what your feedback is about from the list, or none"),
        ("transport_mode", "None", "Choose what your feedback is about from the list, or none"),
        ("locality", " ", "Not a valid choice"),
        ("locality", "None", "Not a valid choice"),
        ("rating", " ", "Not a valid choice"),
        ("rating", "None", "Not a valid choice"),
    ],
)
def test_an_unknown_optional_answer_is_an_error_not_a_server_error(
    app, client, field, value, message
):
    # Spaces and "None" were let through as answers and stored as unknown choices: a 500.
    page = client.get("/feedback").get_data(as_text=True)
    response = client.post("/feedback", data=hidden_fields(page) | valid_answers(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0
