"""Error pages in the portal's own layout."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from .expired import expired_message, token_expired

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
        """Show a form again as typed when its token expired, or explain and ask to retry."""
        view = app.view_functions.get(request.endpoint or "")
        if request.method == "POST" and getattr(view, "keeps_input_on_expired_token", False):
            g.form_token_expired = True
            try:
                response = app.make_response(view(**(request.view_args or {})))
            except HTTPException as refused:  # e.g. the route's own rate limit, checked in the view
                return app.handle_http_exception(refused)
            if response.status_code in (200, 422):  # the form again, nothing stored
                response.status_code = 400
                # htmx swaps this 400 like a 422 (static/js/portal.mjs): the form stays.
                response.headers["X-Form-Expired"] = "true"
            return response
        return render_template("errors/csrf.html", reason=error.description), 400

    app.jinja_env.globals.update(token_expired=token_expired, expired_message=expired_message)

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
