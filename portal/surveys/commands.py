"""`flask surveys check|sync`: the survey files in surveys/."""

from __future__ import annotations

from pathlib import Path

import click

from ..extensions import db
from .views import bp

bp.cli.help = "Check and load the survey files in surveys/."


@bp.cli.command("check", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def surveys_check(paths: tuple[Path, ...]) -> None:
    """Check every survey file in surveys/ (or the files given); exit 1 on any problem."""
    from .schema import check_paths

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


@bp.cli.command("sync")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def surveys_sync(paths: tuple[Path, ...]) -> None:
    """Load valid survey files; a changed file becomes a new version."""
    from .service import sync

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
