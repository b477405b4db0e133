"""Social Value Feedback Portal: the app factory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, Response, request
from govuk_frontend_wtf.main import WTFormsHelpers
from htmx_flask import Htmx
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from . import security
from .config import configure
from .database import configure_engine_events, include_object
from .extensions import csrf, db, limiter, login_manager, migrate
from .inputs import IdConverter
from .periods import uk_date

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
# Every page's meta description unless the template sets `meta_description`.
DEFAULT_DESCRIPTION = (
    "Read the Liverpool City Region Combined Authority's Social Value Framework commitments, "
    "give feedback on them and see what was done about it."
)


def create_app(
    overrides: dict[str, object] | None = None, instance_path: Path | str | None = None
) -> Flask:
    """Create and configure the portal application (instance/ of the checkout by default)."""
    app = Flask(
        __name__,
        instance_path=str(instance_path or ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, overrides)
    # Identifiers in addresses: ASCII digits within an integer column's range, else a 404.
    app.url_map.converters["int"] = IdConverter

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

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), include_object=include_object)
    csrf.init_app(app)
    # Flask-Limiter keeps "enabled" on its one shared object; register its hooks on every app
    # and let each app's own RATELIMIT_ENABLED decide per request (see extensions.py).
    from .ratelimits import storage as _rate_limit_storage  # noqa: F401  (registers database://)

    limits_enabled = app.config["RATELIMIT_ENABLED"]
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = limits_enabled
    login_manager.init_app(app)
    Htmx(app)
    WTFormsHelpers(app)
    with app.app_context():
        configure_engine_events(db.engine)

    from . import models  # noqa: F401  (register the models with the metadata)
    from .admin.views import bp as admin_bp
    from .auth import permissions  # noqa: F401  (registers the user loader)
    from .auth.views import bp as auth_bp
    from .cli import register_cli
    from .core import errors
    from .core.views import bp as core_bp
    from .dataio.views import bp as dataio_bp
    from .framework_admin.views import bp as framework_admin_bp
    from .meetings.views import bp as meetings_bp
    from .notes.views import bp as notes_bp
    from .outbox.views import bp as outbox_bp
    from .privacy.views import bp as privacy_bp
    from .progress.views import bp as progress_bp
    from .public.views import bp as public_bp
    from .reports.views import bp as reports_bp
    from .sitefeedback.views import bp as sitefeedback_bp
    from .surveys.views import bp as surveys_bp
    from .triage.views import bp as triage_bp
    from .yousaid.views import bp as yousaid_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(triage_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(notes_bp)
    app.register_blueprint(yousaid_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(framework_admin_bp)
    app.register_blueprint(sitefeedback_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(dataio_bp)
    errors.register(app)
    register_cli(app)

    @app.after_request
    def vary_on_htmx(response: Response) -> Response:
        # Every page can answer an htmx request with a fragment: caches must key on it.
        response.vary.add("HX-Request")
        return response

    security.register(app)

    @app.template_filter("ukdate")
    def ukdate(value: date | datetime | str | None) -> str:
        """Format a date (or an ISO 8601 string) the GOV.UK way: 25 November 2026."""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10]) if value else None
        return uk_date(value)

    @app.template_filter("ukdatetime")
    def ukdatetime(value: datetime | str | None) -> str:
        """Format a date and time (or an ISO 8601 string) in UK time: 25 November 2026, 2:05pm."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value) if value else None
        if value is None:
            return ""
        if value.tzinfo is None:  # SQLite hands back naive UTC
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(LONDON)
        hour = value.hour % 12 or 12
        return f"{value.day} {value:%B %Y}, {hour}:{value:%M}{'am' if value.hour < 12 else 'pm'}"

    @app.template_filter("survey_item")
    def survey_item(option: tuple[str, str], chosen: list[str]) -> dict[str, object]:
        """Turn a (value, label) option into a GOV.UK radios/checkboxes item."""
        value, label = option
        return {"value": value, "text": label, "checked": value in (chosen or [])}

    @app.template_filter("survey_error")
    def survey_error(error: tuple[str, str], field_name) -> dict[str, str]:
        """Turn a (question id, message) pair into an error summary link."""
        question_id, message = error
        if question_id == "csrf_token":  # an expired form token: the page's questions
            return {"text": message, "href": "#questions"}
        return {"text": message, "href": "#" + field_name(question_id)}

    @app.template_filter("zip_labels")
    def zip_labels(values, members) -> list[tuple[str, str]]:
        """Pair enum values with their labels for radios and selects."""
        return [(value, member.label) for value, member in zip(values, members, strict=True)]

    @app.template_filter("pair")
    def pair(value: str) -> tuple[str, str]:
        """Use a label as its own value (for radios built from plain lists)."""
        return (value, value)

    @app.context_processor
    def inject_globals() -> dict[str, object]:
        return {
            "service_name": "Social Value Feedback Portal",
            "current_path": request.path,
            "default_description": DEFAULT_DESCRIPTION,
        }

    return app
