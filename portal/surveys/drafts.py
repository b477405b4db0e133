"""Answers in progress, kept server-side for the person's session until they submit.

The browser's cookie only holds a random draft id: long answers never hit cookie size limits, and
nothing reaches the database before the final submit. The store is files in instance/ by default,
or Redis (`FLASK_SURVEY_DRAFT_STORE=redis://host:6379/0`) so several app servers share drafts.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cachelib import FileSystemCache
from cachelib.base import BaseCache
from flask import current_app, session

DRAFT_SECONDS = 4 * 3600


def _store() -> BaseCache:
    app = current_app._get_current_object()
    store = app.extensions.get("survey_drafts")
    if store is None:
        setting = str(app.config.get("SURVEY_DRAFT_STORE") or "")
        if setting.startswith("redis://"):
            from cachelib.redis import RedisCache

            parts = urlsplit(setting)
            store = RedisCache(
                host=parts.hostname or "localhost",
                port=parts.port or 6379,
                db=int((parts.path or "/0").strip("/") or 0),
                key_prefix="survey-draft:",
                default_timeout=DRAFT_SECONDS,
            )
        else:
            directory = Path(setting or Path(app.instance_path) / "survey-drafts")
            store = FileSystemCache(str(directory), threshold=20000, default_timeout=DRAFT_SECONDS)
        app.extensions["survey_drafts"] = store
    return store


def _draft_id(slug: str, create: bool) -> str | None:
    ids = dict(session.get("survey_drafts", {}))
    draft_id = ids.get(slug)
    if draft_id is None and create:
        draft_id = secrets.token_urlsafe(24)
        ids[slug] = draft_id
        session["survey_drafts"] = ids
    return draft_id


def load(slug: str) -> dict[str, Any] | None:
    """Return this session's draft of a survey, if any."""
    draft_id = _draft_id(slug, create=False)
    return _store().get(draft_id) if draft_id else None


def save(slug: str, draft: dict[str, Any]) -> None:
    """Keep this session's draft of a survey."""
    _store().set(_draft_id(slug, create=True), draft)


def discard(slug: str) -> None:
    """Forget this session's draft (after submitting)."""
    draft_id = _draft_id(slug, create=False)
    if draft_id:
        _store().delete(draft_id)
        ids = dict(session.get("survey_drafts", {}))
        ids.pop(slug, None)
        session["survey_drafts"] = ids
