"""Meeting forms: planning a meeting (when, where, who), its details, members and attendance,
and the minutes (each item's discussion). Read through these classes, never `request.form` by
hand; the rules and their messages are in the services (`service`, `minutes`)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..fields import GovDatePartsField, GovTimeField, HiddenWithoutId, PortalForm
from ..inputs import TEXT_MAX, parse_ids
from ..models import ActionStatus, Attendance


class IdsField(SelectMultipleField):
    """Ticked staff accounts; anything not an identifier is dropped, and the service keeps only
    accounts that may be invited."""

    widget = GovCheckboxesInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = parse_ids(valuelist)


class DetailsFields:
    """When and where: shared by the new-meeting form and the details form."""

    start_time = GovTimeField(
        "Start time (optional)", description="For example, 2pm or 14:30", error_name="the time"
    )
    venue = StringField(
        "Venue (optional)",
        description="The room and building, for example Mann Island, Liverpool",
        widget=GovTextInput(),
        validators=[Length(max=300, message="The venue must be 300 characters or fewer")],
    )
    joining_details = TextAreaField(
        "Online joining details (optional)",
        description="The link and any meeting ID or passcode, for members joining online",
        widget=GovTextArea(),
        validators=[
            Length(
                max=TEXT_MAX,
                message=f"Joining details must be {TEXT_MAX:,} characters or fewer",
            )
        ],
    )


class MeetingForm(DetailsFields, PortalForm):
    """Plan a meeting: its title, date, time and place, who is invited and the feedback period."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a title for the meeting"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    meeting_date = GovDatePartsField(
        "Date of the meeting",
        description="For example, 10 12 2026",
        error_name="date of the meeting",
        validators=[InputRequired(message="Enter the date of the meeting")],
    )
    members = IdsField("Members invited (optional)")
    other_members = TextAreaField(
        "Others invited (optional)",
        description="Anyone without an account: one name per line, with their organisation",
        widget=GovTextArea(),
        validators=[Length(max=TEXT_MAX, message="The list of names is too long")],
    )
    period_start = GovDatePartsField(
        "From", description="For example, 1 9 2026", error_name="start of the period"
    )
    period_end = GovDatePartsField(
        "To (inclusive)", description="For example, 30 11 2026", error_name="end of the period"
    )

    def names(self) -> list[str]:
        return [line for line in (self.other_members.data or "").splitlines() if line.strip()]


class DetailsForm(DetailsFields, PortalForm):
    """Change a meeting's time and place."""

    class Meta:
        csrf = False  # checked for every POST by CSRFProtect already (keeps_input on expiry)


class InviteForm(PortalForm):
    """Invite members: staff accounts ticked, or names typed in."""

    class Meta:
        csrf = False

    members = IdsField("Staff accounts")
    other_members = TextAreaField(
        "Others (one name per line)",
        widget=GovTextArea(),
        validators=[Length(max=TEXT_MAX, message="The list of names is too long")],
    )

    def names(self) -> list[str]:
        return [line for line in (self.other_members.data or "").splitlines() if line.strip()]


class AttendanceForm(PortalForm):
    """Record whether one invited member came."""

    class Meta:
        csrf = False

    attendance = RadioField(
        "Attendance",
        choices=[(a.value, a.label) for a in Attendance],
        widget=GovRadioInput(),
        validate_choice=False,  # the service refuses anything else, with its message
    )


class DiscussionForm(PortalForm):
    """The minutes of one agenda item: a summary of what was discussed."""

    class Meta:
        csrf = False

    discussion = TextAreaField("Discussion summary", widget=GovTextArea())


class ApproveForm(PortalForm):
    """Members mark the previous meeting's minutes approved (a button; nothing to type)."""

    class Meta:
        csrf = False


