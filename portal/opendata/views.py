"""Open data: the public page and its files, the admin's publish page, `flask opendata build`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_login import current_user

from ..auth.permissions import ADMIN_ONLY, roles_required
from ..core.unitofwork import commit_or_flash
from ..extensions import db
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


@bp.cli.command("build")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Also publish the build on /open-data.")
def build_command(path: Path | None, publish: bool) -> None:
    """Write the anonymised open-data SQLite file, its metadata.json and a zip of CSVs."""
    target = path or service.directory() / builder.default_path(".").name
    if service.is_published(target):
        # The public downloads this very file: a rebuild would change it under its checksum.
        raise click.ClickException(f"{target.name} is already published; it is not rebuilt")
    result = builder.build(target, current_app.config["PORTAL_BASE_URL"] + "/open-data")
    for table, count in result.rows.items():
        click.echo(f"{table}: {count} rows")
    click.echo(f"Wrote {result.database}, {result.metadata} and {result.zip}")
    if publish:
        if target.parent.resolve() != service.directory().resolve():
            raise click.UsageError("--publish needs the build in the open-data folder")
        try:
            service.publish(None, target.name)
        except service.OpenDataError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Published {target.name}")
