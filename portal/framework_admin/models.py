"""The Social Value Framework's taxonomy (commitments, roles, themes), and every saved version
of its entries so that a change can always be read back."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import enum_column, link_table, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User


EXAMPLE_LABEL = "Example commitment — not part of the published framework"


class Horizon(enum.StrEnum):
    DAY_ONE = "day-one"
    FUTURE_ASPIRATION = "future-aspiration"

    @property
    def label(self) -> str:
        return {"day-one": "Day One Commitment", "future-aspiration": "Future Aspiration"}[self]


commitment_roles = link_table("commitment_roles", "commitments", "roles")


commitment_themes = link_table("commitment_themes", "commitments", "themes")


class Facet:
    """What a role and a theme of the framework both are: a named, ordered entry of the
    framework, from the report or an example, in use or retired."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Where the report states it ("§4.4"); empty for an example to be replaced.
    source: Mapped[str] = mapped_column(String(64), default="", server_default="")
    example: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Role(Facet, db.Model):
    __tablename__ = "roles"


class Theme(Facet, db.Model):
    __tablename__ = "themes"


class Commitment(db.Model):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    horizon: Mapped[Horizon] = mapped_column(enum_column(Horizon, "horizon"))
    transport: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible_team: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(64), default="")
    toms_theme: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # An example to be replaced by the authority's own framework, never presented as part of it.
    example: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    roles: Mapped[list[Role]] = relationship(
        secondary=commitment_roles, order_by="Role.position", lazy="selectin"
    )
    themes: Mapped[list[Theme]] = relationship(
        secondary=commitment_themes, order_by="Theme.position", lazy="selectin"
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


class FrameworkVersion(db.Model):
    """One saved state of a commitment, role or theme (version 1 is how it was first loaded)."""

    __tablename__ = "framework_versions"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "number"),
        Index("ix_framework_versions_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))  # commitment | role | theme
    entity_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    # What made the change: "admin" (in the portal) or "load" (flask framework load).
    origin: Mapped[str] = mapped_column(String(20), default="admin")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship()
