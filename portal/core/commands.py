"""`flask db backup PATH`. `flask db` is Flask-Migrate's group (created by `migrate.init_app`),
not a blueprint's, so this command joins that group instead of a blueprint's own (a blueprint
group named "db" would replace Flask-Migrate's)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import Flask

from ..extensions import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Write an online backup of the SQLite database to PATH (PostgreSQL: use pg_dump)."""
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


def register(app: Flask) -> None:
    """Add `backup` to the app's `flask db` group."""
    app.cli.commands["db"].add_command(db_backup)
