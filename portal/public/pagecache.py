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

from collections.abc import Hashable

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from ..core.fragments import FragmentCache
from ..extensions import db

# Never in a page's HTML: NUL is stripped from every input and never in the framework's text.
CSRF_MARK = "\x00csrf\x00"
KEY_MARK = "\x00submission-key\x00"
MAX_PAGES = 512
# Plain SQL on a pooled connection of the engine: the ORM session's execution (statement
# compilation lookup, session begin, ORM result, the session's close at the end of the request)
# cost more than the rest of serving a kept page (bench/README.md, "Public pages").
_VERSION_SQL = "SELECT version FROM public_content_version"


def _cache() -> FragmentCache | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("FRAGMENT_CACHE", True):
        return None
    cache = app.extensions.get("public_page_cache")
    if cache is None:
        cache = app.extensions["public_page_cache"] = FragmentCache(MAX_PAGES)
    return cache


def current_version() -> int:
    """Return the version of what the public pages show (changed by the database's triggers)."""
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(_VERSION_SQL).scalar() or 0


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
    key = ("filled", template, tuple(sorted(context.items())), present)
    page = cache.entries.get(key)
    if page is None:
        cache.misses += 1
        marked = {name: _value_mark(name) if name in present else None for name in values}
        page = render_template(template, **marked, **context).replace(generate_csrf(), CSRF_MARK)
        cache.entries[key] = page
        if len(cache.entries) > cache.max_entries:
            cache.entries.popitem(last=False)
    else:
        cache.hits += 1
    page = page.replace(CSRF_MARK, generate_csrf())
    for name in present:
        page = page.replace(_value_mark(name), str(escape(values[name])))
    return page
