"""Personal data at rest: AES-GCM encryption of contact details and a keyed blind index.

The key ring comes from `FLASK_DATA_KEY` (in development, `instance/data_key`): one or more
base64url-encoded 32-byte keys separated by commas. The first encrypts; all of them decrypt, so
a key can be rotated without downtime (`flask privacy rotate-key` re-encrypts everything under
the first key). Each stored value names the key that encrypted it:
``enc1:<key id>:<base64url(nonce + ciphertext + tag)>``.

Email addresses are looked up (subject access, erasure) through a blind index: an HMAC-SHA256
of the normalised address under a key derived from the data key, so a database copy reveals
neither the address nor whether a given address is present.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"
NONCE_BYTES = 12


class DataKeyError(RuntimeError):
    """The data key is missing, malformed, or does not open a stored value."""


def new_key() -> str:
    """Return a fresh random data key, base64url-encoded."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def _decode_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as error:
        raise DataKeyError("FLASK_DATA_KEY must be base64url-encoded 32-byte keys") from error
    if len(raw) != 32:
        raise DataKeyError("FLASK_DATA_KEY must be base64url-encoded 32-byte keys")
    return raw


@dataclass(frozen=True)
class DataKey:
    id: str
    aead: AESGCM
    index_key: bytes


@cache
def _ring(config_value: str) -> tuple[DataKey, ...]:
    keys = []
    for part in config_value.replace("\n", ",").split(","):
        if not part.strip():
            continue
        raw = _decode_key(part)
        index_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal blind index v1"
        ).derive(raw)
        keys.append(DataKey(hashlib.sha256(raw).hexdigest()[:8], AESGCM(raw), index_key))
    if not keys:
        raise DataKeyError("No data key configured (FLASK_DATA_KEY)")
    return tuple(keys)


def ring() -> tuple[DataKey, ...]:
    """Return the configured keys, the current (encrypting) one first."""
    return _ring(str(current_app.config.get("DATA_KEY") or ""))


def encrypt(text: str) -> str:
    """Encrypt a text under the current key."""
    key = ring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, text.encode(), key.id.encode())
    return f"{PREFIX}{key.id}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def is_encrypted(value: str | None, under_current_key: bool = False) -> bool:
    """Say whether a stored value is ciphertext (optionally: under the current key)."""
    if not value or not value.startswith(PREFIX):
        return False
    return not under_current_key or value[len(PREFIX) :].startswith(ring()[0].id + ":")


def decrypt(value: str) -> str:
    """Decrypt a stored value; a value stored before encryption was introduced is returned as
    it is (`flask privacy rotate-key` encrypts those)."""
    if not value.startswith(PREFIX):
        return value
    key_id, _, payload = value[len(PREFIX) :].partition(":")
    for key in ring():
        if key.id == key_id:
            blob = base64.urlsafe_b64decode(payload)
            return key.aead.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], key_id.encode()
            ).decode()
    raise DataKeyError(f"Stored data was encrypted under key {key_id}, which is not configured")


def normalise_email(email: str) -> str:
    """Return an email address as the blind index sees it."""
    return email.strip().lower()


def blind_index(email: str, key: DataKey | None = None) -> str:
    """Return the keyed blind index of an email address under the current key."""
    key = key or ring()[0]
    return hmac.new(key.index_key, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def blind_indexes(email: str) -> list[str]:
    """Return the blind index of an address under every configured key (during a rotation,
    rows not yet re-encrypted carry the old key's index)."""
    return [blind_index(email, key) for key in ring()]


class EncryptedText(TypeDecorator):
    """A text column stored AES-GCM encrypted, read back in clear."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or is_encrypted(value):
            return value
        return encrypt(str(value))

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
