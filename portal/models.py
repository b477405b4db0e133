"""Typed models: the framework taxonomy, feedback and its separately stored contact details."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
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
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .crypto import EncryptedText
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


EXAMPLE_LABEL = "Example commitment — not part of the published framework"


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


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    CHAMPION = "champion"
    OFFICER = "officer"

    @property
    def label(self) -> str:
        return STAFF_ROLE_LABELS[self]


STAFF_ROLE_LABELS = {
    StaffRole.ADMIN: "Administrator",
    StaffRole.MEMBER: "Implementation Group member",
    StaffRole.CHAMPION: "Social Value Champion",
    StaffRole.OFFICER: "Responsible Officer",
}


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


class ProgressStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


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


class AgendaItemKind(enum.StrEnum):
    STANDING = "standing"
    COMMITMENT = "commitment"
    NOTES = "notes"
    OTHER = "other"
    AOB = "aob"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class NoteStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {"submitted": "Submitted for review", "returned": "Returned with comments"}.get(
            self.value, self.value.capitalize()
        )


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


feedback_roles = Table(
    "feedback_roles",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_feedback_roles_role", "role_id", "feedback_id"),
)

feedback_themes = Table(
    "feedback_themes",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_feedback_themes_theme", "theme_id", "feedback_id"),
)

feedback_codes = Table(
    "feedback_codes",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("code_id", ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_feedback_codes_code", "code_id", "feedback_id"),
)

officer_commitments = Table(
    "officer_commitments",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Where the report states it ("§4.4"); empty for an example to be replaced.
    source: Mapped[str] = mapped_column(String(64), default="", server_default="")
    example: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Where the report states it ("§4.4"); empty for an example to be replaced.
    source: Mapped[str] = mapped_column(String(64), default="", server_default="")
    example: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


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
    # An example to be replaced by the authority's own framework, never presented as part of it.
    example: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    roles: Mapped[list[Role]] = relationship(
        secondary=commitment_roles, order_by=Role.position, lazy="selectin"
    )
    themes: Mapped[list[Theme]] = relationship(
        secondary=commitment_themes, order_by=Theme.position, lazy="selectin"
    )

    @property
    def public_title(self) -> str:
        """Return the title as the public sees it: an example says that it is one."""
        return f"{self.title} ({EXAMPLE_LABEL})" if self.example else self.title

    @property
    def primary_role(self) -> Role | None:
        # A retired role does not group commitments while one in use is listed.
        active = [r for r in self.roles if r.active]
        return (active or self.roles or [None])[0]


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
    quote_consent_version: Mapped[str | None] = mapped_column(String(32))
    quote_consented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Public pages quote an item only after a member approved it (and its author consented).
    quote_approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    quote_approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), default=Channel.WEB)
    status: Mapped[FeedbackStatus] = mapped_column(
        _enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
    )
    sentiment: Mapped[Sentiment | None] = mapped_column(_enum(Sentiment, "sentiment"))
    priority: Mapped[Priority] = mapped_column(
        _enum(Priority, "priority"), default=Priority.NORMAL, server_default=Priority.NORMAL.value
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
        _enum(TransportMode, "transport_mode")
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
    roles: Mapped[list[Role]] = relationship(secondary=feedback_roles, order_by=Role.position)
    themes: Mapped[list[Theme]] = relationship(secondary=feedback_themes, order_by=Theme.position)
    codes: Mapped[list[Code]] = relationship(secondary=feedback_codes, order_by="Code.name")
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


class User(db.Model):
    """A staff account. Members of the public never have one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of every session's identity: raising it ends every session of the account at once
    # (signing out, a new password, deactivation, a change of role).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    commitments: Mapped[list[Commitment]] = relationship(
        secondary=officer_commitments, order_by=Commitment.position
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def display_name(self) -> str:
        return self.name or self.email


class LoginThrottle(db.Model):
    """Failed sign-in attempts per email (hashed), known accounts or not, for lockout."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


class AuditEntry(db.Model):
    """One change to anything in the portal: who, when, what, before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()


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
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

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
        _enum(StakeholderType, "stakeholder_type")
    )
    answers: Mapped[dict] = mapped_column(JSON)  # email answers are stored encrypted
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    version: Mapped[SurveyVersion] = relationship()
    feedback: Mapped[list[Feedback]] = relationship(order_by="Feedback.id")


class ProgressUpdate(db.Model):
    """A Responsible Officer's quarterly update on one commitment (report §5.2)."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        UniqueConstraint("commitment_id", "year", "quarter"),
        Index("ix_progress_commitment_period", "commitment_id", "year", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)  # financial year starting 1 April of this year
    quarter: Mapped[int] = mapped_column(SmallInteger)  # 1 = April to June
    status: Mapped[ProgressStatus] = mapped_column(_enum(ProgressStatus, "progress_status"))
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


class Meeting(db.Model):
    """A meeting of the Social Value Implementation Group and the feedback period it covers."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date] = mapped_column(Date, index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive
    figures_built_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )


