"""`flask opendata build [PATH] [--publish]`: write (and optionally publish) the open data."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from ..core.unitofwork import commit_or_exit
from . import build as builder
from . import service
from .views import bp

bp.cli.help = "The anonymised open-data file, its metadata and CSVs."


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
        commit_or_exit(lambda: service.publish(None, target.name))
        click.echo(f"Published {target.name}")
