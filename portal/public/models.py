"""Feedback items as the public sends them, and their separately stored contact details."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import StakeholderType, enum_column, link_table, utcnow
from ..crypto import EncryptedText
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..framework_admin.models import Commitment, Role, Theme
    from ..triage.models import Code, InternalNote


class Locality(enum.StrEnum):
    HALTON = "halton"
    KNOWSLEY = "knowsley"
    LIVERPOOL = "liverpool"
    SEFTON = "sefton"
    ST_HELENS = "st-helens"
    WIRRAL = "wirral"
    OUTSIDE = "outside"

    @property
    def label(self) -> str:
        if self is Locality.OUTSIDE:
            return "Outside the city region"
        return {"st-helens": "St Helens"}.get(self.value, self.value.title())


class Channel(enum.StrEnum):
    WEB = "web"
    SURVEY = "survey"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return {"in_person": "In person"}.get(self.value, self.value.capitalize())


class Sentiment(enum.StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"
    MIXED = "mixed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class TransportMode(enum.StrEnum):
    """The transport mode or asset feedback is about (report §4.4 names the Tunnels, Ferries
    and Merseyrail)."""

    BUS = "bus"
    RAIL = "merseyrail-rail"
    FERRIES = "mersey-ferries"
    TUNNELS = "mersey-tunnels"
    STATIONS = "stations-travel-centres"
    OTHER = "other"

    @property
    def label(self) -> str:
        return TRANSPORT_MODE_LABELS[self]


TRANSPORT_MODE_LABELS = {
    TransportMode.BUS: "Bus",
    TransportMode.RAIL: "Merseyrail and rail",
    TransportMode.FERRIES: "Mersey Ferries",
    TransportMode.TUNNELS: "Mersey Tunnels",
    TransportMode.STATIONS: "Stations and travel centres",
    TransportMode.OTHER: "Other",
}


class FeedbackStatus(enum.StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    REFERRED = "referred"
    ACTIONED = "actioned"
    CLOSED = "closed"
    SPAM = "spam"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def public_label(self) -> str:
        """Describe the status to the person who sent the feedback."""
        return PUBLIC_STATUS_LABELS[self]


PUBLIC_STATUS_LABELS = {
    FeedbackStatus.NEW: "Received",
    FeedbackStatus.IN_REVIEW: "Being reviewed",
    FeedbackStatus.REFERRED: "Referred to the responsible team",
    FeedbackStatus.ACTIONED: "Action taken",
    FeedbackStatus.CLOSED: "Closed",
    FeedbackStatus.SPAM: "Closed",
    FeedbackStatus.DUPLICATE: "Closed (the same point was raised elsewhere)",
}


feedback_roles = link_table(
    "feedback_roles", "feedback", "roles", Index("ix_feedback_roles_role", "role_id", "feedback_id")
)


feedback_themes = link_table(
    "feedback_themes",
    "feedback",
    "themes",
    Index("ix_feedback_themes_theme", "theme_id", "feedback_id"),
)


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        # The inbox reads newest first, optionally within a commitment or status.
        Index("ix_feedback_received", "received_at", "id"),
        Index("ix_feedback_commitment_received", "commitment_id", "received_at"),
        Index("ix_feedback_status_received", "status", "received_at"),
        Index("ix_feedback_assignee_received", "assignee_id", "received_at"),
        Index("ix_feedback_stakeholder_received", "stakeholder_type", "received_at"),
        Index("ix_feedback_locality_received", "locality", "received_at"),
        Index("ix_feedback_channel_received", "channel", "received_at"),
        Index("ix_feedback_transport_mode_received", "transport_mode", "received_at"),
        Index("ix_feedback_duplicate_of", "duplicate_of_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    # Only a SHA-256 of the private tracking token is stored: a database leak reveals no links.
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # One-time key carried by the form, so a double submit creates one item.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="SET NULL"), index=False
    )
    body: Mapped[str] = mapped_column(Text)
    stakeholder_type: Mapped[StakeholderType] = mapped_column(
        enum_column(StakeholderType, "stakeholder_type")
    )
    organisation: Mapped[str | None] = mapped_column(String(200))
    locality: Mapped[Locality | None] = mapped_column(enum_column(Locality, "locality"))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    quote_consent_version: Mapped[str | None] = mapped_column(String(32))
    quote_consented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Public pages quote an item only after a member approved it (and its author consented).
    quote_approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    quote_approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"), default=Channel.WEB)
    status: Mapped[FeedbackStatus] = mapped_column(
        enum_column(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
    )
    sentiment: Mapped[Sentiment | None] = mapped_column(enum_column(Sentiment, "sentiment"))
    priority: Mapped[Priority] = mapped_column(
        enum_column(Priority, "priority"),
        default=Priority.NORMAL,
        server_default=Priority.NORMAL.value,
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="SET NULL")
    )
    survey_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="SET NULL"), index=True
    )
    survey_question_id: Mapped[str | None] = mapped_column(String(64))
    transport_mode: Mapped[TransportMode | None] = mapped_column(
        enum_column(TransportMode, "transport_mode")
    )
    public_reply: Mapped[str | None] = mapped_column(Text)
    public_reply_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the item reached a final state (closed, spam, duplicate): the retention clock.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    commitment: Mapped[Commitment | None] = relationship(lazy="joined")
    contact: Mapped[ContactDetails | None] = relationship(
        back_populates="feedback", uselist=False, cascade="all, delete-orphan"
    )
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    duplicate_of: Mapped[Feedback | None] = relationship(remote_side=[id])
    roles: Mapped[list[Role]] = relationship(secondary=feedback_roles, order_by="Role.position")
    themes: Mapped[list[Theme]] = relationship(secondary=feedback_themes, order_by="Theme.position")
    codes: Mapped[list[Code]] = relationship(secondary="feedback_codes", order_by="Code.name")
    notes: Mapped[list[InternalNote]] = relationship(
        back_populates="feedback", order_by="InternalNote.created_at", cascade="all, delete-orphan"
    )


class ContactDetails(db.Model):
    """Name and email given with explicit consent to be contacted; purged on their own."""

    __tablename__ = "contact_details"
    __table_args__ = (UniqueConstraint("feedback_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    # Encrypted at rest (AES-GCM, portal/crypto.py); looked up by the keyed blind index only.
    name: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str] = mapped_column(EncryptedText)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    consent_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="contact")


class PublicContentVersion(db.Model):
    """One row whose `version` the database changes with everything the public pages show
    (triggers, migration 0012f): the key under which those pages are kept rendered."""

    __tablename__ = "public_content_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
