"""Flask commands: `flask framework load|export`, `flask demo seed`, users, surveys, privacy."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .extensions import db

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
    app.cli.add_command(privacy_cli)
    # Flask-Migrate's `flask db` group gains `flask db backup PATH`.
    from flask_migrate.cli import db as db_group

    if "backup" not in db_group.commands:
        db_group.add_command(db_backup)
