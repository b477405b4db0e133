"""The triage workspace's own records: the codeframe, internal notes and the status counts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import link_table, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..public.models import Feedback


feedback_codes = link_table(
    "feedback_codes", "feedback", "codes", Index("ix_feedback_codes_code", "code_id", "feedback_id")
)


class Code(db.Model):
    """A code of the codeframe: a finer theme the Implementation Group grows as it reads."""

    __tablename__ = "codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"))
    # The report's section for a code of the starter codeframe ("§8.2"); None for members' codes.
    source: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Code | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    merged_into: Mapped[Code | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def label(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent else self.name


class InternalNote(db.Model):
    """A note staff keep on a feedback item; never shown publicly."""

    __tablename__ = "internal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class FeedbackStatusCount(db.Model):
    """How many feedback items have each status; kept by triggers (migration 0008)."""

    __tablename__ = "feedback_status_counts"

    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
