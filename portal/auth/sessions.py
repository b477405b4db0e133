"""Staff sessions that the server can end.

The session cookie is signed, so it cannot be forged, but on its own nothing on the server
could revoke it. Each session therefore names the account's *session generation* (part of
Flask-Login's user id, "42:7"), checked on every request against the database: signing out,
a new password, deactivation and a change of role raise the generation and so end every
session of that account at once. Each session also carries when it began and when it was last
used: it ends after FLASK_SESSION_IDLE_MINUTES without a request (default 30) and
FLASK_SESSION_MAX_HOURS in all (default 12). Signing in starts from an empty session.
"""

from __future__ import annotations

import time

from flask import current_app, session
from flask_login import login_user

from ..extensions import db
from ..inputs import parse_id
from ..models import User

AUTH_KEYS = ("_user_id", "_fresh", "_id", "_remember", "auth_at", "seen_at")
SEEN_RESOLUTION = 15  # seconds: the last-used time is rewritten at most this often


def begin(user: User) -> None:
    """Sign an account in with a brand-new session (nothing carried over from before)."""
    session.clear()
    login_user(user)
    now = time.time()
    session["auth_at"] = now
    session["seen_at"] = now


def forget() -> None:
    """Drop the sign-in from this session."""
    for key in AUTH_KEYS:
        session.pop(key, None)


def _expired(now: float) -> bool:
    auth_at, seen_at = session.get("auth_at"), session.get("seen_at")
    if not isinstance(auth_at, int | float) or not isinstance(seen_at, int | float):
        return True
    idle = float(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    longest = float(current_app.config["SESSION_MAX_HOURS"]) * 3600
    return now - seen_at > idle or now - auth_at > longest


def load(user_id: str) -> User | None:
    """Return the signed-in account if this session is still valid, else forget it."""
    ident, _, generation = user_id.partition(":")
    if parse_id(ident) is None or not (generation.isascii() and generation.isdigit()):
        forget()
        return None
    user = db.session.get(User, parse_id(ident))
    now = time.time()
    if (
        user is None
        or not user.active
        or (user.session_generation or 0) != int(generation)
        or _expired(now)
    ):
        forget()
        return None
    if now - session["seen_at"] >= SEEN_RESOLUTION:
        session["seen_at"] = now
    return user
