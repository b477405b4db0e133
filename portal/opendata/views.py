"""Open data: the public page and its files, and the admin's publish page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_file, url_for
from flask_login import current_user

from ..auth.permissions import ADMIN_ONLY, roles_required
from ..core.unitofwork import commit_or_flash
from . import build as builder
from . import service
from .forms import PublishForm

bp = Blueprint("opendata", __name__, cli_group="opendata")


@bp.get("/open-data")
def index():
    """List the published open-data files with their data dictionary."""
    return render_template(
        "opendata/index.html",
        releases=service.published(),
        tables=builder.TABLES,
        licence=service.LICENCE,
        licence_url=service.LICENCE_URL,
    )


@bp.get("/open-data/files/<name>")
def download(name: str):
    """Send one file of a published build (.db, .zip of CSVs or .metadata.json)."""
    path = service.published_file(name)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name, max_age=3600)


@bp.get("/admin/open-data")
@roles_required(*ADMIN_ONLY)
def admin():
    """List the builds on the server, each published or with a button to publish it."""
    return render_template("opendata/admin.html", builds=service.builds(), form=PublishForm())


@bp.post("/admin/open-data/publish")
@roles_required(*ADMIN_ONLY)
def publish():
    """Publish one build on /open-data."""
    form = PublishForm()

    def change() -> str:
        if not form.validate_on_submit():
            raise service.OpenDataError("Choose a build from the list")
        release = service.publish(current_user, form.filename.data)
        return f"{release.filename} is published on the open data page"

    return commit_or_flash(change, url_for("opendata.admin"))
