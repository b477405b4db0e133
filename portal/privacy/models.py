"""Privacy feature models: one-time equality tokens and the unlinked equality answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class EqualityToken(db.Model):
    """A one-time permission to answer the equality questions, issued with one submission.

    Only the token's SHA-256 is kept, and nothing links it to the feedback item: answering
    deletes the row, so a second answer with the same token is refused."""

    __tablename__ = "equality_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


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
