"""`flask demo seed|users`: development data. Demo has no pages, so its blueprint carries only
commands."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Blueprint, current_app
from sqlalchemy import func, select

from ..auth import service as accounts
from ..extensions import db
from ..models import Feedback, StaffRole

bp = Blueprint("demo", __name__, cli_group="demo")
bp.cli.help = "Development data."


@bp.cli.command("seed")
@click.option("--feedback", "count", type=click.IntRange(min=1), default=None, help="How many.")
@click.option("--seed", type=int, default=None, help="Random seed for repeatable data.")
@click.option("--if-empty", is_flag=True, help="Only seed a database with no feedback yet.")
@click.option(
    "--days", type=click.IntRange(min=1), default=548, show_default=True, help="Spread over."
)
def demo_seed(count: int | None, seed: int | None, if_empty: bool, days: int) -> None:
    """Fill the database with synthetic feedback across commitments and the last 18 months."""
    from .seed import seed_feedback

    if if_empty and db.session.scalar(select(func.count()).select_from(Feedback)):
        click.echo("Feedback already present; not seeding.")
        return
    count = count or int(current_app.config["DEMO_SEED_DEFAULT"])
    try:
        with click.progressbar(length=count, label="Seeding feedback") as bar:
            # A bulk load: seed_feedback commits each batch of rows as it goes.
            done = seed_feedback(count, seed=seed, progress=bar.update, span_days=days)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {done:,} feedback items.")


@bp.cli.command("users")
def demo_users() -> None:
    """On a database with no accounts, create a demo admin and member and print passwords."""
    if accounts.count_users():
        click.echo("Staff accounts already exist; no demo accounts created.")
        return
    created = []
    for email, role, name in (
        ("admin@example.invalid", StaffRole.ADMIN, "Demo Administrator"),
        ("member@example.invalid", StaffRole.MEMBER, "Demo Member"),
    ):
        password = secrets.token_urlsafe(12)
        accounts.create_user(email, role, password, name)
        created.append(f"Demo {role.value}: {email}  password: {password}")
    db.session.commit()
    for line in created:
        click.echo(line)


@bp.cli.command("documents")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("instance/examples"),
    show_default=True,
    help="Folder to write into.",
)
def demo_documents(out: Path) -> None:
    """Write example agenda pack, quarterly report and annual pack (HTML, PDF, DOCX) from the
    demo data, adding an example meeting to the database."""
    from .documents import ExamplesError, write_examples

    try:
        written = write_examples(out)
    except ExamplesError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    for path in written:
        click.echo(str(path))
