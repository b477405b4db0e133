"""A published open-data build: which file the public page lists, when, and who published it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import utcnow
from ..extensions import db


class OpenDataRelease(db.Model):
    """One build of the open data that an admin published (the file lives in instance/)."""

    __tablename__ = "opendata_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The .db file's name, e.g. social-value-2026-11-29.db; its CSV zip shares the stem.
    filename: Mapped[str] = mapped_column(String(200), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
