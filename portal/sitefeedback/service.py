"""Storing and listing feedback about the website."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.service import is_safe_next
from ..extensions import db
from .models import WebsiteFeedback


def record(body: str, page: str | None) -> WebsiteFeedback:
    """Add a comment about the website (the caller commits); keep the page only if local."""
    page = page if page and is_safe_next(page) and len(page) <= 300 else None
    item = WebsiteFeedback(body=body.strip(), page=page)
    db.session.add(item)
    return item


def latest(limit: int = 100) -> list[WebsiteFeedback]:
    """Return the newest comments about the website."""
    return list(
        db.session.scalars(select(WebsiteFeedback).order_by(WebsiteFeedback.id.desc()).limit(limit))
    )
