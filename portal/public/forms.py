"""The public feedback form."""

from __future__ import annotations

import re
from collections.abc import Callable

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

RATING_CHOICES = [
    ("1", "1 – very poorly"),
    ("2", "2 – poorly"),
    ("3", "3 – neither well nor poorly"),
    ("4", "4 – well"),
    ("5", "5 – very well"),
]


class OptionalRadioField(RadioField):
    """A radio group that may be left unanswered but refuses values outside its choices."""

    def pre_validate(self, form: PortalForm) -> None:
        if self.data in (None, "", "None"):
            return
        super().pre_validate(form)


class TransportModeField(OptionalRadioField):
    """The optional "What is it about?" question, with a plain message for unknown values."""

    def pre_validate(self, form: PortalForm) -> None:
        if self.data in (None, "", "None"):
            return
        if self.data not in {value for value, _ in self.choices}:
            raise ValidationError("Choose what your feedback is about from the list, or none")


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
    transport_mode = TransportModeField(
        "What is it about? (optional)",
        description="If your feedback is about a kind of transport or a place we run, choose it.",
        choices=TRANSPORT_MODE_CHOICES,
        widget=GovRadioInput(),
        validators=[Optional()],
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
        validators=[Optional()],
    )
    rating = OptionalRadioField(
        "How well is this commitment being delivered? (optional)",
        choices=RATING_CHOICES,
        widget=GovRadioInput(),
        validators=[Optional()],
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
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
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

    def validate_submission_key(self, field: HiddenField) -> None:
        if field.data and not SUBMISSION_KEY.fullmatch(field.data):
            raise ValidationError(FORM_CHANGED)

    def validate_rating(self, field: RadioField) -> None:
        if field.data not in (None, "", "None") and field.data not in {"1", "2", "3", "4", "5"}:
            raise ValidationError("Choose a rating from 1 to 5")

    def to_new_feedback(self, commitment: Commitment | None, **extra) -> NewFeedback:
        """Return the validated answers as the service's input."""
        consent = bool(self.consent_to_contact.data)
        return NewFeedback(
            body=self.body.data.strip(),
            stakeholder_type=StakeholderType(self.stakeholder_type.data),
            commitment_id=commitment.id if commitment else None,
            organisation=(self.organisation.data or "").strip() or None,
            locality=Locality(self.locality.data) if self.locality.data else None,
            transport_mode=(
                TransportMode(self.transport_mode.data) if self.transport_mode.data else None
            ),
            # Delivery is rated only for a chosen commitment.
            rating=int(self.rating.data) if self.rating.data and commitment else None,
            consent_to_quote=bool(self.consent_to_quote.data),
            consent_to_contact=consent,
            name=((self.name.data or "").strip() or None) if consent else None,
            email=((self.email.data or "").strip() or None) if consent else None,
            submission_key=self.submission_key.data or None,
            **extra,
        )

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
