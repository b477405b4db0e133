"""Every version of every framework entry, so a change can always be read back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User, utcnow


class FrameworkVersion(db.Model):
    """One saved state of a commitment, role or theme (version 1 is how it was first loaded)."""

    __tablename__ = "framework_versions"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "number"),
        Index("ix_framework_versions_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))  # commitment | role | theme
    entity_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    # What made the change: "admin" (in the portal) or "load" (flask framework load).
    origin: Mapped[str] = mapped_column(String(20), default="admin")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship()
