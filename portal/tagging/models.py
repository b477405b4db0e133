"""The suggestion models' records, the auto-tagging switch, and what staff did with suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User


class TaggingModel(db.Model):
    """One trained model: its file in instance/, when and on how many items it was trained."""

    __tablename__ = "tagging_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    file_name: Mapped[str] = mapped_column(String(200))
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    training_size: Mapped[int] = mapped_column(Integer)
    possible: Mapped[float] = mapped_column(Float)
    likely: Mapped[float] = mapped_column(Float)
    # The figures of the last `flask tagging evaluate` (cross-validated), shown on /admin/tagging.
    metrics: Mapped[dict | None] = mapped_column(JSON)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TaggingSettings(db.Model):
    """The one row of auto-tagging settings: off until an admin switches it on."""

    __tablename__ = "tagging_settings"
    __table_args__ = (CheckConstraint("threshold >= 0 AND threshold <= 1", name="threshold_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    auto_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    threshold: Mapped[float] = mapped_column(Float, default=0.9, server_default="0.9")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SuggestionDecision(db.Model):
    """A suggestion applied by a member, dismissed by one, or applied automatically."""

    __tablename__ = "tagging_decisions"
    __table_args__ = (
        Index("ix_tagging_decisions_feedback", "feedback_id", "family", "label"),
        CheckConstraint("action IN ('applied', 'dismissed', 'auto')", name="action_values"),
        CheckConstraint(
            "family IN ('commitments', 'themes', 'roles', 'codes')",
            name="family_values",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    family: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(120))  # commitment/theme/role slug or code name
    action: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    model_version: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship("User")
