"""Flask commands: `flask framework load`, `flask demo seed`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .extensions import db
from .framework import DEFAULT_PATH, FrameworkFileError, load_framework
from .models import Feedback

framework_cli = AppGroup("framework", help="Manage the Social Value Framework data.")
demo_cli = AppGroup("demo", help="Development data.")


@framework_cli.command("load")
@click.option(
    "--path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_PATH,
    show_default=True,
    help="The framework YAML file.",
)
def framework_load(path: Path) -> None:
    """Load the framework file; running it twice changes nothing."""
    try:
        report = load_framework(path)
    except FrameworkFileError as error:
        raise click.ClickException(str(error)) from error
    for entry in report.created:
        click.echo(f"created {entry}")
    for entry in report.updated:
        click.echo(f"updated {entry}")
    for entry in report.retired:
        click.echo(f"retired {entry}")
    if not report.changed:
        click.echo(f"Framework up to date ({report.unchanged} entries unchanged).")


@demo_cli.command("seed")
@click.option("--feedback", "count", type=click.IntRange(min=1), default=None, help="How many.")
@click.option("--seed", type=int, default=None, help="Random seed for repeatable data.")
@click.option("--if-empty", is_flag=True, help="Only seed a database with no feedback yet.")
def demo_seed(count: int | None, seed: int | None, if_empty: bool) -> None:
    """Fill the database with synthetic feedback across commitments and the last 18 months."""
    from .demo.seed import seed_feedback

    if if_empty and db.session.scalar(select(func.count()).select_from(Feedback)):
        click.echo("Feedback already present; not seeding.")
        return
    count = count or int(current_app.config["DEMO_SEED_DEFAULT"])
    try:
        with click.progressbar(length=count, label="Seeding feedback") as bar:
            done = seed_feedback(count, seed=seed, progress=bar.update)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {done:,} feedback items.")


def register_cli(app: Flask) -> None:
    """Attach the portal's command groups to the app."""
    app.cli.add_command(framework_cli)
    app.cli.add_command(demo_cli)
