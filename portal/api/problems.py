"""Errors as application/problem+json (RFC 9457)."""

from __future__ import annotations

import json

from flask import Response, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


class ApiProblem(HTTPException):
    """A client error with a detail and, for bad query parameters, messages per parameter."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(description=detail)
        self.code = status
        self.errors = errors


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Return a problem+json response."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(error: HTTPException) -> Response:
    """Turn any HTTP error raised under /api/v1 into a problem+json response."""
    status = error.code or 500
    title = {
        400: "Bad request",
        404: "Not found",
        405: "Method not allowed",
        429: "Too many requests",
    }.get(status, error.name)
    headers = {}
    original = error.get_response()
    for name in ("Allow", "Retry-After"):
        if name in original.headers:
            headers[name] = original.headers[name]
    detail = error.description if isinstance(error, ApiProblem) else None
    if status == 429:
        detail = "Too many requests from your address: wait a minute and try again"
    errors = getattr(error, "errors", None)
    return problem(status, title, detail, errors, headers)
