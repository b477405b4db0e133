"""Outbox messages, commitment follows and staff email preferences."""

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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..core.types import enum_column, utcnow
from ..crypto import EncryptedText, blind_index
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..framework_admin.models import Commitment
    from ..public.models import Feedback
    from ..surveys.models import SurveyResponse


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the worker (possibly after a temporary failure)
    SENT = "sent"
    FAILED = "failed"  # a permanent failure, shown to admins with a retry button
    HELD = "held"  # a staff alert waiting for that person's daily digest
    DIGESTED = "digested"  # a held alert that went out inside a digest
    CANCELLED = "cancelled"  # the person withdrew consent or was erased before delivery

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OutboxMessage(db.Model):
    """One email, rendered in full when the change that causes it is committed."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at", "id"),
        Index("ix_outbox_to_index", "to_index"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed when the message is queued, so a retry after a crash is the same message.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The address and the bodies (which carry tracking links and names) are encrypted at rest;
    # the keyed blind index finds an address's messages for subject access and erasure.
    to_address: Mapped[str] = mapped_column(EncryptedText)
    to_index: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(EncryptedText)
    html_body: Mapped[str] = mapped_column(EncryptedText)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, "message_status"), default=MessageStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the message is about, so a purge or an erasure can stop it before delivery.
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment_follows.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    survey_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    feedback: Mapped[Feedback | None] = relationship()
    subscription: Mapped[CommitmentFollow | None] = relationship()
    user: Mapped[User | None] = relationship()
    survey_response: Mapped[SurveyResponse | None] = relationship()

    @validates("to_address")
    def _index_address(self, _key: str, value: str) -> str:
        self.to_index = blind_index(value)
        return value


class CommitmentFollow(db.Model):
    """An email address following a commitment; confirmed by a link (double opt-in)."""

    __tablename__ = "commitment_follows"
    __table_args__ = (UniqueConstraint("commitment_id", "email_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(EncryptedText)  # encrypted at rest
    email_index: Mapped[str] = mapped_column(String(64), index=True)  # keyed blind index
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    commitment: Mapped[Commitment] = relationship()

    @validates("email")
    def _index_email(self, _key: str, value: str) -> str:
        self.email_index = blind_index(value)
        return value


class Frequency(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    NONE = "none"  # no staff emails at all: chosen on /account or by a one-click unsubscribe

    @property
    def label(self) -> str:
        return {
            "immediate": "Straight away",
            "daily": "Once a day, in a digest",
            "none": "No emails",
        }[self]


class StaffEmailPreference(db.Model):
    """How a staff member wants their alerts, and when their digests last went out."""

    __tablename__ = "staff_email_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, "email_frequency"), default=Frequency.IMMEDIATE
    )
    last_daily_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_weekly_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
