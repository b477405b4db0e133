"""Import batches: each uploaded file, and which feedback items came from which of its rows."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, LargeBinary, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import enum_column, utcnow
from ..extensions import db


class BatchStatus(enum.StrEnum):
    PENDING = "pending"  # uploaded and previewed, not imported yet
    IMPORTED = "imported"


class ImportBatch(db.Model):
    """One uploaded file: kept (bytes) between preview and import, then only its record."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An unguessable handle for the upload in forms (never the sequential id).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[BatchStatus] = mapped_column(
        enum_column(BatchStatus, "import_batch_status"),
        default=BatchStatus.PENDING,
    )
    # The file itself, only while pending; cleared when imported (the items hold the data).
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    mapping: Mapped[dict | None] = mapped_column(JSON)
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# Which feedback item came from which row of which file (its source file, for the record).
feedback_imports = Table(
    "feedback_imports",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "batch_id", ForeignKey("import_batches.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("source_row", Integer, nullable=False),
)
