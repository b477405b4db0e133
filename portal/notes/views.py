"""Writing and reviewing notes (staff), and the public best-practice library."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import agenda, framework_lists, search
from ..auth.permissions import roles_required
from ..core.expired import keeps_input
from ..core.unitofwork import commit_or_flash
from ..extensions import db, limiter
from ..models import Meeting, Note, NoteStatus, StaffRole
from ..ratelimits import not_searching, search_limit
from . import service
from .forms import LibraryFilterForm, NoteForm, PinForm, ReturnForm
from .markdown import render

bp = Blueprint("notes", __name__)

STAFF = (StaffRole.ADMIN, StaffRole.MEMBER, StaffRole.CHAMPION)


def _form_page(note, form: NoteForm, status: int = 200):
    return render_template(
        "notes/form.html",
        note=note,
        form=form,
        commitments=framework_lists.list_commitments(),
        roles=framework_lists.list_roles(),
        themes=framework_lists.list_themes(),
    ), status


def _checked(form: NoteForm) -> bool:
    """Validate the form (its token) and the note's rules; put every message on its field."""
    valid = form.validate()  # False on an expired token: nothing is stored
    errors = service.validate(form.to_input())
    form.add_errors(errors)
    return valid and not errors


def _own_note(note_id: int):
    note = db.get_or_404(Note, note_id)
    if current_user.role is StaffRole.CHAMPION and note.author_id != current_user.id:
        # Champions work on their own notes; published ones are in the public library.
        abort(403)
    return note


@bp.get("/notes")
@roles_required(*STAFF)
def index():
    """List my notes (champions) or every note, submitted ones first (reviewers)."""
    notes = service.notes_for(current_user)
    waiting = [n for n in notes if n.status is NoteStatus.SUBMITTED]
    return render_template("notes/index.html", notes=notes, waiting=waiting)


@bp.route("/notes/new", methods=["GET", "POST"])
@roles_required(StaffRole.CHAMPION, StaffRole.ADMIN)
@keeps_input
def new():
    """Write a new note."""
    form = NoteForm()
    if request.method == "POST":
        if not _checked(form):
            return _form_page(None, form, 422)
        note = service.create(current_user, form.to_input())
        db.session.commit()
        flash("Draft saved", "success")
        return redirect(url_for("notes.show", note_id=note.id), code=303)
    return _form_page(None, form)


@bp.get("/notes/<int:note_id>")
@roles_required(*STAFF)
def show(note_id: int):
    """Show a note's working copy, its review state and its published versions."""
    note = _own_note(note_id)
    meetings = agenda.list_meetings()[:10]
    return render_template(
        "notes/show.html",
        note=note,
        body=render(note.body),
        can_edit=service.can_edit(current_user, note),
        can_publish=service.reviewers_can_publish(current_user, note),
        is_reviewer=current_user.role in service.REVIEWERS,
        meetings=meetings,
        pin_form=PinForm.for_meetings(meetings),
        return_form=ReturnForm(formdata=None),
        endorsed=any(e.user_id == current_user.id for e in note.endorsements),
    )


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
@keeps_input
def edit(note_id: int):
    """Edit a note (its author, while it is a draft, returned or published)."""
    note = _own_note(note_id)
    if not service.can_edit(current_user, note):
        abort(403)
    form = NoteForm()
    if request.method == "POST":
        if not _checked(form):
            return _form_page(note, form, 422)
        service.edit(current_user, note, form.to_input())
        db.session.commit()
        flash("Changes saved", "success")
        return redirect(url_for("notes.show", note_id=note.id), code=303)
    taxonomy = service.working_taxonomy(note)
    form.fill(
        service.NoteInput(
            title=note.title,
            summary=note.summary,
            body=note.body,
            commitment_ids=taxonomy["commitment_ids"],
            role_ids=taxonomy["role_ids"],
            theme_ids=taxonomy["theme_ids"],
            evidence_links=list(note.evidence_links or []),
            cost=note.cost or "",
            achieved=note.achieved or "",
        )
    )
    return _form_page(note, form)


