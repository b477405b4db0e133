"""Social Value Feedback Portal: the app factory."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from flask import Flask, Response
from govuk_frontend_wtf.main import WTFormsHelpers
from htmx_flask import Htmx
from jinja2 import (
    ChoiceLoader,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
)
from sqlalchemy.orm import configure_mappers

from . import filters, security
from .config import configure
from .database import configure_engine_events, include_object
from .extensions import ROUTE_LIMITS_ONLY, csrf, db, limiter, login_manager, migrate
from .inputs import IdConverter

ROOT = Path(__file__).resolve().parent.parent
# Flask-Limiter's settings for limits on every request rather than on a route.
APPLICATION_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")

# The features, in the order their blueprints are registered. Each is a package portal/<name>/
# whose views.py defines its blueprint `bp` (a feature without pages defines it in commands.py);
# its commands.py, if any, adds `flask <group> ...` commands with `@bp.cli.command`, the group
# named by the blueprint's `cli_group`.
FEATURES = (
    "core",
    "public",
    "auth",
    "triage",
    "admin",
    "surveys",
    "progress",
    "meetings",
    "notes",
    "yousaid",
    "reports",
    "annualreview",
    "privacy",
    "framework_admin",
    "sitefeedback",
    "opendata",
    "api",
    "tagging",
    "dataio",
    "outbox",
    "demo",
)


class PortalFlask(Flask):
    """Flask, with the answer to "is this view or hook a coroutine function?" kept per function.

    Flask asks it (`inspect.iscoroutinefunction`, through `ensure_sync`) of the view and of
    every hook before and after every request: ten times a request, the same functions each
    time. The answers are kept for the functions registered with the app (a bounded number);
    a function made during a request (`after_this_request`) is asked each time, as in Flask."""

    KEPT_SYNC_FUNCTIONS = 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_functions: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        kept = self._sync_functions
        try:
            return kept[func]
        except KeyError:
            made = super().ensure_sync(func)
            if len(kept) < self.KEPT_SYNC_FUNCTIONS and _registered(self, func):
                kept[func] = made
            return made
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def _registered(app: Flask, func: Callable[..., Any]) -> bool:
    """Say whether `func` is one of the app's views, hooks or error handlers."""
    if func in app.view_functions.values():
        return True
    hooks = (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
        app.url_value_preprocessors,
    )
    if any(func in funcs for registry in hooks for funcs in registry.values()):
        return True
    if func in app.teardown_appcontext_funcs:
        return True
    return any(
        func in handlers.values()
        for by_code in app.error_handler_spec.values()
        for handlers in by_code.values()
    )


def create_app(
    overrides: dict[str, object] | None = None, instance_path: Path | str | None = None
) -> Flask:
    """Create and configure the portal application (instance/ of the checkout by default)."""
    app = PortalFlask(
        __name__,
        instance_path=str(instance_path or ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, overrides)
    # Identifiers in addresses: ASCII digits within an integer column's range, else a 404.
    app.url_map.converters["int"] = IdConverter
    configure_templates(app)
    init_extensions(app)
    register_features(app)

    from . import assets
    from .core import commands, errors, fragments

    errors.register(app)
    commands.register(app)  # `flask db backup`
    security.register(app)
    filters.register(app)
    fragments.register(app)  # memoised GOV.UK Frontend components (FRAGMENT_CACHE)
    assets.init_app(app)  # fingerprinted, precompressed static files (built by make setup)
    # Relationships between the models are resolved now, once per process, not by the first
    # request that queries the database.
    configure_mappers()

    @app.after_request
    def vary_on_htmx(response: Response) -> Response:
        # Pages that answer an htmx request with a fragment differ by it: caches must key on it.
        security.add_vary(response, "HX-Request")
        return response

    return app


def configure_templates(app: Flask) -> None:
    """Templates from templates/, and GOV.UK Frontend's macros under their package names."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Compiled templates kept in instance/ (keyed by name, checked against the source): a new
    # worker loads them instead of compiling the GOV.UK Frontend macros again, which made the
    # first request of every gunicorn worker take about half a second of CPU.
    bytecode = Path(app.instance_path) / "jinja-bytecode"
    bytecode.mkdir(exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(bytecode))


def init_extensions(app: Flask) -> None:
    """Bind the shared extension objects (portal/extensions.py) to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), include_object=include_object)
    csrf.init_app(app)
    # Flask-Limiter keeps "enabled" on its one shared object; register its hooks on every app
    # and let each app's own RATELIMIT_ENABLED decide per request (see extensions.py).
    from .ratelimits import storage as _rate_limit_storage  # noqa: F401  (registers portal://)

    limits_enabled = app.config["RATELIMIT_ENABLED"]
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = limits_enabled
    drop_rate_limit_middleware(app)
    login_manager.init_app(app)
    Htmx(app)
    WTFormsHelpers(app)
    with app.app_context():
        configure_engine_events(db.engine)

    from . import models  # noqa: F401  (register the models with the metadata)
    from .auth import permissions  # noqa: F401  (registers the user loader)


def drop_rate_limit_middleware(app: Flask) -> None:
    """Check each rate limit once, in the decorator of the route that declares it.

    Flask-Limiter also checks every request before its view, for application-wide ("default",
    "application" and "meta") limits; the portal declares none (every limit is on its route), so
    that pass found nothing to count, yet resolved the route's limits on every request, kept
    pages and `/healthz` included. Configured application-wide limits keep it.

    Without them, a route's limits declared for some methods (`methods=["POST"]`) are left out of
    its other methods' requests altogether (portal/extensions.py, MethodRouteLimit).
    """
    app.extensions[ROUTE_LIMITS_ONLY] = False
    if any(app.config.get(name) for name in APPLICATION_WIDE_LIMITS):
        return
    app.extensions[ROUTE_LIMITS_ONLY] = True
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def register_features(app: Flask) -> None:
    """Register every feature's blueprint, with the commands its commands.py adds to it."""
    for name in FEATURES:
        package = f"{__name__}.{name}"
        modules = [
            import_module(f"{package}.{part}")
            for part in ("views", "commands")
            if find_spec(f"{package}.{part}") is not None
        ]
        app.register_blueprint(next(m.bp for m in modules if hasattr(m, "bp")))
