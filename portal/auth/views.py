"""Sign in and sign out."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from ..extensions import db, limiter
from ..models import StaffRole
from . import service, sessions
from .forms import LoginForm

bp = Blueprint("auth", __name__, cli_group="users")

GENERIC_ERROR = "Enter a correct email address and password"
LOCKED_ERROR = (
    "There have been too many attempts to sign in with this email address. "
    f"Wait {service.LOCK_MINUTES} minutes and try again."
)


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def home_for(role: StaffRole) -> str:
    """Return where each role starts its day."""
    if role in (StaffRole.ADMIN, StaffRole.MEMBER):
        return url_for("triage.inbox")
    if role is StaffRole.CHAMPION:
        return url_for("notes.index")
    return url_for("progress.mine")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    """Sign a staff member in with email and password."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(home_for(current_user.role))
    status = 200
    if form.validate_on_submit():
        result = service.authenticate(form.email.data, form.password.data)
        if result.user is not None:
            sessions.begin(result.user)
            db.session.commit()
            target = form.next.data
            if not service.is_safe_next(target):
                target = home_for(result.user.role)
            return redirect(target, code=303)
        message = LOCKED_ERROR if result.locked else GENERIC_ERROR
        form.email.errors = [message]
        status = 401
    elif request.method == "POST":
        status = 422
    form.password.data = ""
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (POST only, so a link on another site cannot sign people out), ending every
    session of the account, on every device."""
    if current_user.is_authenticated:
        service.end_sessions(current_user)
        db.session.commit()
    logout_user()
    # Keep the CSRF token: a form still open in another tab then reaches the sign-in page.
    sessions.forget()
    return redirect(url_for("auth.login"), code=303)
