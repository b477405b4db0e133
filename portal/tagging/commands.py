"""`flask tagging train|suggest|evaluate`: the suggested-tags model from the command line."""

from __future__ import annotations

import json
import sys

import click

from ..extensions import db
from . import service
from .views import bp

bp.cli.help = "Suggested tags: train, suggest, evaluate."


@bp.cli.command("train")
def train_command() -> None:
    """Retrain the suggestion model from the tagged items in the database."""
    record = service.train()
    db.session.commit()
    click.echo(
        f"Trained model version {record.version} on {record.training_size:,} tagged items; "
        f"stored in instance/tagging/{record.file_name}"
    )


@bp.cli.command("suggest")
def suggest_command() -> None:
    """Read JSON lines {"id", "text"} on standard input; write one JSON line of scores for each."""
    model = service.current_model()
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError) as error:
            raise click.ClickException(
                f'line {number}: expected a JSON object like {{"id": 1, "text": "..."}}'
            ) from error
        scores = model.score([text])[0]
        out = {"id": row.get("id")}
        for family in service.FAMILIES:
            key = "slug" if family != "codes" else "name"
            out[family] = [{key: k, "score": s} for k, s in getattr(scores, family)]
        out["possible"] = model.possible
        click.echo(json.dumps(out))


@bp.cli.command("evaluate")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds")
@click.option("--limit", type=int, default=None, help="Evaluate on at most this many items")
@click.option(
    "--heldout",
    type=click.File("r"),
    default=None,
    help='Also score the current model on a JSON-lines file of {"text", "commitment"}',
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON")
def evaluate_command(folds: int, limit: int | None, heldout, as_json: bool) -> None:
    """Cross-validated accuracy on the staff-tagged items, stored for /admin/tagging."""
    if folds < 2:
        raise click.BadParameter("use at least 2 folds", param_hint="--folds")
    try:
        figures = service.evaluate(folds=folds, limit=limit)
    except service.TaggingError as error:
        raise click.ClickException(str(error)) from error
    if heldout is not None:
        figures["heldout"] = service.evaluate_file(
            [json.loads(line) for line in heldout if line.strip()]
        )
    service.store_evaluation(figures)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(
        f"Commitments ({figures['commitment_items']} items, {folds}-fold): "
        f"top-1 {figures['top1']}, top-3 {figures['top3']}"
    )
    click.echo(
        f"No commitment ({figures['no_commitment_items']} items): top score below 'possible' "
        f"{figures['no_commitment_below_possible']}"
    )
    for family in ("themes", "codes"):
        for key, f in figures[family].items():
            click.echo(
                f"{family[:-1]} {key}: precision {f['precision']}, recall {f['recall']} "
                f"({f['support']} items)"
            )
    if "heldout" in figures:
        h = figures["heldout"]
        click.echo(
            f"Held-out file ({h['items']} texts): top-1 {h['top1']}, top-3 {h['top3']}, "
            f"no commitment below 'possible' {h['no_commitment_below_possible']}"
        )
