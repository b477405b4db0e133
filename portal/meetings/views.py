"""Meetings and their agendas: build, edit in place, decisions and actions, exports."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from ..auth.permissions import TRIAGE, roles_required
from ..core.expired import expired_message, keeps_input, token_expired
from ..documents import document_response
from ..exports import to_csv
from ..extensions import db
from ..fields import GovDatePartsField
from ..inputs import parse_id
from ..models import Action, ActionStatus, AgendaItemKind, Feedback, Meeting
from ..notes import service as notes_service
from . import exports, minutes, pack, service
from .forms import (
    ActionForm,
    AddItemForm,
    AgendaForms,
    DecisionForm,
    EditItemForm,
    MeetingForm,
    MoveItemForm,
    OutcomeForm,
    PinForm,
    RemoveItemForm,
    UnpinForm,
    UpdateActionForm,
    clerk_forms,
)

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


@bp.get("")
@roles_required(*TRIAGE)
def index():
    """List the Implementation Group's meetings."""
    return render_template("meetings/index.html", meetings=service.list_meetings())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*TRIAGE)
@keeps_input
def new():
    """Plan a meeting (when, where, who is invited); its draft agenda is built from the
    period's feedback."""
    form = MeetingForm()
    form.members.choices = [(u.id, u.name or u.email) for u in minutes.invitable_users()]
    if request.method == "POST" and form.validate():
        try:
            meeting = service.create_meeting(
                current_user,
                form.title.data or "",
                form.meeting_date.data,
                form.period_start.data,
                form.period_end.data,
            )
            minutes.set_details(
                current_user,
                meeting,
                form.start_time.data,
                form.venue.data or "",
                form.joining_details.data or "",
            )
            if form.members.data or form.names():
                minutes.invite(current_user, meeting, form.members.data or [], form.names())
        except service.MeetingError as error:
            db.session.rollback()
            field = form[error.field] if error.field in form else form.period_start
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
    status = 200 if request.method == "GET" else 400 if token_expired() else 422
    return render_template("meetings/new.html", form=form), status


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
        "kinds": AgendaItemKind,
        # The clerk's forms (minutes_views): a refused one comes back in clerk_forms by key.
        "clerk_forms": {},
        "clerk": clerk_forms(meeting),
        "agenda_forms": AgendaForms(),
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


def _typed(field) -> object:
    """What was typed in a posted field: a date input's day, month and year boxes, else text."""
    if isinstance(field, GovDatePartsField):
        day, month, year = [*(field.raw_data or []), "", "", ""][:3]
        return {"day": day, "month": month, "year": year}
    return field.data or ""


def _form_act(meeting_id: int, form, boxes: dict[str, str], action, anchor: str = ""):
    """Run a form with free text on the meeting page; never lose what was typed.

    `boxes` maps each of the posted `form`'s fields to the id of its box on the page, the main
    box first. A refusal (422) or an expired token (400) shows the page again with every value in
    its box, the message in the error summary and at the box, and nothing saved.
    """
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    typed: dict[str, object] = {box: _typed(form[name]) for name, box in boxes.items()}
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
    form = AddItemForm()

    def action(meeting: Meeting) -> str:
        item = service.add_item(current_user, meeting, form.title.data)
        return f"Added ‘{item.title}’"

    return _form_act(meeting_id, form, {"title": "new-item-title"}, action)


def _item_action(meeting_id: int, item_id: int, fn, form=None, boxes: dict[str, str] | None = None):
    def action(meeting: Meeting) -> str:
        return fn(meeting, service.item_in(meeting, item_id))

    if boxes:
        return _form_act(meeting_id, form, boxes, action, f"#item-{item_id}")
    return _act(meeting_id, action, f"#item-{item_id}")


@bp.post("/<int:meeting_id>/items/<int:item_id>/move")
@roles_required(*TRIAGE)
def move_item(meeting_id: int, item_id: int):
    """Move an item up or down."""

    direction = MoveItemForm().direction.data

    def fn(meeting, item):
        service.move_item(current_user, meeting, item, direction)
        return f"Moved ‘{item.title}’ {direction}"

    return _item_action(meeting_id, item_id, fn)


@bp.post("/<int:meeting_id>/items/<int:item_id>/edit")
@roles_required(*TRIAGE)
@keeps_input
def edit_item(meeting_id: int, item_id: int):
    """Rename an item and edit its summary."""

    form = EditItemForm()

    def fn(meeting, item):
        service.edit_item(current_user, item, form.title.data, form.summary.data)
        return f"Saved ‘{item.title}’"

    boxes = {"summary": f"summary-{item_id}", "title": f"title-{item_id}"}
    return _item_action(meeting_id, item_id, fn, form, boxes)


