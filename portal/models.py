"""Typed models: the framework taxonomy, feedback and its separately stored contact details."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def _enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    # Stored as short strings (the enum values), not native database enums: adding a value later
    # is then a code change, not an ALTER TYPE.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Horizon(enum.StrEnum):
    DAY_ONE = "day-one"
    FUTURE_ASPIRATION = "future-aspiration"

    @property
    def label(self) -> str:
        return {"day-one": "Day One Commitment", "future-aspiration": "Future Aspiration"}[self]


class StakeholderType(enum.StrEnum):
    BUSINESS = "business"
    TRANSPORT_PROVIDER = "transport_provider"
    PASSENGER = "passenger"
    VOLUNTARY_COMMUNITY = "voluntary_community"
    RESIDENT = "resident"
    EMPLOYEE = "employee"
    OTHER = "other"

    @property
    def label(self) -> str:
        return STAKEHOLDER_LABELS[self]


STAKEHOLDER_LABELS = {
    StakeholderType.BUSINESS: "Business",
    StakeholderType.TRANSPORT_PROVIDER: "Transport provider or operator",
    StakeholderType.PASSENGER: "Passenger or service user",
    StakeholderType.VOLUNTARY_COMMUNITY: "Voluntary or community organisation",
    StakeholderType.RESIDENT: "Resident",
    StakeholderType.EMPLOYEE: "Employee",
    StakeholderType.OTHER: "Other",
}


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


commitment_roles = Table(
    "commitment_roles",
    db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)

commitment_themes = Table(
    "commitment_themes",
    db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Commitment(db.Model):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    horizon: Mapped[Horizon] = mapped_column(_enum(Horizon, "horizon"))
    transport: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible_team: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(64), default="")
    toms_theme: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    roles: Mapped[list[Role]] = relationship(
        secondary=commitment_roles, order_by=Role.position, lazy="selectin"
    )
    themes: Mapped[list[Theme]] = relationship(
        secondary=commitment_themes, order_by=Theme.position, lazy="selectin"
    )

    @property
    def primary_role(self) -> Role | None:
        return self.roles[0] if self.roles else None


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        # The inbox reads newest first, optionally within a commitment or status.
        Index("ix_feedback_received", "received_at", "id"),
        Index("ix_feedback_commitment_received", "commitment_id", "received_at"),
        Index("ix_feedback_status_received", "status", "received_at"),
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
        _enum(StakeholderType, "stakeholder_type")
    )
    organisation: Mapped[str | None] = mapped_column(String(200))
    locality: Mapped[Locality | None] = mapped_column(_enum(Locality, "locality"))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), default=Channel.WEB)
    status: Mapped[FeedbackStatus] = mapped_column(
        _enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
    )
    public_reply: Mapped[str | None] = mapped_column(Text)
    public_reply_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    commitment: Mapped[Commitment | None] = relationship(lazy="joined")
    contact: Mapped[ContactDetails | None] = relationship(
        back_populates="feedback", uselist=False, cascade="all, delete-orphan"
    )


class ContactDetails(db.Model):
    """Name and email given with explicit consent to be contacted; purged on their own."""

    __tablename__ = "contact_details"
    __table_args__ = (UniqueConstraint("feedback_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), index=True)
    consent_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="contact")
