"""Who may do what: one decorator, one table the permission tests read against."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user
from htmx_flask import make_response as htmx_response

from ..extensions import login_manager
from ..models import StaffRole, User

TRIAGE = (StaffRole.ADMIN, StaffRole.MEMBER)
ADMIN_ONLY = (StaffRole.ADMIN,)
ANY_STAFF = tuple(StaffRole)


def roles_required(*roles: StaffRole) -> Callable:
    """Let in signed-in staff with one of these roles; others get the login page or a 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the signed-in account; a deactivated one, an ended or expired session is signed
    out (see sessions.py)."""
    from .sessions import load

    return load(user_id)


def _return_path() -> str:
    """Where to come back to after signing in: the page itself for a GET, else the page the form
    was on (a form's own URL answers only POST)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    from .forms import ReturnToForm
    from .service import is_safe_next

    candidates = [ReturnToForm().return_to.data or ""]
    if request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host:
            candidates.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    for candidate in candidates:
        if is_safe_next(candidate):
            return candidate
    return url_for("public.home")


@login_manager.unauthorized_handler
def unauthorized():
    """Send people to sign in; an htmx request gets HX-Redirect, not a page in a fragment."""
    target = url_for("auth.login", next=_return_path())
    if request.headers.get("HX-Request") == "true":
        return htmx_response("", 401, redirect=target)
    return redirect(target)
