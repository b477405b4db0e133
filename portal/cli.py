"""Flask commands: `flask framework load|export`, `flask demo seed`, users, surveys, privacy."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .auth import service as accounts
from .extensions import db
from .framework import DEFAULT_PATH, FrameworkFileError, export_framework, load_framework
from .models import Feedback, StaffRole

framework_cli = AppGroup("framework", help="Manage the Social Value Framework data.")
users_cli = AppGroup("users", help="Manage staff accounts.")
surveys_cli = AppGroup("surveys", help="Check and load the survey files in surveys/.")
ROLE_CHOICE = click.Choice([role.value for role in StaffRole])
demo_cli = AppGroup("demo", help="Development data.")


@framework_cli.command("load")
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


@framework_cli.command("export")
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


@demo_cli.command("seed")
@click.option("--feedback", "count", type=click.IntRange(min=1), default=None, help="How many.")
@click.option("--seed", type=int, default=None, help="Random seed for repeatable data.")
@click.option("--if-empty", is_flag=True, help="Only seed a database with no feedback yet.")
@click.option(
    "--days", type=click.IntRange(min=1), default=548, show_default=True, help="Spread over."
)
def demo_seed(count: int | None, seed: int | None, if_empty: bool, days: int) -> None:
    """Fill the database with synthetic feedback across commitments and the last 18 months."""
    from .demo.seed import seed_feedback

    if if_empty and db.session.scalar(select(func.count()).select_from(Feedback)):
        click.echo("Feedback already present; not seeding.")
        return
    count = count or int(current_app.config["DEMO_SEED_DEFAULT"])
    try:
        with click.progressbar(length=count, label="Seeding feedback") as bar:
            done = seed_feedback(count, seed=seed, progress=bar.update, span_days=days)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {done:,} feedback items.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, required=True, help="The account's one role.")
@click.option("--name", default="", help="The person's name, as shown to colleagues.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from one line of standard input instead of a hidden prompt.",
)
def users_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account (the password is never taken from the command line)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, role, password, name)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value})")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def users_set_role(email: str, role: str) -> None:
    """Give an account a different role."""
    try:
        user = accounts.set_role(email, role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} is now {user.role.value}")


@users_cli.command("set-password")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from one line of standard input instead of a hidden prompt.",
)
def users_set_password(email: str, password_stdin: bool) -> None:
    """Give an account a new password; every session it had ends."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.set_password(email, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"New password set for {user.email}; its sessions have ended")


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop an account from signing in; its history is kept."""
    try:
        user = accounts.deactivate(email)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} deactivated")


@users_cli.command("link-commitments")
@click.argument("email")
@click.argument("slugs", nargs=-1, required=True)
def users_link_commitments(email: str, slugs: tuple[str, ...]) -> None:
    """Set the commitments a Responsible Officer reports on (replaces the previous list)."""
    try:
        user = accounts.link_commitments(email, list(slugs))
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} reports on: {', '.join(c.slug for c in user.commitments)}")


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    for user in accounts.list_users():
        state = "active" if user.active else "deactivated"
        linked = ",".join(c.slug for c in user.commitments)
        click.echo(f"{user.email}\t{user.role.value}\t{state}\t{user.name}\t{linked}")


@demo_cli.command("users")
def demo_users() -> None:
    """On a database with no accounts, create a demo admin and member and print passwords."""
    if accounts.count_users():
        click.echo("Staff accounts already exist; no demo accounts created.")
        return
    for email, role, name in (
        ("admin@example.invalid", StaffRole.ADMIN, "Demo Administrator"),
        ("member@example.invalid", StaffRole.MEMBER, "Demo Member"),
    ):
        password = secrets.token_urlsafe(12)
        accounts.create_user(email, role, password, name)
        click.echo(f"Demo {role.value}: {email}  password: {password}")
    db.session.commit()


@surveys_cli.command("check", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def surveys_check(paths: tuple[Path, ...]) -> None:
    """Check every survey file in surveys/ (or the files given); exit 1 on any problem."""
    from .surveys.schema import check_paths

    missing = [p for p in paths if not p.exists()]
    for path in missing:
        click.echo(f"{path}: no such file", err=True)
    results = check_paths([p for p in paths if p.exists()] or None) if not missing else []
    problems = 0
    for result in results:
        for problem in result.problems:
            click.echo(str(problem), err=True)
            problems += 1
        if result.ok:
            click.echo(f"{result.path.name}: ok")
    if problems or missing or (paths and not results):
        raise SystemExit(1)


@surveys_cli.command("sync")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def surveys_sync(paths: tuple[Path, ...]) -> None:
    """Load valid survey files; a changed file becomes a new version."""
    from .surveys.service import sync

    report = sync(list(paths) or None)
    db.session.commit()
    for slug in report.created:
        click.echo(f"created {slug}")
    for entry in report.new_versions:
        click.echo(f"new version {entry}")
    for slug in report.unchanged:
        click.echo(f"unchanged {slug}")
    for problem in report.problems:
        click.echo(problem, err=True)
    if report.problems:
        raise SystemExit(1)


privacy_cli = AppGroup("privacy", help="Retention and other data-protection duties.")


@privacy_cli.command("purge")
@click.option("--months", type=click.IntRange(min=1), default=None, help="Retention period.")
@click.option("--dry-run", is_flag=True, help="Report what would be removed, change nothing.")
def privacy_purge(months: int | None, dry_run: bool) -> None:
    """Delete contact details of items closed longer ago than the retention period (default
    FLASK_RETENTION_MONTHS, 12) and anonymise their text. Idempotent; safe to run daily."""
    from .privacy.service import purge

    months = months or int(current_app.config["RETENTION_MONTHS"])
    report = purge(months, dry_run=dry_run)
    db.session.commit()
    verb = "Would remove" if dry_run else "Removed"
    click.echo(
        f"{verb} {report.contact_details} contact details and {report.survey_emails} survey "
        f"email answers; {report.anonymised} items anonymised (closed over {months} months ago)."
    )


@privacy_cli.command("new-key")
def privacy_new_key() -> None:
    """Print a fresh random data key (base64url, 32 bytes) for FLASK_DATA_KEY."""
    from .crypto import new_key

    click.echo(new_key())


@privacy_cli.command("rotate-key")
def privacy_rotate_key() -> None:
    """Re-encrypt every contact name and email address, every survey email answer, follow and
    queued email under the
    first key of FLASK_DATA_KEY (decrypting with any key listed after it), and recompute their
    blind indexes. One transaction; idempotent. Afterwards the old keys can be removed."""
    from .crypto import ring
    from .privacy.keys import rotate

    report = rotate()
    db.session.commit()
    click.echo(
        f"Re-encrypted {report.contact_details} contact details, {report.survey_responses} "
        f"survey responses and {report.email_rows} follows and emails under key "
        f"{ring()[0].id}. Everything is now readable with that key alone: remove the old keys "
        "from FLASK_DATA_KEY."
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Write an online backup of the SQLite database to PATH (PostgreSQL: use pg_dump)."""
    import sqlite3

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "PostgreSQL: use pg_dump --format=custom --file=PATH (see the README)"
        )
    if path.exists():
        raise click.ClickException(f"{path} exists: choose a new file")
    source = db.engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        with target:
            # SQLite's online backup API: consistent even while the portal keeps writing.
            source.driver_connection.backup(target)
        target.close()
    finally:
        source.close()
    check = sqlite3.connect(path)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
        count = check.execute("SELECT count(*) FROM feedback").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise click.ClickException(f"The backup failed its integrity check: {result}")
    click.echo(f"Backed up {count:,} feedback items to {path}")


def register_cli(app: Flask) -> None:
    """Attach the portal's command groups to the app."""
    app.cli.add_command(framework_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(privacy_cli)
    # Flask-Migrate's `flask db` group gains `flask db backup PATH`.
    from flask_migrate.cli import db as db_group

    if "backup" not in db_group.commands:
        db_group.add_command(db_backup)
