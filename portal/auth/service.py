"""Staff accounts: creating them, checking passwords, throttling failed sign-ins."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, case, delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..core.unitofwork import RuleError
from ..extensions import db
from ..models import LoginThrottle, StaffRole, User

MIN_PASSWORD_LENGTH = 12
SLOW_DOWN_AFTER = 3  # failures before each further attempt is delayed
LOCK_AFTER = 5  # failures before the email is locked
LOCK_MINUTES = 15
MAX_DELAY_SECONDS = 2.0
# Checked against when the email is unknown, so both cases cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


class AccountError(RuleError):
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
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """End every session of an account at once: each session carries the account's session
    generation, checked on every request, so raising it invalidates them all."""
    user.session_generation = (user.session_generation or 0) + 1


def set_role(email: str, role: StaffRole | str, actor: User | None = None) -> User:
    """Give an account a different role, ending its sessions, with its audit entry (the caller
    commits both together)."""
    user = _require(email)
    before = user.role
    if before is not StaffRole(role):
        user.role = StaffRole(role)
        end_sessions(user)
    audit.record_change(actor, "user", user.id, "role", before, user.role)
    return user


def deactivate(email: str, actor: User | None = None) -> User:
    """Stop an account from signing in, ending its sessions, with its audit entry; its history
    stays (the caller commits both together)."""
    user = _require(email)
    was_active = int(bool(user.active))
    user.active = False
    end_sessions(user)
    audit.record_change(actor, "user", user.id, "active", was_active, 0)
    return user


def set_password(email: str, password: str) -> User:
    """Give an account a new password, ending every session it had."""
    user = _require(email)
    check_password_strength(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
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
    """Key the throttle by an HMAC of the email under a server secret, so a database copy
    cannot confirm which addresses were tried."""
    secret = hashlib.sha256(b"login-throttle\0" + str(current_app.config["SECRET_KEY"]).encode())
    return hmac.new(secret.digest(), normalise_email(email).encode(), hashlib.sha256).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _count_attempt(key: str, now: datetime) -> tuple[int, datetime | None]:
    """Count one sign-in attempt atomically, before its password is checked, and return the
    attempts counted since the last success and any lock. One INSERT … ON CONFLICT DO UPDATE
    in its own transaction: concurrent attempts each get a different count, never a 500."""
    table = LoginThrottle.__table__
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    lock_over = and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
    locked = and_(table.c.locked_until.is_not(None), table.c.locked_until > now)
    statement = (
        insert(table)
        .values(key=key, failures=1, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case(
                    (lock_over, 1), (locked, table.c.failures), else_=table.c.failures + 1
                ),
                "locked_until": case((lock_over, None), else_=table.c.locked_until),
                "last_failure_at": now,
            },
        )
        .returning(table.c.failures, table.c.locked_until)
    )
    with db.engine.begin() as connection:
        failures, locked_until = connection.execute(statement).one()
    return int(failures), _aware(locked_until)


def authenticate(email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check an email and password, slowing down and locking after repeated failures.

    Every attempt is counted in the database before its password is checked, so however many
    arrive at once, at most LOCK_AFTER passwords are checked before the lock. Unknown and known
    emails are throttled alike, so the answers reveal nothing.
    """
    now = now or datetime.now(UTC)
    key = _throttle_key(email)
    table = LoginThrottle.__table__
    # The attempt is counted on its own connection: end the session's (read-only) transaction
    # first, so (on SQLite) it does not hold a snapshot older than the count. Nothing is pending
    # before a sign-in; the caller commits the sign-in itself.
    db.session.rollback()
    attempts, locked_until = _count_attempt(key, now)
    if (locked_until is not None and locked_until > now) or attempts > LOCK_AFTER:
        return SignInResult(None, locked=True)
    previous_failures = attempts - 1
    if previous_failures >= SLOW_DOWN_AFTER:
        delay = 0.25 * 2 ** (previous_failures - SLOW_DOWN_AFTER)
        time.sleep(min(delay, MAX_DELAY_SECONDS))

    user = get_user_by_email(email)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is not None and valid and user.active:
        user.last_login_at = now  # the caller commits
        with db.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.key == key))
        return SignInResult(user)

    locked = attempts >= LOCK_AFTER
    if locked:
        with db.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.key == key)
                .values(locked_until=now + timedelta(minutes=LOCK_MINUTES))
            )
    return SignInResult(None, locked=locked)


def is_safe_next(target: str | None) -> bool:
    """Allow only same-site paths as a post-sign-in redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return False  # a line break would split the Location header (and urlsplit drops it)
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
