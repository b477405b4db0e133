"""The public feedback form."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app, g, request
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..fields import PortalForm
from ..inputs import TEXT_MAX
from ..models import STAKEHOLDER_LABELS, Commitment, Locality, StakeholderType, TransportMode
from .service import NewFeedback

BODY_MIN = 10
BODY_MAX = TEXT_MAX

STAKEHOLDER_CHOICES = [(member.value, label) for member, label in STAKEHOLDER_LABELS.items()]
LOCALITY_CHOICES = [(member.value, member.label) for member in Locality]
TRANSPORT_MODE_CHOICES = [(member.value, member.label) for member in TransportMode]
CONSENT_NEEDS_EMAIL = "Enter your email address so we can contact you"
DETAILS_NEED_CONSENT = (
    "Tick the box to agree to be contacted, or remove your name and email address"
)

SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")
FORM_CHANGED = "This form could not be checked. Check your answers and send it again"

EMAIL_FORMAT = Email(
    message="Enter an email address in the correct format, like name@example.com",
    check_deliverability=False,
)

RATING_CHOICES = [
    ("1", "1 – very poorly"),
    ("2", "2 – poorly"),
    ("3", "3 – neither well nor poorly"),
    ("4", "4 – well"),
    ("5", "5 – very well"),
]


class OptionalRadioField(RadioField):
    """A radio group that may be left unanswered (nothing sent, or an empty value) but refuses
    anything outside its choices with `message`. Its validator is `Optional(strip_whitespace=
    False)`: a value of spaces is not "unanswered" (it was let through as a value and stored
    as an unknown choice: a server error)."""

    def __init__(self, *args, message: str = "Not a valid choice.", **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def pre_validate(self, form: PortalForm) -> None:
        if self.data in (None, ""):
            return
        if self.data not in {value for value, _ in self.choices}:
            raise ValidationError(self.message)


class FeedbackForm(PortalForm):
    """What a person tells the Combined Authority about a commitment (or in general)."""

    commitment = SelectField(
        "Which commitment is this about? (optional)",
        description="Leave this as it is if your feedback is about the framework as a whole.",
        widget=GovSelect(),
        validate_choice=False,
    )
    body = TextAreaField(
        "What do you think?",
        description=(
            "Tell us what is working, what is not, and what we could do better. "
            "Do not include personal details such as phone numbers."
        ),
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter your feedback"),
            Length(min=BODY_MIN, message=f"Feedback must be {BODY_MIN} characters or more"),
            Length(max=BODY_MAX, message=f"Feedback must be {BODY_MAX:,} characters or fewer"),
        ],
    )
    transport_mode = OptionalRadioField(
        "What is it about? (optional)",
        description="If your feedback is about a kind of transport or a place we run, choose it.",
        choices=TRANSPORT_MODE_CHOICES,
        widget=GovRadioInput(),
        validators=[Optional(strip_whitespace=False)],
        message="Choose what your feedback is about from the list, or none",
    )
    stakeholder_type = RadioField(
        "Who are you giving feedback as?",
        choices=STAKEHOLDER_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select who you are giving feedback as")],
    )
    organisation = StringField(
        "Organisation name (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=200, message="Organisation name must be 200 characters or fewer"),
        ],
    )
    locality = OptionalRadioField(
        "Where are you based? (optional)",
        choices=LOCALITY_CHOICES,
        widget=GovRadioInput(),
        validators=[Optional(strip_whitespace=False)],
    )
    rating = OptionalRadioField(
        "How well is this commitment being delivered? (optional)",
        choices=RATING_CHOICES,
        widget=GovRadioInput(),
        validators=[Optional(strip_whitespace=False)],
    )
    consent_to_contact = BooleanField(
        "I agree to be contacted by the Combined Authority about this feedback",
        widget=GovCheckboxInput(),
    )
    name = StringField(
        "Your name (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    email = StringField(
        "Email address",
        description="We will only use this to contact you about your feedback.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            EMAIL_FORMAT,
        ],
    )
    consent_to_quote = BooleanField(
        "You may quote my comment anonymously in public reports",
        description="We will remove anything that could identify you before quoting it.",
        widget=GovCheckboxInput(),
    )
    submission_key = HiddenField()  # one-time key: 32 URL-safe characters (service.py)
    # Honeypot: hidden from people by CSS and from assistive technology; bots fill it in.
    website = StringField("Leave this field empty")

    def __init__(
        self,
        *args,
        commitment_choices: list[tuple[str, str]] | None = None,
        find_commitment: Callable[[str], Commitment | None] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.find_commitment = find_commitment
        self.chosen_commitment: Commitment | None = None
        self.set_commitment_choices(commitment_choices or [])

    def set_commitment_choices(self, choices: list[tuple[str, str]]) -> None:
        """Give the commitment question its choices (to render the form)."""
        self.commitment.choices = [("", "Not about one commitment")] + choices

    def validate_commitment(self, field: SelectField) -> None:
        if field.data and self.find_commitment is not None:
            # A posted form looks up the one commitment chosen (needed to store the item
            # anyway) instead of listing every commitment in use to check the answer.
            self.chosen_commitment = self.find_commitment(field.data)
            if self.chosen_commitment is None:
                raise ValidationError("Choose a commitment from the list")
            return
        allowed = {value for value, _ in field.choices}
        if field.data and field.data not in allowed:
            raise ValidationError("Choose a commitment from the list")

    def validate_body(self, field: TextAreaField) -> None:
        # The length that counts is the text's, without the spaces around it (it is stored
        # stripped): fifteen spaces were accepted and stored as empty feedback.
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Enter your feedback")
        if len(text) < BODY_MIN:
            raise ValidationError(f"Feedback must be {BODY_MIN} characters or more")

    def validate_rating(self, field: RadioField) -> None:
        if field.data not in (None, "") and field.data not in {"1", "2", "3", "4", "5"}:
            raise ValidationError("Choose a rating from 1 to 5")

    def validate_submission_key(self, field: HiddenField) -> None:
        if field.data and not SUBMISSION_KEY.fullmatch(field.data):
            raise ValidationError(FORM_CHANGED)

    def to_new_feedback(self, commitment: Commitment | None, **extra) -> NewFeedback:
        """Return the validated answers as the service's input."""
        answers = {name: field.data for name, field in self._fields.items()}
        return new_feedback(answers, commitment, **extra)

    def validate(self, extra_validators=None) -> bool:
        """Validate each field, then the rules that join consent to contact details."""
        valid = super().validate(extra_validators)
        # Checked here, not in field validators: Optional() would skip them on an empty field.
        email_given = bool((self.email.data or "").strip())
        name_given = bool((self.name.data or "").strip())
        if self.consent_to_contact.data and not email_given and not self.email.errors:
            self.email.errors = [*self.email.errors, CONSENT_NEEDS_EMAIL]
            valid = False
        if (email_given or name_given) and not self.consent_to_contact.data:
            self.consent_to_contact.errors = [*self.consent_to_contact.errors, DETAILS_NEED_CONSENT]
            valid = False
        return valid


