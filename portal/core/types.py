"""What the models of more than one feature share: the UTC clock, enum columns, and the enums
that columns of several features store (an enum used by one feature's models lives beside them)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Column, Enum, ForeignKey, Index, Table


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """The column type of an enum: its values stored as short strings, and a CHECK constraint
    (named `ck_<table>_<name>`) so that the database refuses any other value."""
    # Short strings, not native database enums: adding a value later is a migration that
    # replaces the CHECK constraint (the same on SQLite and PostgreSQL), not an ALTER TYPE.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


_enum = enum_column  # the name the models have always used


def link_table(name: str, left: str, right: str, *indexes: Index) -> Table:
    """A many-to-many table between two tables (`feedback`, `roles`, ...): a column
    `<left>_id` and a column `<right>_id` (the table name without its plural s), together the
    primary key, each row deleted with either side."""
    from ..extensions import db

    def column(table: str) -> Column:
        singular = table[:-1] if table.endswith("s") else table
        return Column(
            f"{singular}_id", ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True
        )

    return Table(name, db.metadata, column(left), column(right), *indexes)


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
