"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from flask import Blueprint, Flask, current_app, request
from flask.globals import request_ctx
from flask_limiter import Limiter
from flask_limiter._limits import RouteLimit
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are reproducible on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


class PortalCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF protection, checking a form token with the portal's kept serializer.

    Flask-WTF's `validate_csrf` builds an itsdangerous serializer (and its signer, derived key
    and HMAC) for every token it checks; `portal.security.validate_csrf` is the same check with
    the same messages, its serializer made once per secret key. The rest is Flask-WTF's
    `protect` as it is (exemptions, methods, the referrer check over HTTPS)."""

    def protect(self, apply_exemptions: bool = False) -> None:
        from flask import g
        from flask_wtf.csrf import ValidationError, logger, same_origin

        from .security import validate_csrf

        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as e:
            logger.info(e.args[0])
            self._error_response(e.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            good_referrer = f"https://{request.host}/"
            if not same_origin(request.referrer, good_referrer):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # mark this request as CSRF valid


csrf = PortalCSRFProtect()
# Set on an app whose only limits are its routes' own (no application-wide limits): see
# portal/__init__.py, drop_rate_limit_middleware.
ROUTE_LIMITS_ONLY = "portal.route_limits_only"


class MethodRouteLimit(RouteLimit):
    """A route's limit that, on a method it does not limit, leaves the limiter out entirely.

    `@limiter.limit(..., methods=["POST"])` on a page that is also read with GET wrapped the view
    in Flask-Limiter's check for every request: on a GET it looked the route's limits up, found
    them exempt for the method and counted nothing, about a tenth of a kept public page's time.
    Now the view is called straight away when none of the route's limits counts the request's
    method and the app has no application-wide (default) limits, which Flask-Limiter checks in
    the same place. Every other request goes through Flask-Limiter's check as before.
    """

    def __call__(self, obj: Any) -> Any:
        checked = super().__call__(obj)
        if isinstance(obj, Blueprint) or not self.methods:
            return checked
        limiter = self.limiter
        name = get_qualified_name(obj)
        view: Callable[..., Any] = obj

        @wraps(obj)
        def dispatch(*args: Any, **kwargs: Any) -> Any:
            if limiter.counts(name, request.method) or not current_app.extensions.get(
                ROUTE_LIMITS_ONLY
            ):
                return checked(*args, **kwargs)
            return view(*args, **kwargs)

        setattr(dispatch, "__wrapper-limiter-instance", limiter)
        return dispatch


def _after_a_check(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Run a Flask-Limiter hook only in a request where it checked a limit (made its state)."""

    @wraps(hook)
    def run(value: Any) -> Any:
        if getattr(request_ctx, "_limiter_request_context", None) is None:
            return value
        return hook(value)

    return run


class PortalLimiter(Limiter):
    """Flask-Limiter, leaving a route's limits declared for some methods out of the others."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counted: dict[tuple[str, str], bool] = {}

    def init_app(self, app: Flask) -> None:
        """Flask-Limiter's `init_app`, its hooks after every request run only after a check.

        After every request Flask-Limiter added the headers of the limits it checked and
        deducted conditional costs, and at teardown it reset what it kept for the request;
        both made its per-request state first, for requests that checked no limit too (most
        pages: every limit is on its route). With no check, there is nothing to add or reset."""
        super().init_app(app)
        inject = partial(Limiter._Limiter__inject_headers, self)  # type: ignore[attr-defined]
        release = self._Limiter__release_context  # type: ignore[attr-defined]
        after = app.after_request_funcs.get(None, [])
        for index, hook in enumerate(after):
            if isinstance(hook, partial) and (hook.func, hook.args) == (inject.func, inject.args):
                after[index] = _after_a_check(hook)
        teardown = app.teardown_request_funcs.get(None, [])
        for index, hook in enumerate(teardown):
            if hook == release:
                teardown[index] = _after_a_check(hook)

    def counts(self, name: str, method: str) -> bool:
        """Say whether any limit declared on the view `name` may count a request with `method`
        (a limit for every method, for this one, or one that adds the default limits)."""
        key = (name, method)
        try:
            return self._counted[key]
        except KeyError:
            declared = self.limit_manager._decorated_limits.get(name, ())
            counted = self._counted[key] = any(
                not limit.methods or method.lower() in limit.methods or not limit.override_defaults
                for limit in declared
            )
            return counted

    def limit(  # type: ignore[override]
        self,
        limit_value: str | Callable[[], str],
        *,
        key_func: Callable[[], str] | None = None,
        per_method: bool = False,
        methods: list[str] | None = None,
        error_message: str | Callable[[], str] | None = None,
        exempt_when: Callable[[], bool] | None = None,
        override_defaults: bool = True,
        deduct_when: Callable[[Any], bool] | None = None,
        on_breach: Callable[[Any], Any] | None = None,
        cost: int | Callable[[], int] = 1,
        scope: str | Callable[[str], str] | None = None,
        meta_limits: Any = None,
    ) -> RouteLimit:
        """`Limiter.limit` (the same options), as a MethodRouteLimit."""
        return MethodRouteLimit(
            limit_provider=limit_value,
            limiter=self,
            key_function=key_func or self._key_func,
            shared=False,
            scope=scope,
            per_method=per_method,
            methods=methods,
            error_message=error_message,
            exempt_when=exempt_when,
            override_defaults=override_defaults,
            deduct_when=deduct_when,
            on_breach=on_breach,
            cost=cost,
            meta_limits=meta_limits,
        )


# "portal://" dispatches to each app's own RATELIMIT_STORAGE_URI (portal/ratelimits/storage.py).
limiter = PortalLimiter(key_func=get_remote_address, storage_uri="portal://")


@limiter.request_filter
def _limits_switched_off() -> bool:
    """Honour FLASK_RATELIMIT_ENABLED per app (the Limiter object itself is shared)."""
    return not current_app.config.get("RATELIMIT_ENABLED", True)


class PortalLoginManager(LoginManager):
    """Flask-Login, finding a request that carries no sign-in anonymous without its full search.

    Every public request asks who is signed in (kept pages, the private-page headers); for a
    visitor with no account in the session, no remember-me cookie and no other way to sign in,
    Flask-Login still hashed the address and browser into a session identifier (SHA-512) to
    compare with one the session does not have, and looked for the cookie and header, to
    conclude "anonymous". Here that visitor is anonymous at once, with the one side effect
    Flask-Login's "basic" session protection has on such a session (it is marked not fresh) and
    its signals. Anything else (an account in the session, an identifier, a remember-me cookie,
    a request loader, "strong" protection) goes through Flask-Login as before."""

    def _load_user(self) -> None:
        from flask import g, session
        from flask_login.config import AUTH_HEADER_NAME, COOKIE_NAME
        from flask_login.signals import session_protected, user_accessed

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        config = app.config
        mode = config.get("SESSION_PROTECTION", self.session_protection)
        sess = session._get_current_object()  # type: ignore[attr-defined]
        if (
            self._user_callback is None
            or self._request_callback is not None
            or mode == "strong"
            or "_user_id" in sess
            or "_id" in sess
            or config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
            or config.get("AUTH_HEADER_NAME", AUTH_HEADER_NAME) in request.headers
        ):
            return super()._load_user()
        user_accessed.send(app)
        if mode == "basic" and sess:  # Flask-Login's basic protection, for a session with no id
            if sess.get("_fresh") is not False:
                sess["_fresh"] = False
            session_protected.send(app)
        g._login_user = self.anonymous_user()
        return None


login_manager = PortalLoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
