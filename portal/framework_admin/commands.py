"""`flask framework load|export`: the Social Value Framework file in and out of the database."""

from __future__ import annotations

from pathlib import Path

import click

from ..extensions import db
from ..framework import DEFAULT_PATH, FrameworkFileError, export_framework, load_framework
from .views import bp

bp.cli.help = "Manage the Social Value Framework data."


@bp.cli.command("load")
@click.argument(
    "path", required=False, type=click.Path(dir_okay=False, path_type=Path), default=None
)
@click.option(
    "--path",
    "path_option",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="The framework YAML file (same as PATH; kept for older scripts).",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def framework_load(path: Path | None, path_option: Path | None, dry_run: bool) -> None:
    """Load a framework file (default data/framework.yaml): list what it adds, changes and
    retires, ending with a count. Running it twice changes nothing."""
    path = path or path_option or DEFAULT_PATH
    try:
        report = load_framework(path)
    except FrameworkFileError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run of {path}: nothing was changed.")
    else:
        db.session.commit()
    for line in report.lines():
        click.echo(line)


@bp.cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def framework_export(path: Path) -> None:
    """Write the current framework to PATH in the format `flask framework load` reads."""
    try:
        counts = export_framework(path)
    except OSError as error:
        raise click.ClickException(f"{path}: cannot be written: {error.strerror}") from error
    click.echo(
        f"Wrote {counts['commitments']} commitments, {counts['roles']} roles, "
        f"{counts['themes']} themes and {counts['codes']} starter codes to {path}"
    )
