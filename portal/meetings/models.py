"""Implementation Group meetings: agendas, pinned quotes and notes, decisions and actions."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import enum_column, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..framework_admin.models import Commitment
    from ..notes.models import Note
    from ..public.models import Feedback


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


class Attendance(enum.StrEnum):
    """Whether a member invited to a meeting came: not yet recorded, present, sent apologies,
    or absent without apologies."""

    INVITED = "invited"
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {
            "invited": "Not recorded yet",
            "present": "Present",
            "apologies": "Sent apologies",
            "absent": "Absent",
        }[self.value]


class Meeting(db.Model):
    """A meeting of the Social Value Implementation Group and the feedback period it covers."""

    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date] = mapped_column(Date, index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive
    figures_built_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What a clerk needs: when and where (a room, or how to join online).
    start_time: Mapped[time | None] = mapped_column(Time)
    venue: Mapped[str] = mapped_column(String(300), default="", server_default="")
    joining_details: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The meeting whose minutes this one approves (the one before it when it was planned).
    previous_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    # This meeting's own minutes: approved by the members at a later meeting.
    minutes_approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    minutes_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    minutes_approved_at_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    members: Mapped[list[MeetingMember]] = relationship(
        back_populates="meeting", order_by="MeetingMember.id", cascade="all, delete-orphan"
    )
    previous_meeting: Mapped[Meeting | None] = relationship(
        foreign_keys=[previous_meeting_id], remote_side="Meeting.id"
    )
    minutes_approved_by: Mapped[User | None] = relationship(foreign_keys=[minutes_approved_by_id])
    minutes_approved_at_meeting: Mapped[Meeting | None] = relationship(
        foreign_keys=[minutes_approved_at_meeting_id], remote_side="Meeting.id"
    )


class MeetingMember(db.Model):
    """Someone invited to a meeting, a staff account or a name typed in, and their attendance."""

    __tablename__ = "meeting_members"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        Index("ix_meeting_members_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The name shown in the papers: the account's name when invited from one, else as typed.
    name: Mapped[str] = mapped_column(String(200))
    attendance: Mapped[Attendance] = mapped_column(
        enum_column(Attendance, "attendance"), default=Attendance.INVITED
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()


class AgendaItem(db.Model):
    """One item of a meeting's agenda, with the snapshot of figures taken when it was built."""

    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_meeting_position", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[AgendaItemKind] = mapped_column(enum_column(AgendaItemKind, "agenda_item_kind"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="SET NULL")
    )
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    # The minutes: a summary of what was discussed (decisions and actions are their own rows).
    discussion: Mapped[str] = mapped_column(Text, default="", server_default="")

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
        enum_column(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="actions")
    feedback: Mapped[list[Feedback]] = relationship(secondary=action_feedback)


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
