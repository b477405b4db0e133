"""Social Value Champions' best-practice notes, their published versions and endorsements."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import enum_column, link_table, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..framework_admin.models import Commitment, Role, Theme


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


note_commitments = link_table(
    "note_commitments",
    "notes",
    "commitments",
    Index("ix_note_commitments_commitment", "commitment_id", "note_id"),
)


note_roles = link_table("note_roles", "notes", "roles")


note_themes = link_table("note_themes", "notes", "themes")


class Note(db.Model):
    """A Social Value Champion's best-practice note (report §5.3): the working copy, plus a
    pointer to the version the public sees."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[NoteStatus] = mapped_column(
        enum_column(NoteStatus, "note_status"), default=NoteStatus.DRAFT
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
        secondary=note_commitments, order_by="Commitment.position"
    )
    roles: Mapped[list[Role]] = relationship(secondary=note_roles, order_by="Role.position")
    themes: Mapped[list[Theme]] = relationship(secondary=note_themes, order_by="Theme.position")
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
