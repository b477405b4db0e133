"""Meetings and their agendas: build, edit in place, decisions and actions, exports."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from ..auth.permissions import TRIAGE, roles_required
from ..core.expired import expired_errors, expired_message, keeps_input, token_expired
from ..documents import to_docx, to_pdf
from ..exports import to_csv
from ..extensions import db
from ..inputs import parse_date_field, parse_date_parts, parse_id
from ..models import Action, ActionStatus, AgendaItemKind, Feedback, Meeting
from ..notes import service as notes_service
from . import exports, service

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


DATE_FIELDS = (
    ("meeting_date", "Date of the meeting"),
    ("period_start", "Start of the period"),
    ("period_end", "End of the period"),
)


@bp.get("")
@roles_required(*TRIAGE)
def index():
    """List the Implementation Group's meetings."""
    return render_template("meetings/index.html", meetings=service.list_meetings())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*TRIAGE)
@keeps_input
def new():
    """Create a meeting; its draft agenda is built from the period's feedback."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {"title": request.form.get("title", "")}
    if request.method == "POST":
        errors.update(expired_errors())
        parsed = {}
        for key, label in DATE_FIELDS:
            parsed[key], error, values[key] = parse_date_parts(request.form, key, label)
            if error:
                errors[key] = error
        meeting_date, start, end = (
            parsed["meeting_date"],
            parsed["period_start"],
            parsed["period_end"],
        )
        if not str(values["title"]).strip():
            errors["title"] = "Enter a title for the meeting"
        if meeting_date is None and "meeting_date" not in errors:
            errors["meeting_date"] = "Enter the date of the meeting"
        if not errors:
            try:
                meeting = service.create_meeting(
                    current_user, str(values["title"]), meeting_date, start, end
                )
            except service.MeetingError as error:
                db.session.rollback()
                errors["period_start"] = str(error)
            else:
                db.session.commit()
                return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
    return render_template("meetings/new.html", values=values, errors=errors), (
        422 if errors else 200
    )


def _context(
    meeting: Meeting, typed: dict[str, object] | None = None, errors: dict[str, str] | None = None
) -> dict[str, object]:
    return {
        # A refused or expired form: what was typed (by element id) and the messages at it.
        "typed": typed or {},
        "errors": errors or {},
        "meeting": meeting,
        "quotes_for": service.quotes_for,
        "pinnable": lambda item: service.pinnable(meeting, item),
        "pinned_notes": notes_service.pinned_to(meeting),
        "figure_label": exports.label,
        "measures": exports.MEASURES,
        "action_statuses": list(ActionStatus),
        "kinds": AgendaItemKind,
    }


@bp.get("/<int:meeting_id>")
@roles_required(*TRIAGE)
def show(meeting_id: int):
    """Show the agenda with everything needed to edit it and record the meeting."""
    return render_template(
        "meetings/meeting.html", **_context(db.first_or_404(service.meeting_query(meeting_id)))
    )


def _done(meeting_id: int, anchor: str = ""):
    """Answer an agenda edit: the agenda block for htmx, else a 303 back to the page."""
    if request.htmx:
        meeting = service.get_meeting(meeting_id)
        return render_block("meetings/meeting.html", "agenda", **_context(meeting))
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + anchor, code=303)


def _form_act(meeting_id: int, boxes: dict[str, str], action, anchor: str = ""):
    """Run a form with free text on the meeting page; never lose what was typed.

    `boxes` maps each posted field to the id of its box on the page, the main box first. A
    refusal (422) or an expired token (400) shows the page again with every value in its box,
    the message in the error summary and at the box, and nothing saved.
    """
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    typed: dict[str, object] = {
        # A date input comes back as its day, month and year boxes.
        box: parse_date_field(request.form, name, "")[2]
        if f"{name}-day" in request.form or name == "due_date"
        else request.form.get(name, "")
        for name, box in boxes.items()
    }
    main = next(iter(boxes.values()))
    errors: dict[str, str] = {}
    if token_expired():
        errors[main] = expired_message()
    else:
        try:
            message = action(meeting)
        except service.MeetingError as error:
            db.session.rollback()
            errors[boxes.get(error.field or "", main)] = str(error)
        else:
            db.session.commit()
            flash(message, "success")
            return _done(meeting_id, anchor)
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    context = _context(meeting, typed, errors)
    if request.htmx:
        return render_block("meetings/meeting.html", "agenda", **context), 422
    return render_template("meetings/meeting.html", **context), 422


def _act(meeting_id: int, action, anchor: str = ""):
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    try:
        message = action(meeting)
    except service.MeetingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return _done(meeting_id, anchor)


@bp.post("/<int:meeting_id>/refresh")
@roles_required(*TRIAGE)
def refresh(meeting_id: int):
    """Rebuild the figures from the feedback as it is now."""

    def action(meeting: Meeting) -> str:
        service.refresh_figures(current_user, meeting)
        return "Figures refreshed"

    return _act(meeting_id, action)


@bp.post("/<int:meeting_id>/items")
@roles_required(*TRIAGE)
@keeps_input
def add_item(meeting_id: int):
    """Add an agenda item."""

    def action(meeting: Meeting) -> str:
        item = service.add_item(current_user, meeting, request.form.get("title", ""))
        return f"Added ‘{item.title}’"

    return _form_act(meeting_id, {"title": "new-item-title"}, action)


def _item_action(meeting_id: int, item_id: int, fn, boxes: dict[str, str] | None = None):
    def action(meeting: Meeting) -> str:
        return fn(meeting, service.item_in(meeting, item_id))

    if boxes:
        return _form_act(meeting_id, boxes, action, f"#item-{item_id}")
    return _act(meeting_id, action, f"#item-{item_id}")


@bp.post("/<int:meeting_id>/items/<int:item_id>/move")
@roles_required(*TRIAGE)
def move_item(meeting_id: int, item_id: int):
    """Move an item up or down."""

    def fn(meeting, item):
        service.move_item(current_user, meeting, item, request.form.get("direction", ""))
        return f"Moved ‘{item.title}’ {request.form.get('direction')}"

    return _item_action(meeting_id, item_id, fn)


@bp.post("/<int:meeting_id>/items/<int:item_id>/edit")
@roles_required(*TRIAGE)
@keeps_input
def edit_item(meeting_id: int, item_id: int):
    """Rename an item and edit its summary."""

    def fn(meeting, item):
        service.edit_item(
            current_user, item, request.form.get("title", ""), request.form.get("summary", "")
        )
        return f"Saved ‘{item.title}’"

    boxes = {"summary": f"summary-{item_id}", "title": f"title-{item_id}"}
    return _item_action(meeting_id, item_id, fn, boxes)


@bp.post("/<int:meeting_id>/items/<int:item_id>/delete")
@roles_required(*TRIAGE)
def delete_item(meeting_id: int, item_id: int):
    """Remove an item."""

    def fn(meeting, item):
        title = item.title
        service.remove_item(current_user, meeting, item)
        return f"Removed ‘{title}’"

    return _act(meeting_id, lambda meeting: fn(meeting, service.item_in(meeting, item_id)))


@bp.post("/<int:meeting_id>/items/<int:item_id>/pin")
@roles_required(*TRIAGE)
@keeps_input
def pin(meeting_id: int, item_id: int):
    """Pin a quote (a feedback item) to an agenda item."""

    def fn(meeting, item):
        reference = request.form.get("reference", "").strip().upper()
        feedback = db.session.query(Feedback).filter_by(reference=reference).one_or_none()
        if feedback is None:
            raise service.MeetingError(
                "Enter the reference of an existing feedback item", "reference"
            )
        service.pin_quote(current_user, item, feedback)
        return f"Pinned {feedback.reference}"

    return _item_action(meeting_id, item_id, fn, {"reference": f"pin-{item_id}"})


@bp.post("/<int:meeting_id>/items/<int:item_id>/unpin")
@roles_required(*TRIAGE)
def unpin(meeting_id: int, item_id: int):
    """Unpin a quote."""

    def fn(meeting, item):
        feedback_id = request.form.get("feedback_id", "")
        service.unpin_quote(current_user, item, parse_id(feedback_id) or 0)
        return "Quote unpinned"

    return _item_action(meeting_id, item_id, fn)


@bp.post("/<int:meeting_id>/items/<int:item_id>/decisions")
@roles_required(*TRIAGE)
@keeps_input
def add_decision(meeting_id: int, item_id: int):
    """Record a decision."""

    def fn(meeting, item):
        service.add_decision(current_user, item, request.form.get("text", ""))
        return "Decision recorded"

    return _item_action(meeting_id, item_id, fn, {"text": f"decision-{item_id}"})


@bp.post("/<int:meeting_id>/items/<int:item_id>/actions")
@roles_required(*TRIAGE)
@keeps_input
def add_action(meeting_id: int, item_id: int):
    """Record an action with its owner and due date."""

    def fn(meeting, item):
        # The GOV.UK date input (due_date-day, -month, -year); due_date=YYYY-MM-DD still works.
        due, error, _ = parse_date_field(request.form, "due_date", "Due date")
        if error:
            raise service.MeetingError(error, "due_date")
        service.add_action(
            current_user,
            item,
            request.form.get("description", ""),
            request.form.get("owner", ""),
            due,
            request.form.get("references", ""),
        )
        return "Action recorded"

    boxes = {
        "description": f"action-desc-{item_id}",
        "owner": f"action-owner-{item_id}",
        "references": f"action-links-{item_id}",
        "due_date": f"action-due-{item_id}",
    }
    return _item_action(meeting_id, item_id, fn, boxes)


def _action_in(meeting: Meeting, action_id: int) -> Action:
    for item in meeting.items:
        for action in item.actions:
            if action.id == action_id:
                return action
    raise service.MeetingError("That action is not part of this meeting")


@bp.post("/<int:meeting_id>/actions/<int:action_id>")
@roles_required(*TRIAGE)
@keeps_input
def update_action(meeting_id: int, action_id: int):
    """Change an action's status and linked feedback."""

    def fn(meeting: Meeting) -> str:
        action = _action_in(meeting, action_id)
        try:
            status = ActionStatus(request.form.get("status", ""))
        except ValueError as error:
            raise service.MeetingError("Choose a status for the action", "status") from error
        references = request.form.get("references")
        service.update_action(current_user, action, status, references)
        return "Action updated"

    boxes = {"references": f"action-refs-{action_id}", "status": f"action-status-{action_id}"}
    return _form_act(meeting_id, boxes, fn, f"#action-{action_id}")


