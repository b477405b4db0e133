"""`flask feedback import FILE --map COLUMN=FIELD ...`: offline feedback from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from ..extensions import db
from ..models import Channel
from . import service
from .reader import MAX_UPLOAD_BYTES, FileProblem
from .views import bp

bp.cli.help = "Feedback gathered offline: import from CSV or XLSX."


@bp.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a column to a field (" + ", ".join(service.FIELD_LABELS) + ", or ignore); "
    "columns named like a field are mapped without it.",
)
@click.option(
    "--channel",
    type=click.Choice([c.value for c in Channel]),
    default=Channel.IN_PERSON.value,
    show_default=True,
    help="The channel of rows with no channel column.",
)
@click.option("--dry-run", is_flag=True, help="Check the rows and list problems; import nothing.")
def import_command(path: Path, maps: tuple[str, ...], channel: str, dry_run: bool) -> None:
    """Import feedback from a CSV or XLSX file (one transaction; duplicates left out)."""
    content = path.read_bytes()
    try:
        if len(content) > MAX_UPLOAD_BYTES:
            raise FileProblem("The file must be smaller than 5 MB")
        batch, table = service.new_batch(None, path.name, content, Channel(channel))
        mapping = service.parse_map_options(table.header, list(maps))
        preview = service.check_rows(table, mapping, Channel(channel))
    except FileProblem as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from problem
    mapped = ", ".join(f"{table.header[i]!r}→{f}" for i, f in sorted(mapping.items()))
    click.echo(f"Columns: {mapped or 'none'}")
    for row in preview.rows:
        for message in row.problems:
            click.echo(f"Row {row.number}: {message}")
        if not row.problems and row.duplicate_of:
            click.echo(
                f"Row {row.number}: already imported (same text and date as {row.duplicate_of})"
            )
    errors = service.check_mapping(mapping, Channel(channel))
    if errors:
        db.session.rollback()
        raise click.ClickException("; ".join(errors.values()))
    if dry_run:
        db.session.rollback()
        click.echo(f"{len(preview.ready)} rows would be imported (dry run: nothing imported)")
        return
    result = service.import_batch(batch, mapping, Channel(channel), None)
    db.session.commit()
    click.echo(
        f"{len(result.imported)} items imported from {batch.filename}; "
        f"{len(result.preview.with_problems)} rows with problems, "
        f"{len(result.preview.duplicates)} already imported"
    )
    current_app.logger.info("Imported %s items from %s", len(result.imported), batch.filename)
