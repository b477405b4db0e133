"""A limits storage that keeps each app's counters where its configuration says.

Flask-Limiter holds one storage on its one shared Limiter object; this storage picks, per
request, the store named by the app's `RATELIMIT_STORAGE_URI`:

- ``database://`` (the default): the portal's own database, so every gunicorn worker on the
  machine — and every machine sharing a PostgreSQL database — counts against one limit;
- ``redis://host:6379`` (or any other URI the `limits` package knows): that server;
- ``memory://``: per process (each worker counts on its own; tests and single-process use).
"""

from __future__ import annotations

import random
import threading
import time

from flask import current_app
from limits.storage import Storage, storage_from_string
from sqlalchemy import case, delete, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .models import RateLimitCounter

DATABASE = "database://"


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limit_counters` table, counted atomically by an
    INSERT … ON CONFLICT DO UPDATE … RETURNING in its own short transaction."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _insert(self):
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = RateLimitCounter.__table__
        expired = table.c.expires_at <= now
        statement = (
            self._insert()(table)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case((expired, amount), else_=table.c.count + amount),
                    "expires_at": case((expired, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.count)
        )
        with db.engine.begin() as connection:
            count = connection.execute(statement).scalar_one()
            if random.random() < 0.01:  # now and then, forget windows long gone
                connection.execute(delete(table).where(table.c.expires_at < now - 3600))
        return int(count)

    def _row(self, key: str):
        table = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            return connection.execute(
                select(table.c.count, table.c.expires_at).where(
                    table.c.key == key, table.c.expires_at > time.time()
                )
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        table = RateLimitCounter.__table__
        with db.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.key == key))


class PerAppStorage(Storage):
    """Dispatch every call to the storage the current app is configured with."""

    STORAGE_SCHEME = ["portal"]
    _stores: dict[str, Storage] = {}
    _lock = threading.Lock()

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return Exception

    def _store(self) -> Storage:
        uri = str(current_app.config.get("RATELIMIT_STORAGE_URI") or DATABASE)
        store = self._stores.get(uri)
        if store is None:
            with self._lock:
                store = self._stores.get(uri)
                if store is None:
                    store = storage_from_string(uri)
                    self._stores[uri] = store
        return store

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._store().incr(key, expiry, amount=amount)

    def get(self, key: str) -> int:
        return self._store().get(key)

    def get_expiry(self, key: str) -> float:
        return self._store().get_expiry(key)

    def check(self) -> bool:
        return self._store().check()

    def reset(self) -> int | None:
        return self._store().reset()

    def clear(self, key: str) -> None:
        return self._store().clear(key)
