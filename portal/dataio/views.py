"""Staff export of the filtered inbox and import of feedback files, under /triage."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth.permissions import TRIAGE, roles_required
from ..core.expired import expired_errors, keeps_input, token_expired
from ..extensions import db
from ..models import Channel, Feedback, StaffRole
from ..triage.inbox import InboxFilters
from . import export, service
from .forms import ImportStepForm, UploadForm, mapping_form
from .models import BatchStatus, ImportBatch, feedback_imports
from .reader import MAX_UPLOAD_BYTES, FileProblem

bp = Blueprint("dataio", __name__, url_prefix="/triage", cli_group="feedback")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 200


# ---------------------------------------------------------------------------------------------
# Export


def _export(fmt: str):
    filters = InboxFilters.from_args(request.args)
    if filters.errors:
        # The inbox explains what is wrong with the filters.
        return redirect(url_for("triage.inbox", **request.args), 303)
    contact = request.args.get("with_contact") == "yes"
    if contact and current_user.role is not StaffRole.ADMIN:
        abort(403)
    if contact:
        export.record_contact_export(current_user, fmt, filters)
        db.session.commit()
    rows = export.export_rows(filters, current_user, contact)
    head = export.header(contact)
    stream = export.csv_stream(head, rows) if fmt == "csv" else export.xlsx_stream(head, rows)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return Response(
        _OwnAppContext(current_app._get_current_object(), stream),
        mimetype="text/csv" if fmt == "csv" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="feedback-{stamp}.{fmt}"'},
    )


class _OwnAppContext:
    """Run the export in an app context (and database session) of its own, entered when the
    first chunk is asked for: nothing is held for a response that is never read.

    Every chunk is made inside a `contextvars.Context` of its own, so the app context it pushes
    is never on the stack of whoever reads the response (the WSGI server, a test client): it is
    popped where it was pushed however the response ends (read to the end, closed half read, or
    dropped unread)."""

    def __init__(self, app: Flask, stream: Iterator[bytes]) -> None:
        self._context = contextvars.Context()
        self._chunks = self._run(app, stream)

    @staticmethod
    def _run(app: Flask, stream: Iterator[bytes]) -> Iterator[bytes]:
        with app.app_context():
            yield from stream

    def __iter__(self) -> _OwnAppContext:
        return self

    def __next__(self) -> bytes:
        return self._context.run(next, self._chunks)

    def close(self) -> None:
        self._context.run(self._chunks.close)

    def __del__(self) -> None:
        self.close()


@bp.get("/export.csv")
@roles_required(*TRIAGE)
def export_csv():
    """Download the inbox's filtered items as CSV (contact details for admins who ask)."""
    return _export("csv")


@bp.get("/export.xlsx")
@roles_required(*TRIAGE)
def export_xlsx():
    """Download the inbox's filtered items as an XLSX workbook."""
    return _export("xlsx")


# ---------------------------------------------------------------------------------------------
# Import


@bp.record_once
def _upload_limit_first(state) -> None:
    # Flask-WTF reads the form (CSRF) before the view runs: raise this route's body limit
    # before that, so a file up to the import's own limit is accepted and larger ones get 413.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)


def _upload_limit() -> None:
    if request.endpoint == "dataio.import_feedback":
        request.max_content_length = MAX_UPLOAD_BYTES + 256 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """Answer a file over the limit at the file box, not with a bare error page."""
    form = UploadForm(formdata=None)
    form.file.errors = ["The selected file must be smaller than 5 MB"]
    return render_template("dataio/upload.html", form=form), 413


def _channel(value: str | None) -> Channel | None:
    try:
        return Channel(value) if value else None
    except ValueError:
        return None


