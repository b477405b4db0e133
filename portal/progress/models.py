"""Responsible Officers' quarterly progress updates."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import enum_column, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..framework_admin.models import Commitment


class ProgressStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ProgressUpdate(db.Model):
    """A Responsible Officer's quarterly update on one commitment (report §5.2)."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        UniqueConstraint("commitment_id", "year", "quarter"),
        Index("ix_progress_commitment_period", "commitment_id", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)  # financial year starting 1 April of this year
    quarter: Mapped[int] = mapped_column(SmallInteger)  # 1 = April to June
    status: Mapped[ProgressStatus] = mapped_column(enum_column(ProgressStatus, "progress_status"))
    narrative: Mapped[str] = mapped_column(Text)
    evidence_links: Mapped[list] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    commitment: Mapped[Commitment] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def period_label(self) -> str:
        return f"{self.year}-Q{self.quarter}"
