"""Security headers and input hygiene shared by every page (rate limits are declared on the
routes they limit, with the named limits of portal/ratelimits)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable, Hashable
from functools import cached_property, wraps
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    has_request_context,
    request,
    session,
    url_for,
)
from flask.json import dumps as json_dumps
from flask.json import loads as json_loads
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_login.utils import _get_user
from flask_wtf import csrf as flask_wtf_csrf
from htmx_flask.requests import HtmxAwareRequest
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import SecurityError
from wtforms import ValidationError

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


_seal_keys: dict[str, AESGCM] = {}


def _seal_key() -> AESGCM:
    """The cipher sealing session values, made once per SECRET_KEY (a hash and a cipher object
    per value sealed or unsealed, several a submission, cost more than the sealing itself)."""
    secret = str(current_app.config["SECRET_KEY"])
    try:
        return _seal_keys[secret]
    except KeyError:
        key = hashlib.sha256(b"portal session seal\0" + secret.encode()).digest()
        aead = _seal_keys[secret] = AESGCM(key)
        return aead


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

    @cached_property
    def args(self) -> ImmutableMultiDict:  # type: ignore[override]
        """The query string's values, cleaned once per request (werkzeug parses it once)."""
        return _clean(super().args)


class _KeyedHMAC(HMACAlgorithm):
    """itsdangerous's HMAC signatures, each key's HMAC state made once and copied per value (the
    same signatures: HMAC's keyed state does not depend on the value)."""

    def __init__(self, digest_method: Any = None) -> None:
        super().__init__(digest_method)
        self._keyed: dict[bytes, Any] = {}

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        try:
            keyed = self._keyed[key]
        except KeyError:
            keyed = self._keyed[key] = hmac.new(key, digestmod=self.digest_method)
        mac = keyed.copy()
        mac.update(value)
        return mac.digest()


class _KeptKeySigner(TimestampSigner):
    """itsdangerous's TimestampSigner with each derived key made once (a hash per key)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[Any, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        try:
            return self._derived[secret_key]
        except KeyError:
            key = self._derived[secret_key] = super().derive_key(secret_key)
            return key


class KeptSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer made once and kept: its signer is made once per salt, with its
    derived keys and keyed HMACs (the values and signatures are the same as a new one's).

    Flask builds a serializer for the session cookie on every request, Flask-WTF one for the
    form token on every new token, and each serialises an empty value to try itself out, then
    builds a signer, derives its key and keys an HMAC for every value: together about a fifth of
    a kept public page's time on a first visit (new session, new form token)."""

    default_signer = _KeptKeySigner

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        signer_kwargs = dict(kwargs.pop("signer_kwargs", None) or {})
        signer_kwargs.setdefault("algorithm", _KeyedHMAC(signer_kwargs.get("digest_method")))
        super().__init__(*args, signer_kwargs=signer_kwargs, **kwargs)
        self._signers: dict[Any, TimestampSigner] = {}

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        try:
            return self._signers[salt]
        except KeyError:
            signer = self._signers[salt] = super().make_signer(salt)  # type: ignore[assignment]
            return signer  # type: ignore[return-value]


def add_vary(response: Response, name: str) -> None:
    """Add `name` to the response's Vary header, as `response.vary.add(name)` does.

    `response.vary` parses the header into a set and writes it back on every change; the
    session and the htmx hook each add one name to every response. A header of plain names
    (all the portal sends) is extended as text; anything else goes through `response.vary`."""
    current = response.headers.get("Vary")
    if current is None:
        response.headers["Vary"] = name
        return
    if '"' in current:
        response.vary.add(name)
        return
    names = [part.strip() for part in current.split(",")]
    if name.lower() in {part.lower() for part in names}:
        return
    response.headers["Vary"] = ", ".join([*(part for part in names if part), name])


_PLAIN_TYPES = (str, int, bool, float, type(None))


class PlainSessionSerializer(TaggedJSONSerializer):
    """Flask's session serializer (the same JSON, the same tags), without the tagging pass for a
    session of plain values. Flask tags every value (checking each against all eight of its tag
    types) on every save, and scans every loaded value for tags; the portal's sessions hold only
    strings, numbers and flags (sealed values are strings), so both passes found nothing to do,
    yet were a fifth of the session's cost. Anything else (a tuple, bytes, a date, Markup, a
    nested dict, a dict that looks like a tag) goes through Flask's tagging as before."""

    def _plain(self, value: Any) -> bool:
        return (
            type(value) is dict
            and all(type(item) in _PLAIN_TYPES for item in value.values())
            and not (len(value) == 1 and next(iter(value)) in self.tags)
        )

    def dumps(self, value: Any) -> str:
        if self._plain(value):
            return json_dumps(value, separators=(",", ":"))
        return super().dumps(value)

    def loads(self, value: str | bytes) -> Any:
        data = json_loads(value)
        if self._plain(data):
            return data
        return self._untag_scan(data)


class PortalSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per set of keys.

    The cookie and its signature are unchanged (KeptSerializer); a new SECRET_KEY (or fallbacks)
    gets a new serializer. Saving is Flask's, with the Vary header added to once (add_vary)."""

    serializer = PlainSessionSerializer()

    def __init__(self) -> None:
        self._serializers: dict[Hashable, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        try:
            return self._serializers[keys]
        except KeyError:
            pass
        serializer = None
        if app.secret_key:  # as Flask's: fallbacks first, the current key last
            serializer = KeptSerializer(
                [*keys[1], app.secret_key],
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        self._serializers[keys] = serializer
        return serializer

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        """Flask's `save_session`: the same cookie and headers (see Flask's for the rules)."""
        if not session:
            if session.modified or session.accessed:
                super().save_session(app, session, response)  # deleting the cookie: as Flask
            return
        if not self.should_set_cookie(app, session):
            if session.accessed:
                add_vary(response, "Cookie")
            return
        value = self.get_signing_serializer(app).dumps(dict(session))  # type: ignore[union-attr]
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            partitioned=self.get_cookie_partitioned(app),
            samesite=self.get_cookie_samesite(app),
        )
        add_vary(response, "Cookie")


_csrf_serializers: dict[Any, KeptSerializer] = {}


def generate_csrf() -> str:
    """Return this request's form token: Flask-WTF's `generate_csrf()` (the same token, kept in
    the session and `g` as Flask-WTF keeps it, so either function gives the same one in a
    request), with its serializer made once per secret key (KeptSerializer)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret = app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    if not field or not secret:  # not configured: Flask-WTF's own error
        return flask_wtf_csrf.generate_csrf()
    token = g.get(field)
    if token is not None:
        return token
    try:
        serializer = _csrf_serializers[secret]
    except KeyError:
        serializer = _csrf_serializers[secret] = KeptSerializer(secret, salt="wtf-csrf-token")
    if field not in session:
        session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (as Flask-WTF)
    try:
        token = serializer.dumps(session[field])
    except TypeError:
        session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
        token = serializer.dumps(session[field])
    setattr(g, field, token)
    return token


def validate_csrf(data: str | None) -> None:
    """Flask-WTF's `validate_csrf` (the same checks, in the same order, with the same
    messages), its serializer made once per secret key (KeptSerializer, as `generate_csrf`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    secret = app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if not field or not secret:  # not configured: Flask-WTF's own error
        flask_wtf_csrf.validate_csrf(data)
        return
    time_limit = app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field not in session:
        raise ValidationError("The CSRF session token is missing.")
    try:
        serializer = _csrf_serializers[secret]
    except KeyError:
        serializer = _csrf_serializers[secret] = KeptSerializer(secret, salt="wtf-csrf-token")
    try:
        token = serializer.loads(data, max_age=time_limit)
    except SignatureExpired as e:
        raise ValidationError("The CSRF token has expired.") from e
    except BadData as e:
        raise ValidationError("The CSRF token is invalid.") from e
    if not hmac.compare_digest(session[field], token):
        raise ValidationError("The CSRF tokens do not match.")


def _private_endpoint(app: Flask, endpoint: str | None) -> bool:
    """Say whether an endpoint is a staff page or download, or shows personal data (kept per
    endpoint: the views and their roles are fixed once the app is made)."""
    known: dict[str | None, bool] = app.extensions["portal.private_endpoints"]
    try:
        return known[endpoint]
    except KeyError:
        view = app.view_functions.get(endpoint or "")
        private = known[endpoint] = endpoint != "static" and bool(
            getattr(view, "allowed_roles", None) or endpoint in PRIVATE_ENDPOINTS
        )
        return private


def _is_private() -> bool:
    """Say whether this response is a staff page, a staff download or shows personal data."""
    endpoint = request.endpoint
    if endpoint == "static":  # the same files for everyone
        return False
    if _private_endpoint(current_app._get_current_object(), endpoint):  # type: ignore[attr-defined]
        return True
    user = _get_user()
    return bool(user and user.is_authenticated)


def check_form_tokens_on_changes_only(app: Flask) -> None:
    """Let Flask-WTF's check before every view look at requests that change something only.

    Its hook looked up whether the view was exempt before looking at the method, on every GET
    too, to return without checking anything. The method (WTF_CSRF_METHODS) is now looked at
    first; a POST (or any method in WTF_CSRF_METHODS) goes through Flask-WTF's hook as before."""
    hooks = app.before_request_funcs.get(None, [])
    for index, hook in enumerate(hooks):
        if getattr(hook, "__qualname__", "") == "CSRFProtect.init_app.<locals>.csrf_protect":

            @wraps(hook)
            def csrf_protect(flask_wtf_check: Callable[[], Any] = hook) -> Any:
                if request.method not in app.config["WTF_CSRF_METHODS"]:
                    return None
                return flask_wtf_check()

            hooks[index] = csrf_protect


def register(app: Flask) -> None:
    """Install the request class, the headers and the CSP report address."""
    app.request_class = PortalRequest
    app.session_interface = PortalSessionInterface()
    app.extensions["portal.private_endpoints"] = {}
    check_form_tokens_on_changes_only(app)
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
