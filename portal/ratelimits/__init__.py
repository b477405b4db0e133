"""Rate limits: the named limits routes declare with `@limiter.limit(...)` (limits read from the
app's config, so a deployment can tune them), and the counters behind them, shared by every
worker and machine: the database by default, or Redis (storage.py)."""

from __future__ import annotations

from flask import current_app, request


def search_limit() -> str:
    """FLASK_SEARCH_RATE_LIMIT (default 120 per minute) per IP address: searching is the
    expensive request."""
    return str(current_app.config["SEARCH_RATE_LIMIT"])


def not_searching() -> bool:
    """Exempt a request from the search limit unless it searches (has a `q`)."""
    return not request.args.get("q")