@bp.post("/<int:meeting_id>/items/<int:item_id>/delete")
@roles_required(*TRIAGE)
def delete_item(meeting_id: int, item_id: int):
    """Remove an item."""
    RemoveItemForm()  # the button's form: nothing but the token, checked for every POST

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
    form = PinForm()

    def fn(meeting, item):
        reference = form.reference.data.strip().upper()
        feedback = db.session.query(Feedback).filter_by(reference=reference).one_or_none()
        if feedback is None:
            raise service.MeetingError(
                "Enter the reference of an existing feedback item", "reference"
            )
        service.pin_quote(current_user, item, feedback)
        return f"Pinned {feedback.reference}"

    return _item_action(meeting_id, item_id, fn, form, {"reference": f"pin-{item_id}"})


@bp.post("/<int:meeting_id>/items/<int:item_id>/unpin")
@roles_required(*TRIAGE)
def unpin(meeting_id: int, item_id: int):
    """Unpin a quote."""

    def fn(meeting, item):
        feedback_id = UnpinForm().feedback_id.data
        service.unpin_quote(current_user, item, parse_id(feedback_id) or 0)
        return "Quote unpinned"

    return _item_action(meeting_id, item_id, fn)


@bp.post("/<int:meeting_id>/items/<int:item_id>/decisions")
@roles_required(*TRIAGE)
@keeps_input
def add_decision(meeting_id: int, item_id: int):
    """Record a decision."""
    form = DecisionForm()

    def fn(meeting, item):
        service.add_decision(current_user, item, form.text.data)
        return "Decision recorded"

    return _item_action(meeting_id, item_id, fn, form, {"text": f"decision-{item_id}"})


@bp.post("/<int:meeting_id>/items/<int:item_id>/actions")
@roles_required(*TRIAGE)
@keeps_input
def add_action(meeting_id: int, item_id: int):
    """Record an action with its owner and due date."""

    form = ActionForm()

    def fn(meeting, item):
        # The GOV.UK date input (due_date-day, -month, -year); due_date=YYYY-MM-DD still works.
        if not form.due_date.validate(form):
            raise service.MeetingError(form.due_date.errors[0], "due_date")
        service.add_action(
            current_user,
            item,
            form.description.data,
            form.owner.data,
            form.due_date.data,
            form.references.data,
        )
        return "Action recorded"

    boxes = {
        "description": f"action-desc-{item_id}",
        "owner": f"action-owner-{item_id}",
        "references": f"action-links-{item_id}",
        "due_date": f"action-due-{item_id}",
    }
    return _item_action(meeting_id, item_id, fn, form, boxes)


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

    form = UpdateActionForm()

    def fn(meeting: Meeting) -> str:
        action = _action_in(meeting, action_id)
        try:
            status = ActionStatus(form.status.data)
        except ValueError as error:
            raise service.MeetingError("Choose a status for the action", "status") from error
        service.update_action(current_user, action, status, form.references_sent())
        return "Action updated"

    boxes = {"references": f"action-refs-{action_id}", "status": f"action-status-{action_id}"}
    return _form_act(meeting_id, form, boxes, fn, f"#action-{action_id}")


@bp.post("/<int:meeting_id>/actions/<int:action_id>/outcome")
@roles_required(*TRIAGE)
@keeps_input
def publish_outcome(meeting_id: int, action_id: int):
    """Publish an action's outcome as the reply to its linked feedback."""
    form = OutcomeForm()

    def fn(meeting: Meeting) -> str:
        action = _action_in(meeting, action_id)
        count = service.publish_outcome(current_user, action, form.outcome.data)
        return f"Outcome published to {count} feedback {'item' if count == 1 else 'items'}"

    boxes = {"outcome": f"outcome-{action_id}"}
    return _form_act(meeting_id, form, boxes, fn, f"#action-{action_id}")


@bp.get("/<int:meeting_id>/print")
@roles_required(*TRIAGE)
def print_view(meeting_id: int):
    """The agenda pack on screen: the same document as the PDF and the Word file."""
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    return render_template("documents/agenda.html", **pack.context(meeting))


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _agenda_document(meeting_id: int, fmt: str) -> Response:
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    html = render_template("documents/agenda.html", **pack.context(meeting))
    return document_response(html, fmt, pack.filename(meeting))


@bp.get("/<int:meeting_id>/agenda.pdf")
@roles_required(*TRIAGE)
def agenda_pdf(meeting_id: int):
    """The agenda pack as PDF (the same document as the print view)."""
    return _agenda_document(meeting_id, "pdf")


@bp.get("/<int:meeting_id>/agenda.docx")
@roles_required(*TRIAGE)
def agenda_docx(meeting_id: int):
    """The agenda pack as a Word document (the same document as the print view)."""
    return _agenda_document(meeting_id, "docx")


@bp.get("/<int:meeting_id>/agenda.csv")
@roles_required(*TRIAGE)
def agenda_csv(meeting_id: int):
    """The figures behind every agenda item, as CSV."""
    meeting = db.first_or_404(service.meeting_query(meeting_id))
    header, rows = exports.csv_rows(meeting)
    return _download(to_csv(header, rows), "text/csv", f"agenda-{meeting.id}.csv")


from . import minutes_views  # noqa: E402, F401  (the clerk's routes, on this blueprint)
