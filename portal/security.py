"""Security headers and input hygiene shared by every page (rate limits are declared on the
routes they limit, with the named limits of portal/ratelimits)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from collections.abc import Hashable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, Response, abort, current_app, has_request_context, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from htmx_flask.requests import HtmxAwareRequest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import SecurityError

from .extensions import csrf, limiter

csp_log = logging.getLogger("portal.csp")

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
        # report-uri, not report-to: Chromium ignores report-uri when report-to is present and
        # batches Reporting API deliveries (none arrived within 90 s in headless Chromium), so
        # violations would reach the endpoint late or never. report-uri posts each one at once.
        "report-uri /csp-report",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# Pages that show a person's own data (a tracking link, a reference, their sign-in form) are
# never stored by a browser or proxy, like every staff page.
PRIVATE_ENDPOINTS = {
    "public.confirmation",
    "public.track",
    "surveys.page",
    "surveys.preview",
    "surveys.check",
    "surveys.done",
    "privacy.equality",
    "auth.login",
}
NO_STORE = "no-store, private"


def external_url(endpoint: str, **values: Any) -> str:
    """Return an absolute link for pages and emails, built from PORTAL_BASE_URL (never from the
    request's Host header, which anyone can set)."""
    if has_request_context():
        path = url_for(endpoint, _external=False, **values)
    else:  # a command (digests, the outbox worker) has no request to build paths in
        with current_app.test_request_context("/"):
            path = url_for(endpoint, _external=False, **values)
    return current_app.config["PORTAL_BASE_URL"] + path


def _seal_key() -> AESGCM:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return AESGCM(hashlib.sha256(b"portal session seal\0" + secret).digest())


def seal(value: Any) -> str:
    """Encrypt a value for the session cookie, which is signed but otherwise readable."""
    nonce = os.urandom(12)
    sealed = _seal_key().encrypt(nonce, json.dumps(value).encode(), b"session")
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: Any, default: Any = None) -> Any:
    """Decrypt a value sealed by `seal`; anything else (or nothing) gives the default."""
    if not isinstance(value, str):
        return default
    try:
        blob = base64.urlsafe_b64decode(value)
        return json.loads(_seal_key().decrypt(blob[:12], blob[12:], b"session"))
    except (ValueError, InvalidTag):
        return default


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


class PortalSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per set of keys.

    Flask builds a new serializer on every request, and itsdangerous tries each new serializer
    out by serialising an empty value: about a tenth of a kept public page's time. The cookie
    and its signature are unchanged; a new SECRET_KEY (or fallbacks) gets a new serializer."""

    def __init__(self) -> None:
        self._serializers: dict[Hashable, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        try:
            return self._serializers[keys]
        except KeyError:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
            return serializer


def _is_private() -> bool:
    """Say whether this response is a staff page, a staff download or shows personal data."""
    if request.endpoint == "static":  # the same files for everyone
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "allowed_roles", None) or request.endpoint in PRIVATE_ENDPOINTS:
        return True
    return bool(current_user and current_user.is_authenticated)


def register(app: Flask) -> None:
    """Install the request class, the headers and the CSP report address."""
    app.request_class = PortalRequest
    app.session_interface = PortalSessionInterface()
    production = app.config["ENV_NAME"] == "production"

    @app.before_request
    def refuse_nul_in_paths():
        """No address of the portal contains a NUL character: answer 404 before any lookup."""
        if "\x00" in request.path:
            abort(404)

    headers = dict(SECURITY_HEADERS)
    if production:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Built once: (lower-case name, name, value). A view's own value for one of them stays.
    defaults = tuple((name.lower(), name, value) for name, value in headers.items())

    @app.after_request
    def security_headers(response: Response) -> Response:
        """Send the security headers on every response."""
        sent = {name.lower() for name in response.headers.keys()}
        response.headers.extend(
            [(name, value) for lower, name, value in defaults if lower not in sent]
        )
        if _is_private():
            response.headers["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        """Refuse a request for a host not in TRUSTED_HOSTS (plain text: no page can be built,
        since links would need the host)."""
        return Response("Bad Request: unknown host\n", 400, mimetype="text/plain")

    @app.post("/csp-report")
    @csrf.exempt
    @limiter.limit("60 per minute")
    def csp_report():
        """Record a Content-Security-Policy violation reported by a browser."""
        body = request.get_data(cache=False, as_text=True)[:4000]
        csp_log.warning("CSP violation reported: %s", body)
        return "", 204
