"""Staff accounts: creating them, checking passwords, throttling failed sign-ins."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginThrottle, StaffRole, User

MIN_PASSWORD_LENGTH = 12
SLOW_DOWN_AFTER = 3  # failures before each further attempt is delayed
LOCK_AFTER = 5  # failures before the email is locked
LOCK_MINUTES = 15
MAX_DELAY_SECONDS = 2.0
# Checked against when the email is unknown, so both cases cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


class AccountError(ValueError):
    """A staff account could not be created or changed; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked: bool = False


def normalise_email(email: str) -> str:
    """Return the email as stored: trimmed and lower-cased."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Hash a password with scrypt (werkzeug's default, a memory-hard algorithm)."""
    return generate_password_hash(password, method="scrypt")


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to be safe."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")


def get_user_by_email(email: str) -> User | None:
    """Return the account with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, role: StaffRole | str, password: str, name: str = "") -> User:
    """Create a staff account with one role."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise AccountError(f"Not an email address: {email!r}")
    if get_user_by_email(email) is not None:
        raise AccountError(f"An account for {email} already exists")
    check_password_strength(password)
    user = User(email=email, name=name, role=StaffRole(role), password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def set_role(email: str, role: StaffRole | str) -> User:
    """Give an account a different role."""
    user = _require(email)
    user.role = StaffRole(role)
    db.session.commit()
    return user


def deactivate(email: str) -> User:
    """Stop an account from signing in; its history stays."""
    user = _require(email)
    user.active = False
    db.session.commit()
    return user


def list_users() -> list[User]:
    """Return every staff account, by email."""
    return list(db.session.scalars(select(User).order_by(User.email)))


def _require(email: str) -> User:
    user = get_user_by_email(email)
    if user is None:
        raise AccountError(f"No account for {normalise_email(email)}")
    return user


def _throttle_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def authenticate(email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check an email and password, slowing down and locking after repeated failures.

    Unknown and known emails are throttled alike, so the answers reveal nothing.
    """
    now = now or datetime.now(UTC)
    key = _throttle_key(email)
    throttle = db.session.get(LoginThrottle, key)
    if throttle and _aware(throttle.locked_until) and _aware(throttle.locked_until) > now:
        return SignInResult(None, locked=True)
    if throttle and throttle.failures >= SLOW_DOWN_AFTER:
        delay = 0.25 * 2 ** (throttle.failures - SLOW_DOWN_AFTER)
        time.sleep(min(delay, MAX_DELAY_SECONDS))

    user = get_user_by_email(email)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is not None and valid and user.active:
        if throttle is not None:
            db.session.delete(throttle)
        user.last_login_at = now
        db.session.commit()
        return SignInResult(user)

    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0)
        db.session.add(throttle)
    if throttle.locked_until is not None:  # an expired lock starts a fresh count
        throttle.failures = 0
        throttle.locked_until = None
    throttle.failures += 1
    throttle.last_failure_at = now
    locked = throttle.failures >= LOCK_AFTER
    if locked:
        throttle.locked_until = now + timedelta(minutes=LOCK_MINUTES)
    db.session.commit()
    return SignInResult(None, locked=locked)


def is_safe_next(target: str | None) -> bool:
    """Allow only same-site paths as a post-sign-in redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def count_users() -> int:
    """Return how many staff accounts exist."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def link_commitments(email: str, slugs: list[str]) -> User:
    """Set the commitments a Responsible Officer reports on, by slug (the caller commits)."""
    from ..models import Commitment

    user = _require(email)
    commitments = list(db.session.scalars(select(Commitment).where(Commitment.slug.in_(slugs))))
    unknown = sorted(set(slugs) - {c.slug for c in commitments})
    if unknown:
        raise AccountError(f"Unknown commitments: {', '.join(unknown)}")
    set_officer_commitments(None, user, [c.id for c in commitments])
    return user


def set_officer_commitments(actor: User | None, user: User, commitment_ids: list[int]) -> bool:
    """Replace the commitments an officer reports on and audit it; return whether it changed.

    The caller commits, so the change and its audit entry are one transaction.
    """
    from .. import audit
    from ..models import Commitment

    if user.role is not StaffRole.OFFICER:
        raise AccountError(f"{user.email} is not a Responsible Officer (role officer)")
    wanted = set(commitment_ids)
    commitments = list(
        db.session.scalars(
            select(Commitment).where(Commitment.id.in_(wanted)).order_by(Commitment.position)
        )
    )
    if len(commitments) != len(wanted):
        raise AccountError("Choose commitments from the list")
    before = sorted(c.slug for c in user.commitments)
    user.commitments = commitments
    return audit.record_change(
        actor,
        "user",
        user.id,
        "commitments",
        ", ".join(before),
        ", ".join(sorted(c.slug for c in commitments)),
    )
