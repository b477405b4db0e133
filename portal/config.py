"""Configuration: defaults, then DATABASE_URL / SECRET_KEY, then any FLASK_<NAME> variable."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask


class ConfigurationError(RuntimeError):
    """Raised when the app cannot start safely with the configuration it was given."""


DEFAULTS: dict[str, object] = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # request bodies over 1 MB get a 413 page
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 4 * 3600,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "database://",  # shared by every worker (portal/ratelimits)
    "RATELIMIT_HEADERS_ENABLED": True,
    "FEEDBACK_RATE_LIMIT": "10 per minute;60 per day",
    "LOGIN_RATE_LIMIT": "20 per minute;200 per day",
    "SEARCH_RATE_LIMIT": "120 per minute",
    "RETENTION_MONTHS": 12,
    "SURVEY_DRAFT_STORE": "",
    "ENV_NAME": "development",
    "DEMO_SEED_DEFAULT": 300,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
}
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def _sqlite_url(app: Flask) -> str:
    return "sqlite:///" + str(Path(app.instance_path) / "portal.db")


def _development_secret(app: Flask) -> str:
    """Read the development secret from instance/, generating it on first start."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _development_data_key(app: Flask) -> str:
    """Read the development data key from instance/, generating it on first start."""
    from .crypto import new_key

    path = Path(app.instance_path) / "data_key"
    if not path.exists():
        path.write_text(new_key() + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def configure(app: Flask, overrides: dict[str, object] | None = None) -> None:
    """Load configuration from defaults, the environment and explicit overrides (tests)."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL") or _sqlite_url(app)
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    # Links in pages and emails are built from this, never from the Host header.
    if os.environ.get("PORTAL_BASE_URL"):
        app.config["PORTAL_BASE_URL"] = os.environ["PORTAL_BASE_URL"]
    if os.environ.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [
            h.strip() for h in os.environ["TRUSTED_HOSTS"].split(",") if h.strip()
        ]
    app.config.from_prefixed_env()  # FLASK_<NAME>, values parsed as JSON where they can be
    if overrides:
        app.config.update(overrides)

    uri = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri.removeprefix("postgres://")
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        # A file has no server to drop the connection: a ping before every checkout was one
        # more query on every request (a fifth of a kept public page's time).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if uri.startswith("postgresql"):
        # Documented in the README: size the pool to the gunicorn worker's threads.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("pool_size", 5)
        options.setdefault("max_overflow", 5)
        options.setdefault("pool_recycle", 1800)
        # A dropped connection is found on checkout without a round trip to the server
        # (portal/database.py, `postgresql_idle_and_open`), not by a `SELECT 1` per request.
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    production = app.config["ENV_NAME"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigurationError("SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = _development_secret(app)
    if not app.config.get("DATA_KEY"):
        if production:
            raise ConfigurationError("FLASK_DATA_KEY must be set in production")
        app.config["DATA_KEY"] = _development_data_key(app)
    from .crypto import ring

    with app.app_context():
        ring()  # a malformed key stops the app here, not at the first form with an email

    if not app.config.get("PORTAL_BASE_URL"):
        server = app.config.get("SERVER_NAME")  # configured, unlike a request's Host header
        if production and not server:
            raise ConfigurationError("PORTAL_BASE_URL must be set in production")
        scheme = app.config.get("PREFERRED_URL_SCHEME", "http")
        app.config["PORTAL_BASE_URL"] = f"{scheme}://{server}" if server else DEVELOPMENT_BASE_URL
    app.config["PORTAL_BASE_URL"] = str(app.config["PORTAL_BASE_URL"]).rstrip("/")
    _check_rate_limit_storage(str(app.config.get("RATELIMIT_STORAGE_URI") or ""))
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        if not app.config.get("TRUSTED_HOSTS"):
            # Refuse requests for any other host: Flask answers them 400 Bad Request.
            app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["PORTAL_BASE_URL"]).hostname]


def _check_rate_limit_storage(uri: str) -> None:
    """Stop the app at start when the rate-limit store is one nothing knows (a typo would
    otherwise show only at the first limited request)."""
    from limits.errors import ConfigurationError as StorageConfigurationError
    from limits.storage import SCHEMES

    from .ratelimits import storage  # noqa: F401  (registers database://)

    if uri.split("://", 1)[0] not in SCHEMES:
        raise StorageConfigurationError(f"unknown rate-limit storage: {uri!r}")