def _render_mapping(batch: ImportBatch, form=None, errors=None, status: int = 200):
    """Show the mapping selects and the preview of every row's problems."""
    try:
        table = service.batch_table(batch)
    except FileProblem as problem:
        flash(str(problem), "error")
        return redirect(url_for("dataio.import_feedback"), 303)
    mapping, channel = service.stored_mapping(batch)
    if form is None:
        form = mapping_form(table.header, formdata=None)
        form.upload.data = batch.token
        form.channel.data = channel.value if channel else Channel.IN_PERSON.value
        for field in form.column_fields():
            field.data = mapping.get(int(field.name.removeprefix("column_")), "")
    preview = service.check_rows(table, mapping, channel)
    mapping_errors = service.check_mapping(mapping, channel) if errors is None else errors
    return render_template(
        "dataio/mapping.html",
        batch=batch,
        form=form,
        table=table,
        preview=preview,
        errors=mapping_errors,
        shown=PREVIEW_ROWS,
        field_labels=service.FIELD_LABELS,
    ), status


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*TRIAGE)
@keeps_input
def import_feedback():
    """Upload a file, map its columns, preview the rows' problems, import the valid rows."""
    if request.method == "GET":
        done = request.args.get("done")
        if done:
            return _render_done(done)
        batch = service.pending_batch(request.args.get("upload"), current_user)
        if batch is not None and batch.status is BatchStatus.PENDING:
            return _render_mapping(batch)
        return render_template("dataio/upload.html", form=UploadForm(formdata=None))
    step = ImportStepForm()
    if step.is_mapping():
        return _mapping_step(step.upload.data)
    return _upload_step()


def _upload_step():
    form = UploadForm()
    valid = form.validate()
    if token_expired() or not valid:
        return render_template("dataio/upload.html", form=form), 400 if token_expired() else 422
    upload = form.file.data
    try:
        batch, _table = service.new_batch(
            current_user,
            upload.filename or "",
            upload.read(MAX_UPLOAD_BYTES + 1),
            Channel(form.channel.data),
        )
    except FileProblem as problem:
        db.session.rollback()
        form.file.errors = [str(problem)]
        return render_template("dataio/upload.html", form=form), 422
    db.session.commit()
    return redirect(url_for("dataio.import_feedback", upload=batch.token), 303)


def _mapping_step(upload: str | None):
    batch = service.pending_batch(upload, current_user)
    if batch is None:
        flash("That upload was not found: upload the file again", "error")
        return redirect(url_for("dataio.import_feedback"), 303)
    if batch.status is BatchStatus.IMPORTED:
        flash("This file has already been imported", "warning")
        return redirect(url_for("dataio.import_feedback", done=batch.token), 303)
    try:
        table = service.batch_table(batch)
    except FileProblem as problem:
        flash(str(problem), "error")
        return redirect(url_for("dataio.import_feedback"), 303)
    form = mapping_form(table.header)
    if token_expired():
        return _render_mapping(batch, form, expired_errors(), 400)
    if not form.validate():
        errors = {
            name: (field_errors[0] if field_errors else "")
            for name, field_errors in form.errors.items()
        }
        return _render_mapping(batch, form, errors, 422)
    mapping, channel = form.mapping(), _channel(form.channel.data)
    service.save_mapping(batch, mapping, channel)
    errors = service.check_mapping(mapping, channel)
    if not form.importing() or errors:
        db.session.commit()
        if errors:
            return _render_mapping(batch, form, errors, 422)
        return redirect(url_for("dataio.import_feedback", upload=batch.token), 303)
    try:
        result = service.import_batch(batch, mapping, channel, current_user)
    except FileProblem as problem:
        db.session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("dataio.import_feedback", done=batch.token), 303)
    db.session.commit()
    flash(f"{len(result.imported):,} items imported from {batch.filename}", "success")
    return redirect(url_for("dataio.import_feedback", done=batch.token), 303)


def _render_done(token: str):
    batch = service.pending_batch(token, current_user)
    if batch is None or batch.status is not BatchStatus.IMPORTED:
        abort(404)
    items = db.session.execute(
        select(Feedback.reference, Feedback.body, feedback_imports.c.source_row)
        .join(feedback_imports, feedback_imports.c.feedback_id == Feedback.id)
        .where(feedback_imports.c.batch_id == batch.id)
        .order_by(feedback_imports.c.source_row)
        .limit(PREVIEW_ROWS)
    ).all()
    return render_template("dataio/done.html", batch=batch, items=items)
