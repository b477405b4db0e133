"""Security headers, input hygiene and rate limits shared by every page."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import ImmutableMultiDict

from .extensions import limiter

# No inline scripts or styles anywhere: GOV.UK Frontend and htmx are loaded as files, htmx is
# configured by a meta tag with eval and inline script tags off, and charts are SVG attributes.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def _clean_text(value: str) -> str:
    return value.replace("\x00", "").replace("\r\n", "\n")


def _clean(values: ImmutableMultiDict) -> ImmutableMultiDict:
    # NUL characters are never meaningful in text and PostgreSQL refuses them: drop them at the
    # door so every form and search box gets the same treatment. Browsers send a textarea's
    # line breaks as CRLF: store them as LF, so length limits count what people typed.
    if not any("\x00" in v or "\r\n" in v for _, vs in values.lists() for v in vs):
        return values
    return ImmutableMultiDict([(k, _clean_text(v)) for k, vs in values.lists() for v in vs])


class PortalRequest(HtmxAwareRequest):
    """The request class: htmx helpers, and form and query values without NUL characters."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.form = _clean(self.form)

    @property
    def args(self) -> ImmutableMultiDict:  # type: ignore[override]
        return _clean(super().args)


def _search_rate_limit() -> str:
    return str(current_app.config["SEARCH_RATE_LIMIT"])


def _is_not_search() -> bool:
    return not request.args.get("q")


def register(app: Flask) -> None:
    """Install the request class, the headers and the search rate limit."""
    app.request_class = PortalRequest
    production = app.config["ENV_NAME"] == "production"

    @app.before_request
    def refuse_nul_in_paths():
        """No address of the portal contains a NUL character: answer 404 before any lookup."""
        if "\x00" in request.path:
            abort(404)

    @app.after_request
    def security_headers(response: Response) -> Response:
        """Send the security headers on every response."""
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if production:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

    # Searching is the expensive request: limit it per IP, wherever a `q` is given.
    for endpoint in ("triage.inbox", "notes.library"):
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(
            _search_rate_limit, exempt_when=_is_not_search
        )(view)