class ClerkForms:
    """The clerk's forms on a meeting page, filled from the meeting (fresh, not posted)."""

    def __init__(self, meeting) -> None:
        self.meeting = meeting

    def details(self) -> DetailsForm:
        meeting = self.meeting
        return DetailsForm(
            formdata=None,
            start_time=meeting.start_time,
            venue=meeting.venue,
            joining_details=meeting.joining_details,
        )

    def invite(self) -> InviteForm:
        from .minutes import invitable_users

        form = InviteForm(formdata=None)
        invited = {m.user_id for m in self.meeting.members}
        form.members.choices = [
            (u.id, u.name or u.email) for u in invitable_users() if u.id not in invited
        ]
        return form

    def attendance(self, member) -> AttendanceForm:
        return AttendanceForm(
            formdata=None, prefix=f"member-{member.id}", attendance=member.attendance.value
        )

    def discussion(self, item) -> DiscussionForm:
        return DiscussionForm(formdata=None, prefix=f"item-{item.id}", discussion=item.discussion)

    def approve(self) -> ApproveForm:
        return ApproveForm(formdata=None)


def clerk_forms(meeting) -> ClerkForms:
    return ClerkForms(meeting)


# The agenda's forms (views.py). Each is read through its class, never `request.form` by hand;
# what a value must be is checked by the meeting rules (service.py), which give the message, so
# these fields only carry what was posted. CSRF is checked for every POST by CSRFProtect (with
# `keeps_input` showing the form again when the token expired). On the page each box is rendered
# from its field by govuk-frontend-wtf (templates/meetings/_boxes.html), with the id of its item.


class Posted(StringField):
    """A posted value as typed ("" when the form did not send it)."""

    widget = GovTextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist[0] if valuelist else ""


class PostedText(Posted):
    widget = GovTextArea()


class PostedHidden(Posted):
    """A fixed value a button's form sends (which way to move, which quote): a hidden input
    without an id, as the same field is repeated in a form per item."""

    widget = HiddenWithoutId()


class _AgendaForm(PortalForm):
    class Meta:
        csrf = False


class AddItemForm(_AgendaForm):
    title = Posted("Title")


class MoveItemForm(_AgendaForm):
    """The "Move up" and "Move down" buttons: each form sends its direction."""

    direction = PostedHidden("Direction")


class RemoveItemForm(_AgendaForm):
    """The "Remove" button of an agenda item (nothing to send but the token)."""


class EditItemForm(_AgendaForm):
    title = Posted("Title")
    summary = PostedText("Summary")


class PinForm(_AgendaForm):
    reference = Posted("Feedback reference")


class UnpinForm(_AgendaForm):
    """The "Unpin" button of a pinned quote: it sends the quote's feedback id."""

    feedback_id = PostedHidden("Feedback")


class DecisionForm(_AgendaForm):
    text = PostedText("Decision")


class ActionForm(_AgendaForm):
    description = PostedText("Action")
    owner = Posted("Owner")
    due_date = GovDatePartsField("Due date (optional)", error_name="due date")
    references = Posted("Linked feedback references (optional)")


class UpdateActionForm(_AgendaForm):
    status = SelectField(
        "Status",
        choices=[(status.value, status.label) for status in ActionStatus],
        validate_choice=False,  # the view says "Choose a status for the action"
        widget=GovSelect(),
    )
    references = Posted("Linked feedback references")

    def references_sent(self) -> str | None:
        """The references, or None when the form did not send the box (keep the links)."""
        return self.references.data if self.references.raw_data else None


class OutcomeForm(_AgendaForm):
    outcome = PostedText("Outcome to publish to the linked feedback")


class AgendaForms:
    """One unposted instance of each agenda form, whose fields the page renders per item."""

    def __init__(self) -> None:
        self.add_item = AddItemForm(formdata=None)
        self.move = MoveItemForm(formdata=None)
        self.remove = RemoveItemForm(formdata=None)
        self.edit_item = EditItemForm(formdata=None)
        self.unpin = UnpinForm(formdata=None)
        self.pin = PinForm(formdata=None)
        self.decision = DecisionForm(formdata=None)
        self.action = ActionForm(formdata=None)
        self.update_action = UpdateActionForm(formdata=None)
        self.outcome = OutcomeForm(formdata=None)

    def update_action_for(self, action, chosen: str | None = None) -> UpdateActionForm:
        """The form of one action, its status chosen (or, sent back, the status chosen)."""
        return UpdateActionForm(formdata=None, status=chosen or action.status.value)
