"""What people say about the website itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import utcnow
from ..extensions import db

BODY_MAX = 2000


class WebsiteFeedback(db.Model):
    """One comment about the website, with the page it was sent from. Nothing personal."""

    __tablename__ = "website_feedback"
    __table_args__ = (
        CheckConstraint(f"length(body) BETWEEN 1 AND {BODY_MAX}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    page: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
