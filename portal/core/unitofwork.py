"""One unit of work per request: the view commits once, or nothing is written.

Service functions change objects in the session and never commit. A view (or a CLI command)
calls a service, then commits once, so a change and its audit entry are written together or not
at all. A rule that says no raises `RuleError` (each feature subclasses it: `TriageError`,
`MeetingError`, ...), and whatever the service had already changed is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from flask import flash, redirect
from werkzeug.wrappers import Response

from ..extensions import db

T = TypeVar("T")


class RuleError(ValueError):
    """A business rule refused a change; the message says what to do, in plain words."""


def commit_or_flash(change: Callable[[], str], back: str) -> Response:
    """Run one change and redirect (303) to `back` with its outcome as a flash message.

    `change` returns the success message. It is committed once; if it raises a `RuleError`,
    everything it changed is rolled back and the rule's message is shown instead.
    """
    try:
        message = change()
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(back, code=303)


def commit_or_exit(change: Callable[[], T]) -> T:
    """The same for a CLI command: run one change and commit it, returning what it returned; if
    it raises a `RuleError`, roll everything back and stop the command with the rule's message
    (exit status 1)."""
    try:
        result = change()
    except RuleError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    return result
