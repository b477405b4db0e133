"""The clerk's pages of a meeting: details (time, place), members and attendance, each item's
discussion, the minutes (HTML, PDF, Word) and approving the previous meeting's minutes.

Plain forms (no htmx): each posts, commits once and goes back to its part of the meeting page
(303); a refusal shows the page again (422) with the message at the field and in the summary,
and everything typed kept."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.permissions import TRIAGE, roles_required
from ..core.expired import expired_message, keeps_input, token_expired
from ..documents import document_response
from ..extensions import db
from ..fields import PortalForm
from ..models import Meeting
from . import minutes, service
from .forms import (
    ApproveForm,
    AttendanceForm,
    DetailsForm,
    DiscussionForm,
    InviteForm,
    clerk_forms,
)
from .views import _context, bp


def _first_field(form: PortalForm):
    return next((field for field in form if field.name != "csrf_token"), None)


def _clerk_act(
    meeting_id: int,
    key: str,
    form: PortalForm,
    action: Callable[[Meeting], str],
    anchor: str,
):
    """Validate `form`, run `action`, commit once; or show the page again with the messages."""
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    errors: dict[str, str] = {}
    status = 422
    first = _first_field(form)
    # A form with fields has its message at the first; a button's goes to its part of the page.
    first_id = first.id if first is not None else anchor.lstrip("#")
    if token_expired():
        errors[first_id] = expired_message()
        status = 400
    elif not form.validate():
        errors.update({field.id: field.errors[0] for field in form if field.errors})
    else:
        try:
            message = action(meeting)
        except service.MeetingError as error:
            db.session.rollback()
            field = form[error.field] if error.field and error.field in form else first
            if field is not None:
                field.errors = [*field.errors, str(error)]
            errors[field.id if field is not None else first_id] = str(error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id) + anchor, code=303)
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    context = _context(meeting, {}, errors) | {"clerk_forms": {key: form}}
    return render_template("meetings/meeting.html", **context), status


@bp.post("/<int:meeting_id>/details")
@roles_required(*TRIAGE)
@keeps_input
def details(meeting_id: int):
    """Set the meeting's start time, venue and online joining details."""
    form = DetailsForm()

    def action(meeting: Meeting) -> str:
        minutes.set_details(
            current_user,
            meeting,
            form.start_time.data,
            form.venue.data or "",
            form.joining_details.data or "",
        )
        return "Meeting details saved"

    return _clerk_act(meeting_id, "details", form, action, "#meeting-details")


@bp.post("/<int:meeting_id>/members")
@roles_required(*TRIAGE)
@keeps_input
def invite(meeting_id: int):
    """Invite staff accounts or people by name."""
    form = InviteForm()
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    form.members.choices = clerk_forms(meeting).invite().members.choices

    def action(meeting: Meeting) -> str:
        added = minutes.invite(current_user, meeting, form.members.data or [], form.names())
        return f"Invited {', '.join(m.name for m in added)}"

    return _clerk_act(meeting_id, "invite", form, action, "#attendance")


@bp.post("/<int:meeting_id>/members/<int:member_id>/attendance")
@roles_required(*TRIAGE)
@keeps_input
def attendance(meeting_id: int, member_id: int):
    """Record whether one member was present, sent apologies or was absent."""
    form = AttendanceForm(prefix=f"member-{member_id}")

    def action(meeting: Meeting) -> str:
        member = minutes.member_in(meeting, member_id)
        minutes.record_attendance(current_user, member, form.attendance.data or "")
        return f"{member.name}: {member.attendance.label.lower()}"

    return _clerk_act(meeting_id, f"member-{member_id}", form, action, "#attendance")


@bp.post("/<int:meeting_id>/members/<int:member_id>/remove")
@roles_required(*TRIAGE)
def remove_member(meeting_id: int, member_id: int):
    """Take someone off the list of members invited."""
    form = ApproveForm()

    def action(meeting: Meeting) -> str:
        member = minutes.member_in(meeting, member_id)
        minutes.remove_member(current_user, meeting, member)
        return f"Removed {member.name}"

    return _clerk_act(meeting_id, "remove", form, action, "#attendance")


@bp.post("/<int:meeting_id>/items/<int:item_id>/discussion")
@roles_required(*TRIAGE)
@keeps_input
def discussion(meeting_id: int, item_id: int):
    """Record the minutes of an item: a summary of the discussion."""
    form = DiscussionForm(prefix=f"item-{item_id}")

    def action(meeting: Meeting) -> str:
        item = service.item_in(meeting, item_id)
        minutes.record_discussion(current_user, item, form.discussion.data or "")
        return f"Minutes of ‘{item.title}’ saved"

    return _clerk_act(meeting_id, f"item-{item_id}", form, action, f"#item-{item_id}")


@bp.post("/<int:meeting_id>/approve-previous-minutes")
@roles_required(*TRIAGE)
def approve_previous(meeting_id: int):
    """Mark the previous meeting's minutes approved at this meeting."""
    form = ApproveForm()

    def action(meeting: Meeting) -> str:
        previous = minutes.approve_previous_minutes(current_user, meeting)
        return f"The minutes of {previous.title} are approved"

    return _clerk_act(meeting_id, "approve", form, action, "#previous-minutes")


def _minutes_html(meeting_id: int) -> str:
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    return render_template(
        "meetings/minutes.html",
        meeting=meeting,
        attendance=minutes.attendance_of(meeting),
    )


@bp.get("/<int:meeting_id>/minutes")
@roles_required(*TRIAGE)
def minutes_page(meeting_id: int):
    """The minutes on screen: the same document as the PDF and the Word file."""
    return _minutes_html(meeting_id)


@bp.get("/<int:meeting_id>/minutes.pdf")
@roles_required(*TRIAGE)
def minutes_pdf(meeting_id: int):
    """The minutes as a tagged A4 PDF."""
    return document_response(_minutes_html(meeting_id), "pdf", f"minutes-{meeting_id}")


@bp.get("/<int:meeting_id>/minutes.docx")
@roles_required(*TRIAGE)
def minutes_docx(meeting_id: int):
    """The minutes as an A4 Word document."""
    return document_response(_minutes_html(meeting_id), "docx", f"minutes-{meeting_id}")
