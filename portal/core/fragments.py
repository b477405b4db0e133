"""Render the never-changing parts of a page once: memoised GOV.UK Frontend components.

A profile of a commitment page showed about three quarters of its time in the govuk-frontend-jinja
macros (radios for 7 stakeholder types, 7 localities, 5 ratings, the service navigation, the
summary list), each rebuilding the same HTML from the same parameters on every request. Those
macros are pure functions of their parameters, so the HTML is kept per parameters and reused:

- `memo(macro, params)` (a template global) calls a govuk-frontend-jinja macro once per distinct
  `params` and reuses its HTML after that;
- `govuk_field(field, params, cache=True)` renders a WTForms field through its
  govuk-frontend-wtf widget the same way, keyed on everything the widget reads (the field's
  name, id, label, hint, choices, value and error messages). A field holding free text someone
  typed is never kept: it is rendered as before, so what people type is not held in memory.

Per-request values (form tokens, one-time submission keys) are never passed through either.
`FRAGMENT_CACHE = False` turns both off, which is "plain rendering": tests compare the two.
The cache lives on the app (`app.extensions["fragment_cache"]`), per process, bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup
from wtforms import Field
from wtforms.fields import BooleanField, RadioField, SelectField

MAX_ENTRIES = 4096
_UNCACHEABLE = object()


class FragmentCache:
    """A bounded least-recently-used map from a component's parameters to its HTML."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get_or_render(self, key: Hashable, render: Callable[[], Any]) -> Markup:
        """Return the HTML kept under `key`, rendering and keeping it the first time."""
        try:
            html = self.entries[key]
        except KeyError:
            self.misses += 1
            html = render()  # already Markup: the macros and widgets escape as they render
            self.entries[key] = html
            if len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
            return html
        self.hits += 1
        self.entries.move_to_end(key)
        return html

    def clear(self) -> None:
        """Forget every kept fragment."""
        self.entries.clear()


def freeze(value: Any) -> Hashable:
    """Return a hashable, type-exact equivalent of template parameters (dicts, lists, scalars).

    Markup and str stay distinct (one is escaped when rendered, the other is not)."""
    if isinstance(value, dict):
        return ("d", tuple((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("l", tuple(freeze(v) for v in value))
    if isinstance(value, str):
        return (type(value).__name__, str(value))
    if value is None or isinstance(value, bool | int | float):
        return (type(value).__name__, value)
    raise TypeError(f"cannot key a fragment on {type(value).__name__}")


def _cache() -> FragmentCache | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("FRAGMENT_CACHE", True):
        return None
    return app.extensions["fragment_cache"]


def kept(key: Hashable, render: Callable[[], Markup]) -> Markup:
    """The HTML kept under `key` (a key that holds everything the HTML shows), rendered by
    `render` the first time; rendered every time when the cache is off."""
    cache = _cache()
    return render() if cache is None else cache.get_or_render(key, render)


def memo(macro: Callable[..., Any], params: dict[str, Any], cache: bool = True) -> Markup:
    """Call a pure GOV.UK Frontend macro with `params`, once per distinct `params` (`cache=False`
    for params that hold what someone typed)."""
    cache = _cache() if cache else None
    if cache is None:
        return macro(params)
    try:
        key = ("macro", macro.name, freeze(params))  # type: ignore[attr-defined]
    except TypeError:
        return macro(params)
    return cache.get_or_render(key, lambda: macro(params))


def _field_state(field: Field) -> Hashable:
    """What a field's widget reads besides the template's params, or _UNCACHEABLE."""
    data = field.data
    if isinstance(field, BooleanField):
        state: Hashable = bool(data)
    elif isinstance(field, RadioField | SelectField):
        values = [value for value, _label, *_ in field.iter_choices()]
        if data not in (None, "") and str(data) not in values:
            return _UNCACHEABLE  # a value nobody could choose: typed by hand, not kept
        labels = tuple((value, str(label)) for value, label, *_ in field.iter_choices())
        state = (None if data in (None, "") else str(data), labels)
    elif data in (None, ""):
        state = None
    else:
        return _UNCACHEABLE  # free text someone typed
    return (
        type(field).__name__,
        type(field.widget).__name__,
        field.name,
        field.id,
        str(field.label.text),
        str(field.description or ""),
        "required" in field.flags,
        freeze(field.render_kw or {}),
        tuple(str(e) for e in field.errors),
        state,
    )


def govuk_field(field: Field, params: dict[str, Any] | None = None, cache: bool = True) -> Markup:
    """Render a WTForms field through its govuk-frontend-wtf widget, once per distinct state."""
    params = params or {}
    kept = _cache() if cache else None
    if kept is None:
        return field(params=params)
    state = _field_state(field)
    if state is _UNCACHEABLE:
        return field(params=params)
    try:
        key = ("field", state, freeze(params))
    except TypeError:
        return field(params=params)
    return kept.get_or_render(key, lambda: field(params=params))


def register(app: Flask) -> None:
    """Give the app its fragment cache and the template globals that use it."""
    app.config.setdefault("FRAGMENT_CACHE", True)
    app.extensions["fragment_cache"] = FragmentCache()
    app.jinja_env.globals.update(memo=memo, govuk_field=govuk_field)