class AgendaItem(db.Model):
    """One item of a meeting's agenda, with the snapshot of figures taken when it was built."""

    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_meeting_position", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[AgendaItemKind] = mapped_column(_enum(AgendaItemKind, "agenda_item_kind"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="SET NULL")
    )
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    commitment: Mapped[Commitment | None] = relationship()
    quotes: Mapped[list[AgendaQuote]] = relationship(
        back_populates="item", order_by="AgendaQuote.id", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="item", order_by="Decision.id", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="item", order_by="Action.id", cascade="all, delete-orphan"
    )


class AgendaQuote(db.Model):
    """A quote members pinned to an agenda item."""

    __tablename__ = "agenda_quotes"
    __table_args__ = (UniqueConstraint("agenda_item_id", "feedback_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))

    item: Mapped[AgendaItem] = relationship(back_populates="quotes")
    feedback: Mapped[Feedback] = relationship()


class Decision(db.Model):
    """What the Group decided on an agenda item."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="decisions")


action_feedback = Table(
    "action_feedback",
    db.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_action_feedback_feedback", "feedback_id"),
)


class Action(db.Model):
    """An action agreed on an agenda item: who, by when, and what came of it."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        _enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="actions")
    feedback: Mapped[list[Feedback]] = relationship(secondary=action_feedback)


note_commitments = Table(
    "note_commitments",
    db.metadata,
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_note_commitments_commitment", "commitment_id", "note_id"),
)
note_roles = Table(
    "note_roles",
    db.metadata,
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)
note_themes = Table(
    "note_themes",
    db.metadata,
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Note(db.Model):
    """A Social Value Champion's best-practice note (report §5.3): the working copy, plus a
    pointer to the version the public sees."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[NoteStatus] = mapped_column(
        _enum(NoteStatus, "note_status"), default=NoteStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    evidence_links: Mapped[list] = mapped_column(JSON, default=list)
    cost: Mapped[str | None] = mapped_column(Text)
    achieved: Mapped[str | None] = mapped_column(Text)
    review_comment: Mapped[str | None] = mapped_column(Text)
    # Commitments, roles and themes of an unpublished revision of a published note: the
    # association tables keep describing what the public sees until the revision is published.
    draft_taxonomy: Mapped[dict | None] = mapped_column(JSON)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("note_versions.id", ondelete="SET NULL", use_alter=True)
    )
    first_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    author: Mapped[User | None] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(
        secondary=note_commitments, order_by=Commitment.position
    )
    roles: Mapped[list[Role]] = relationship(secondary=note_roles, order_by=Role.position)
    themes: Mapped[list[Theme]] = relationship(secondary=note_themes, order_by=Theme.position)
    versions: Mapped[list[NoteVersion]] = relationship(
        back_populates="note",
        order_by="NoteVersion.number",
        foreign_keys="NoteVersion.note_id",
        cascade="all, delete-orphan",
    )
    published_version: Mapped[NoteVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )
    endorsements: Mapped[list[NoteEndorsement]] = relationship(
        back_populates="note", cascade="all, delete-orphan"
    )


class NoteVersion(db.Model):
    """A published version of a note, kept for ever so the history can be read."""

    __tablename__ = "note_versions"
    __table_args__ = (UniqueConstraint("note_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    evidence_links: Mapped[list] = mapped_column(JSON, default=list)
    cost: Mapped[str | None] = mapped_column(Text)
    achieved: Mapped[str | None] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )

    note: Mapped[Note] = relationship(back_populates="versions", foreign_keys=[note_id])
    published_by: Mapped[User | None] = relationship()


class NoteEndorsement(db.Model):
    """A member's endorsement of a published note."""

    __tablename__ = "note_endorsements"
    __table_args__ = (UniqueConstraint("note_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    note: Mapped[Note] = relationship(back_populates="endorsements")
    user: Mapped[User] = relationship()


class MeetingNote(db.Model):
    """A note a member pinned into a meeting's agenda."""

    __tablename__ = "meeting_notes"
    __table_args__ = (UniqueConstraint("meeting_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    pinned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    note: Mapped[Note] = relationship()


class EqualityResponse(db.Model):
    """Optional equality monitoring answers, deliberately not linked to any feedback item."""

    __tablename__ = "equality_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    age_band: Mapped[str | None] = mapped_column(String(32))
    disability: Mapped[str | None] = mapped_column(String(32))
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    sex: Mapped[str | None] = mapped_column(String(32))
    # Only the month, so the answers cannot be matched to a feedback item by time.
    month: Mapped[date] = mapped_column(Date, index=True)


class FeedbackStatusCount(db.Model):
    """How many feedback items have each status; kept by triggers (migration 0008)."""

    __tablename__ = "feedback_status_counts"

    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
