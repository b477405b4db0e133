"""Flask commands: `flask framework load|export`, `flask demo seed`, users, surveys, privacy."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from .extensions import db


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
    # Flask-Migrate's `flask db` group gains `flask db backup PATH`.
    from flask_migrate.cli import db as db_group

    if "backup" not in db_group.commands:
        db_group.add_command(db_backup)
