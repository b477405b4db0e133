"""Staff accounts, their roles and the sign-in throttle."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import enum_column, link_table, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..framework_admin.models import Commitment


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


officer_commitments = link_table("officer_commitments", "users", "commitments")


class User(db.Model):
    """A staff account. Members of the public never have one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole, "staff_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of every session's identity: raising it ends every session of the account at once
    # (signing out, a new password, deactivation, a change of role).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    commitments: Mapped[list[Commitment]] = relationship(
        secondary=officer_commitments, order_by="Commitment.position"
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