def new_feedback(answers: Mapping[str, Any], commitment: Commitment | None, **extra) -> NewFeedback:
    """Return valid answers (each field's data, by name) as the service's input."""
    consent = bool(answers["consent_to_contact"])
    return NewFeedback(
        body=answers["body"].strip(),
        stakeholder_type=StakeholderType(answers["stakeholder_type"]),
        commitment_id=commitment.id if commitment else None,
        organisation=(answers["organisation"] or "").strip() or None,
        locality=Locality(answers["locality"]) if answers["locality"] else None,
        transport_mode=(
            TransportMode(answers["transport_mode"]) if answers["transport_mode"] else None
        ),
        # Delivery is rated only for a chosen commitment.
        rating=int(answers["rating"]) if answers["rating"] and commitment else None,
        consent_to_quote=bool(answers["consent_to_quote"]),
        consent_to_contact=consent,
        name=((answers["name"] or "").strip() or None) if consent else None,
        email=((answers["email"] or "").strip() or None) if consent else None,
        submission_key=answers["submission_key"] or None,
        **extra,
    )


_STAKEHOLDER_VALUES = frozenset(value for value, _ in STAKEHOLDER_CHOICES)
_OPTIONAL_CHOICES = {
    "transport_mode": frozenset(value for value, _ in TRANSPORT_MODE_CHOICES) | {""},
    "locality": frozenset(value for value, _ in LOCALITY_CHOICES) | {""},
    "rating": frozenset(value for value, _ in RATING_CHOICES) | {""},
}
_OPTIONAL_TEXT = {"organisation": 200, "name": 200, "email": 320}
_FALSE_VALUES = (False, "false", "")  # BooleanField.false_values


