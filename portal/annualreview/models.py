"""An Annual Review of Social Value Impact: one draft per financial year, then fixed versions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import enum_column, utcnow
from ..extensions import db


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class AnnualReview(db.Model):
    """A financial year's Annual Review: the draft (version 0, figures computed live) or a
    published version (1, 2, ...) whose figures are the stored snapshot and never change."""

    __tablename__ = "annual_reviews"
    __table_args__ = (
        # Version 0 is the year's one draft; published versions count up from 1.
        UniqueConstraint("year", "version"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint(
            "(status = 'draft' AND version = 0 AND snapshot IS NULL AND published_at IS NULL)"
            " OR (status = 'published' AND version >= 1 AND snapshot IS NOT NULL"
            " AND published_at IS NOT NULL)",
            name="draft_or_published",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)  # the financial year starting 1 April of this year
    version: Mapped[int] = mapped_column(SmallInteger, default=0)
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.DRAFT
    )
    introduction: Mapped[str] = mapped_column(Text, default="")
    working_well: Mapped[str] = mapped_column(Text, default="")
    to_improve: Mapped[str] = mapped_column(Text, default="")
    # What a correction changed (required for every version after the first).
    change_note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