def _workflow(note_id: int, action) -> object:
    """Run one note action and commit it, or roll it back and say why (403 when the person's
    role or relation to the note does not allow it)."""
    note = _own_note(note_id)

    def change() -> str:
        try:
            return action(note)
        except service.NotAllowed:
            db.session.rollback()
            abort(403)

    return commit_or_flash(change, url_for("notes.show", note_id=note.id))


@bp.post("/notes/<int:note_id>/submit")
@roles_required(*STAFF)
def submit(note_id: int):
    """Send a note for review."""
    return _workflow(note_id, lambda n: (service.submit(current_user, n), "Sent for review")[1])


@bp.post("/notes/<int:note_id>/publish")
@roles_required(StaffRole.ADMIN, StaffRole.MEMBER)
def publish(note_id: int):
    """Publish a submitted note."""
    return _workflow(
        note_id, lambda n: f"Published as version {service.publish(current_user, n).number}"
    )


@bp.post("/notes/<int:note_id>/return")
@roles_required(StaffRole.ADMIN, StaffRole.MEMBER)
def return_note(note_id: int):
    """Return a submitted note to its author with a comment."""
    comment = ReturnForm().comment.data or ""
    return _workflow(
        note_id,
        lambda n: (service.return_note(current_user, n, comment), "Returned to the author")[1],
    )


@bp.post("/notes/<int:note_id>/archive")
@roles_required(*STAFF)
def archive(note_id: int):
    """Archive a note."""
    return _workflow(note_id, lambda n: (service.archive(current_user, n), "Note archived")[1])


@bp.post("/notes/<int:note_id>/endorse")
@roles_required(StaffRole.ADMIN, StaffRole.MEMBER)
def endorse(note_id: int):
    """Endorse a published note."""
    return _workflow(note_id, lambda n: (service.endorse(current_user, n), "Note endorsed")[1])


@bp.post("/notes/<int:note_id>/pin")
@roles_required(StaffRole.ADMIN, StaffRole.MEMBER)
def pin(note_id: int):
    """Pin a published note into a meeting's agenda."""
    meeting = db.session.get(Meeting, PinForm().meeting_id.data or 0)

    def action(note) -> str:
        if meeting is None:
            raise service.NoteError("Choose a meeting")
        service.pin_to_meeting(current_user, note, meeting)
        return f"Pinned into the agenda of {meeting.title}"

    return _workflow(note_id, action)


# --- the public library ---------------------------------------------------------------------


@bp.get("/best-practice")
@limiter.limit(search_limit, exempt_when=not_searching)
def library():
    """The public library of published notes: search and filters."""
    commitments = framework_lists.list_commitments()
    roles, themes = framework_lists.list_roles(), framework_lists.list_themes()
    form = LibraryFilterForm.for_lists(request.args, commitments, roles, themes)
    filters = service.LibraryFilters(
        q=search.parse(form.q.data),
        commitment=form.commitment.data or None,
        role=form.role.data or None,
        theme=form.theme.data or None,
    )
    return render_template(
        "notes/library.html", results=service.library(filters), filters=filters, form=form
    )


@bp.get("/best-practice/<slug>")
def public_note(slug: str):
    """A published note at its stable address (the latest published version)."""
    note = service.get_published(slug)
    if note is None:
        abort(404)
    version = note.published_version
    return render_template(
        "notes/public.html", note=note, version=version, body=render(version.body), latest=True
    )


@bp.get("/best-practice/<slug>/versions/<int:number>")
def public_version(slug: str, number: int):
    """An earlier published version of a note."""
    note = service.get_published(slug)
    version = next((v for v in note.versions if v.number == number), None) if note else None
    if version is None:
        abort(404)
    return render_template(
        "notes/public.html",
        note=note,
        version=version,
        body=render(version.body),
        latest=version.id == note.published_version_id,
    )
