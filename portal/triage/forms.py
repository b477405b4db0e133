"""Triage forms: feedback received by email, phone or in person, and the item and bulk actions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, ValidationError

from ..fields import GovDateField, HiddenWithoutId, PortalForm, ValueIdCheckboxes, ValueIdRadios
from ..models import Channel
from ..public.forms import FeedbackForm

STAFF_CHANNELS = [
    (Channel.EMAIL.value, "Email"),
    (Channel.PHONE.value, "Phone"),
    (Channel.IN_PERSON.value, "In person (for example at a travel centre)"),
]


class StaffFeedbackForm(FeedbackForm):
    """The public form plus how and when the feedback reached us."""

    channel = RadioField(
        "How did this feedback reach us?",
        choices=STAFF_CHANNELS,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how the feedback reached us")],
    )
    received_on = GovDateField(
        "When was it received?",
        description="For example, 27 3 2026",
        error_name="the date received",
        validators=[InputRequired(message="Enter the date the feedback was received")],
    )

    def validate_received_on(self, field: GovDateField) -> None:
        if field.data and field.data > datetime.now(UTC).date():
            raise ValidationError("The date received must be today or in the past")
        if field.data and field.data < date(2022, 4, 1):
            raise ValidationError("The date received must be on or after 1 April 2022")


# The item page's and the inbox's action forms. Each is read through its class (never
# `request.form` by hand) and the item page renders them with govuk-frontend-wtf; what a value
# must be is checked by the triage rules, which give the message, so the fields here only carry
# what was posted (a choice field takes any value: the rule refuses one not on the list).


class Posted(StringField):
    """A posted value as typed; None when the form did not send it at all."""


class Offered:
    """A choice field that passes on what was posted as it is (the rule refuses a value that is
    not on the list); the page sets its choices."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("choices", [])
        super().__init__(*args, **kwargs)


class PostedChoice(Offered, RadioField):
    """Radios (None when none was sent)."""

    widget = ValueIdRadios()


class PostedIds(Offered, SelectMultipleField):
    """Ticked identifiers (checkboxes sharing one name)."""

    widget = ValueIdCheckboxes()


class PostedSelect(Offered, SelectField):
    """A select."""

    widget = GovSelect()


class ItemActionForm(PortalForm):
    class Meta:
        csrf = False  # checked for every POST by CSRFProtect already

    return_to = HiddenField(widget=HiddenWithoutId())  # the page (with its filters) to go back to


class TagsForm(ItemActionForm):
    role_ids = PostedIds("Roles")
    theme_ids = PostedIds("Themes")
    code_ids = PostedIds("Codes")
    transport_mode = PostedChoice("Transport mode or asset")


class NewCodeForm(ItemActionForm):
    name = Posted("Create a code and add it", default="", widget=GovTextInput())
    parent_id = PostedSelect("Under (optional)")


class AssessmentForm(ItemActionForm):
    sentiment = PostedChoice("Sentiment", default="")
    priority = PostedChoice("Priority", default="normal")


class StatusForm(ItemActionForm):
    status = PostedChoice(default="")
    duplicate_of = Posted(
        "If duplicate: reference of the original", default="", widget=GovTextInput()
    )


class DuplicateOfForm(ItemActionForm):
    """The "Mark as duplicate" button beside a similar item: a StatusForm with both values set."""

    status = HiddenField(default="duplicate", widget=HiddenWithoutId())
    duplicate_of = HiddenField(widget=HiddenWithoutId())


class AssignForm(ItemActionForm):
    assignee = PostedSelect("Assign to")


class NoteForm(ItemActionForm):
    body = Posted("Add a note (staff only, never public)", default="", widget=GovTextArea())


class ReplyForm(ItemActionForm):
    reply = Posted("Reply shown on the submitter's tracking page", default="", widget=GovTextArea())


class QuoteApprovalForm(ItemActionForm):
    approve = HiddenField(widget=HiddenWithoutId())


class BulkForm(ItemActionForm):
    ids = SelectMultipleField(validate_choice=False)
    action = Posted(default="")
    code_id = Posted()
    status = Posted(default="")
    assignee = Posted()
    duplicate_of = Posted(default="")


def item_forms(
    item, choices: dict, transitions: list, return_to: str, typed: dict[str, str]
) -> dict[str, ItemActionForm]:
    """Return the item page's forms, filled from the item; `typed` holds a refused note or
    reply (by field id: `note-body`, `reply`), shown again as it was typed."""

    def blank(form_class: type[ItemActionForm], **data) -> ItemActionForm:
        return form_class(formdata=None, return_to=return_to, **data)

    def options(chosen, offered) -> list[tuple[str, str]]:
        # Retired ones still on the item stay listed (and ticked), so saving keeps them.
        shown = list(offered) + [c for c in chosen if c not in offered]
        return [(str(o.id), o.label if hasattr(o, "label") else o.name) for o in shown]

    tags = blank(
        TagsForm,
        role_ids=[str(r.id) for r in item.roles],
        theme_ids=[str(t.id) for t in item.themes],
        code_ids=[str(c.id) for c in item.codes],
        transport_mode=item.transport_mode.value if item.transport_mode else "none",
    )
    tags.role_ids.choices = options(item.roles, choices["roles"])
    tags.theme_ids.choices = options(item.themes, choices["themes"])
    tags.code_ids.choices = options(item.codes, choices["codes"])
    tags.transport_mode.choices = [("none", "Not about a transport mode or asset")] + [
        (mode.value, mode.label) for mode in choices["transport_modes"]
    ]

    new_code = blank(NewCodeForm)
    new_code.parent_id.choices = [("", "No parent")] + [
        (str(c.id), c.name) for c in choices["codes"] if not c.parent_id
    ]

    assessment = blank(
        AssessmentForm,
        sentiment=item.sentiment.value if item.sentiment else "",
        priority=item.priority.value,
    )
    assessment.sentiment.choices = [("", "Not set")] + [
        (s.value, s.label) for s in choices["sentiments"]
    ]
    assessment.priority.choices = [(p.value, p.label) for p in choices["priorities"]]

    status = blank(StatusForm)
    status.status.choices = [(s.value, s.label) for s in transitions]

    assign = blank(AssignForm, assignee=str(item.assignee_id) if item.assignee_id else "none")
    assign.assignee.choices = [("none", "Nobody")] + [
        (str(m.id), m.display_name) for m in choices["members"]
    ]

    return {
        "tags": tags,
        "new_code": new_code,
        "assessment": assessment,
        "status": status,
        "assign": assign,
        "quote": blank(QuoteApprovalForm, approve="no" if item.quote_approved else "yes"),
        "note": blank(NoteForm, body=typed.get("note-body", "")),
        "reply": blank(ReplyForm, reply=typed.get("reply", item.public_reply or "")),
    }
