"""Privacy feature models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class EqualityToken(db.Model):
    """A one-time permission to answer the equality questions, issued with one submission.

    Only the token's SHA-256 is kept, and nothing links it to the feedback item: answering
    deletes the row, so a second answer with the same token is refused."""

    __tablename__ = "equality_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
