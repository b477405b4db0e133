"""Error pages in the portal's own layout."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db

TITLES = {
    400: "There was a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "This action is not allowed here",
    413: "What you sent is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def register(app: Flask) -> None:
    """Attach the error handlers to the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        """Explain an expired or missing form token and ask the person to try again."""
        return render_template("errors/csrf.html", reason=error.description), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Render any HTTP error in the portal layout."""
        code = error.code or 500
        title = TITLES.get(code, error.name)
        return render_template("errors/error.html", code=code, title=title), code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        """Log an unexpected error and show a calm 500 page."""
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=error)
        return render_template("errors/error.html", code=500, title=TITLES[500]), 500