@bp.post("/<int:meeting_id>/actions/<int:action_id>/outcome")
@roles_required(*TRIAGE)
@keeps_input
def publish_outcome(meeting_id: int, action_id: int):
    """Publish an action's outcome as the reply to its linked feedback."""

    def fn(meeting: Meeting) -> str:
        action = _action_in(meeting, action_id)
        count = service.publish_outcome(current_user, action, request.form.get("outcome", ""))
        return f"Outcome published to {count} feedback {'item' if count == 1 else 'items'}"

    return _form_act(meeting_id, {"outcome": f"outcome-{action_id}"}, fn, f"#action-{action_id}")


@bp.get("/<int:meeting_id>/print")
@roles_required(*TRIAGE)
def print_view(meeting_id: int):
    """A print-friendly agenda."""
    return render_template(
        "meetings/print.html", **_context(db.first_or_404(service.meeting_query(meeting_id)))
    )


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<int:meeting_id>/agenda.pdf")
@roles_required(*TRIAGE)
def agenda_pdf(meeting_id: int):
    """The agenda as PDF."""
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    return _download(
        to_pdf(meeting.title, exports.blocks(meeting)),
        "application/pdf",
        f"agenda-{meeting.id}.pdf",
    )


@bp.get("/<int:meeting_id>/agenda.docx")
@roles_required(*TRIAGE)
def agenda_docx(meeting_id: int):
    """The agenda as a Word document."""
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    return _download(
        to_docx(meeting.title, exports.blocks(meeting)),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"agenda-{meeting.id}.docx",
    )


@bp.get("/<int:meeting_id>/agenda.csv")
@roles_required(*TRIAGE)
def agenda_csv(meeting_id: int):
    """The figures behind every agenda item, as CSV."""
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    header, rows = exports.csv_rows(meeting)
    return _download(to_csv(header, rows), "text/csv", f"agenda-{meeting.id}.csv")
