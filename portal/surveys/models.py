"""Surveys, their versions and the responses to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import StakeholderType, enum_column, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..public.models import Feedback


class Survey(db.Model):
    """A structured survey; its content lives in versions, one per change of its file."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.version"
    )

    @property
    def current(self) -> SurveyVersion:
        return self.versions[-1]


class SurveyVersion(db.Model):
    """One version of a survey file, kept so old responses stay readable."""

    __tablename__ = "survey_versions"
    __table_args__ = (
        UniqueConstraint("survey_id", "version"),
        CheckConstraint("opens_on <= closes_on", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")


class SurveyResponse(db.Model):
    """One person's submitted answers, tied to the version they answered."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_version_submitted", "version_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    stakeholder_type: Mapped[StakeholderType] = mapped_column(
        enum_column(StakeholderType, "stakeholder_type")
    )
    answers: Mapped[dict] = mapped_column(JSON)  # email answers are stored encrypted
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    version: Mapped[SurveyVersion] = relationship()
    feedback: Mapped[list[Feedback]] = relationship(order_by="Feedback.id")
