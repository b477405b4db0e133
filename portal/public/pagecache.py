"""Keep the public pages rendered, per version of what they show, with fresh tokens each time.

The commitment, framework and home pages show the framework, progress updates and notes, which
change rarely; most of a request went on reading them (several queries and their eager loads)
and rendering the same HTML again. The database keeps `public_content_version.version`
(migration 0012f): its triggers give it a new random value in the same transaction as any change
to what these pages show. So a page rendered once is kept under (its address, that version) and
served again, with only the per-request values made new:

- the form token (Flask-WTF's CSRF token for this session), wherever the page has it;
- the feedback form's one-time `submission_key`.

Only what is the same for everyone is kept: a plain GET (not htmx), nobody signed in, no flashed
message waiting. Anything else is rendered as before. `FRAGMENT_CACHE = False` turns this off
too ("plain rendering"); tests compare the two for every commitment.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Hashable
from typing import Any

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from markupsafe import escape
from sqlalchemy.engine import Engine

from ..core.fragments import FragmentCache
from ..extensions import db
from ..security import generate_csrf

# Never in a page's HTML: NUL is stripped from every input and never in the framework's text.
CSRF_MARK = "\x00csrf\x00"
KEY_MARK = "\x00submission-key\x00"
MAX_PAGES = 512
_VERSION_SQL = "SELECT version FROM public_content_version"


def _cache() -> FragmentCache | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("FRAGMENT_CACHE", True):
        return None
    cache = app.extensions.get("public_page_cache")
    if cache is None:
        cache = app.extensions["public_page_cache"] = FragmentCache(MAX_PAGES)
    return cache


class _VersionReader(threading.local):
    """Each thread's own database connection for reading the version, kept open.

    Reading the version is the one database statement of a kept page. Through the engine it was
    a third of the page's time: the pool's checkout (with its liveness ping, a statement of its
    own), the SQLAlchemy connection and result, and the rollback at check-in. So each thread of
    each worker keeps one DB-API connection, taken from the engine (its connect-time settings
    applied) and out of the pool, in autocommit: every read is its own statement and sees every
    committed change at once, and the idle connection holds no lock or snapshot. If it fails
    (the server restarted, the connection dropped), it is closed and the read is made through
    the engine as before; the next read opens a new one."""

    connection: Any = None
    pid: int = 0


_readers: weakref.WeakKeyDictionary[Engine, _VersionReader] = weakref.WeakKeyDictionary()
_readers_lock = threading.Lock()


def _reader(engine: Engine) -> _VersionReader:
    try:
        return _readers[engine]
    except KeyError:
        with _readers_lock:
            return _readers.setdefault(engine, _VersionReader())


def _open(engine: Engine) -> Any:
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    pooled.detach()  # this thread's own from now on: never handed to a request's session
    connection.rollback()  # out of any transaction the pool's liveness check began
    if engine.dialect.name == "postgresql":
        connection.autocommit = True
    elif engine.dialect.name == "sqlite":
        connection.isolation_level = None  # autocommit: never an open read transaction
    return connection


def _read_through_engine(engine: Any) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql(_VERSION_SQL).scalar() or 0


def current_version() -> int:
    """Return the version of what the public pages show (changed by the database's triggers)."""
    engine = db.engine
    if not isinstance(engine, Engine):
        # A connection standing in for the engine (a test's transaction): read in it.
        return _read_through_engine(engine)
    reader = _reader(engine)
    connection = reader.connection
    if connection is None or reader.pid != os.getpid():  # none yet, or inherited by a fork
        connection = reader.connection = _open(engine)
        reader.pid = os.getpid()
    try:
        row = connection.execute(_VERSION_SQL).fetchone()
    except engine.dialect.loaded_dbapi.Error:
        reader.connection = None
        try:
            connection.close()
        except engine.dialect.loaded_dbapi.Error:
            pass
        return _read_through_engine(engine)
    return (row[0] if row else 0) or 0


def _same_for_everyone() -> bool:
    return (
        request.method == "GET"
        and not request.htmx
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def serve(key: Hashable, submission_key: str | None = None) -> str | None:
    """Return the kept page for `key` with this request's tokens, or None (then render it and
    call `keep`)."""
    cache = _cache()
    if cache is None or not _same_for_everyone():
        return None
    full_key = (key, current_version())
    page = cache.entries.get(full_key)
    if page is None:
        cache.misses += 1
        g.public_page_key = full_key
        return None
    cache.hits += 1
    page = page.replace(CSRF_MARK, generate_csrf())
    if submission_key is not None:
        page = page.replace(KEY_MARK, submission_key)
    return page


def keep(html: str, submission_key: str | None = None) -> str:
    """Keep a page rendered after `serve` said it had none, its tokens marked; return it."""
    full_key = g.pop("public_page_key", None)
    cache = _cache()
    if full_key is None or cache is None:
        return html
    kept = html.replace(generate_csrf(), CSRF_MARK)
    if submission_key:
        kept = kept.replace(submission_key, KEY_MARK)
    cache.entries[full_key] = kept
    if len(cache.entries) > cache.max_entries:
        cache.entries.popitem(last=False)
    return html


def _value_mark(name: str) -> str:
    return f"\x00value:{name}\x00"


def render_filled(template: str, values: dict[str, str | None], **context: Hashable) -> str:
    """Render a page whose only changing parts are `values` (plain text, or None when absent)
    and the form token, e.g. the feedback confirmation (its reference and private link).

    The page is rendered once per template, `context` (flags) and set of values present, with a
    mark in each value's place, and kept (the template reads nothing from the database, so it
    has no version); each request gets it with its values escaped as Jinja escapes them, and its
    own form token. Not kept for what `serve` renders every time either (htmx, signed in, a
    flashed message), nor with `FRAGMENT_CACHE = False` (plain rendering).
    """
    cache = _cache()
    if cache is None or not _same_for_everyone():
        return render_template(template, **values, **context)
    present = tuple(name for name, value in values.items() if value is not None)

    def render_marked() -> str:
        marked = {name: _value_mark(name) if name in present else None for name in values}
        return render_template(template, **marked, **context).replace(generate_csrf(), CSRF_MARK)

    key = ("filled", template, tuple(sorted(context.items())), present)
    page = cache.get_or_render(key, render_marked).replace(CSRF_MARK, generate_csrf())
    for name in present:
        page = page.replace(_value_mark(name), str(escape(values[name])))
    return page
