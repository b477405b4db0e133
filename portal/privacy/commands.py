"""`flask privacy purge|new-key|rotate-key`: retention and the data keys."""

from __future__ import annotations

import click
from flask import current_app

from ..extensions import db
from .views import bp

bp.cli.help = "Retention and other data-protection duties."


@bp.cli.command("purge")
@click.option("--months", type=click.IntRange(min=1), default=None, help="Retention period.")
@click.option("--dry-run", is_flag=True, help="Report what would be removed, change nothing.")
def privacy_purge(months: int | None, dry_run: bool) -> None:
    """Delete contact details of items closed longer ago than the retention period (default
    FLASK_RETENTION_MONTHS, 12) and anonymise their text. Idempotent; safe to run daily."""
    from .service import purge

    months = months or int(current_app.config["RETENTION_MONTHS"])
    report = purge(months, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Would remove" if dry_run else "Removed"
    click.echo(
        f"{verb} {report.contact_details} contact details and {report.survey_emails} survey "
        f"email answers; {report.anonymised} items anonymised (closed over {months} months ago)."
    )


@bp.cli.command("new-key")
def privacy_new_key() -> None:
    """Print a fresh random data key (base64url, 32 bytes) for FLASK_DATA_KEY."""
    from ..crypto import new_key

    click.echo(new_key())


@bp.cli.command("rotate-key")
def privacy_rotate_key() -> None:
    """Re-encrypt every contact name and email address, every survey email answer, follow and
    queued email under the first key of FLASK_DATA_KEY (decrypting with any key listed after
    it), and recompute their blind indexes. One transaction; idempotent. Afterwards the old keys
    can be removed."""
    from ..crypto import ring
    from .keys import rotate

    report = rotate()
    db.session.commit()
    click.echo(
        f"Re-encrypted {report.contact_details} contact details, {report.survey_responses} "
        f"survey responses and {report.email_rows} follows and emails under key "
        f"{ring()[0].id}. Everything is now readable with that key alone: remove the old keys "
        "from FLASK_DATA_KEY."
    )
