"""Never lose what someone typed when their form token has expired.

A form left open for hours (a phone tab, a long survey page) comes back with an expired or
missing CSRF token. Flask-WTF refuses it before the view runs. For a view marked with
`keeps_input`, the error handler then runs the view itself, flagged, so it shows the same form
again with every value kept, a fresh token and a message in the error summary: HTTP 400, and
nothing is stored (FlaskForm validation fails on the token; hand-built forms check
`token_expired()` before acting).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import g

View = TypeVar("View", bound=Callable)

EXPIRED_MESSAGE = "Your session timed out. Check your answers and send them again."


def keeps_input(view: View) -> View:
    """Mark a form view that shows its form again, as typed, when its token has expired."""
    view.keeps_input_on_expired_token = True  # type: ignore[attr-defined]
    return view


def token_expired() -> bool:
    """Whether this request is a form sent back because its token had expired."""
    return bool(g.get("form_token_expired"))


def expired_message() -> str:
    """The error summary's message for a form whose token expired."""
    return str(g.get("form_expired_message") or EXPIRED_MESSAGE)


def set_expired_message(message: str) -> None:
    """Word the expired-token message for this form ("Check your feedback and send it again")."""
    g.form_expired_message = message


def expired_errors() -> dict[str, str]:
    """For a hand-built form: the expired-token message keyed `csrf_token`, or nothing."""
    return {"csrf_token": expired_message()} if token_expired() else {}