class _Value:
    """What a WTForms validator reads of a field: its data."""

    def __init__(self, data: str) -> None:
        self.data = data

    def gettext(self, string: str) -> str:
        return string


def plainly_valid_answers(
    commitment: Commitment | None,
    find_commitment: Callable[[str], Commitment | None] | None = None,
) -> tuple[dict[str, Any], Commitment | None] | None:
    """Check a posted feedback form without building the WTForms form, for the usual case: a
    form that passes. Return its answers (each field's data, as `FeedbackForm` would have them)
    and the commitment chosen; or None whenever the form might not pass, or its data might differ
    from the form's (anything unusual: a repeated field, a file, a filled honeypot, an email
    address the format check refuses...). None means "let `FeedbackForm` decide": it shows
    every error as always. Building and validating the 14-field form was about a tenth of a
    submission's CPU; this reads the values the form would read and applies the same rules.
    `tests/test_feedback_quick_check.py` compares the two on a corpus of answers.

    `commitment` is the page's own commitment (its answer is always itself); otherwise the
    chosen one is looked up with `find_commitment`, as `validate_commitment` does.
    """
    if request.files or request.is_json or not request.form:
        return None  # the form reads files and JSON bodies in its own ways
    if current_app.config.get("WTF_CSRF_ENABLED", True) and not g.get("csrf_valid"):
        return None  # the form token is then the form's own to check
    form = request.form
    answers: dict[str, Any] = {}
    for name in ("body", "stakeholder_type", *_OPTIONAL_CHOICES, *_OPTIONAL_TEXT):
        values = form.getlist(name)
        if len(values) > 1:
            return None
        answers[name] = values[0] if values else None
    body = answers["body"]
    if not body or not BODY_MIN <= len(body.strip()) or len(body) > BODY_MAX:
        return None
    if answers["stakeholder_type"] not in _STAKEHOLDER_VALUES:
        return None
    for name, allowed in _OPTIONAL_CHOICES.items():
        if answers[name] is not None and answers[name] not in allowed:
            return None
    for name, longest in _OPTIONAL_TEXT.items():
        if answers[name] is not None and len(answers[name]) > longest:
            return None
    for name in ("consent_to_contact", "consent_to_quote"):
        values = form.getlist(name)
        answers[name] = bool(values) and values[0] not in _FALSE_VALUES
    for name in ("submission_key", "website", "commitment"):
        values = form.getlist(name)
        if len(values) > 1:
            return None
        answers[name] = values[0] if values else None
    if answers["website"]:
        return None  # the honeypot: the view's own answer
    key = answers["submission_key"]
    if key and not SUBMISSION_KEY.fullmatch(key):
        return None
    email_given = bool((answers["email"] or "").strip())
    name_given = bool((answers["name"] or "").strip())
    if email_given:
        try:
            EMAIL_FORMAT(None, _Value(answers["email"]))
        except ValidationError:
            return None
    consent = answers["consent_to_contact"]
    if (consent and not email_given) or ((email_given or name_given) and not consent):
        return None
    if commitment is not None:
        answers["commitment"] = commitment.slug
        return answers, commitment
    chosen = None
    if answers["commitment"]:
        if find_commitment is None:
            return None
        chosen = find_commitment(answers["commitment"])
        if chosen is None:
            return None
    return answers, chosen
