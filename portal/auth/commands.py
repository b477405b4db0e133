"""`flask users ...`: staff accounts from the command line. Each command is one transaction: a
role change or a deactivation and its audit entry are written together or not at all."""

from __future__ import annotations

import sys

import click

from .. import audit
from ..extensions import db
from ..models import StaffRole
from . import service as accounts
from .views import bp

bp.cli.help = "Manage staff accounts."

ROLE_CHOICE = click.Choice([role.value for role in StaffRole])


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@bp.cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, required=True, help="The account's one role.")
@click.option("--name", default="", help="The person's name, as shown to colleagues.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from one line of standard input instead of a hidden prompt.",
)
def users_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account (the password is never taken from the command line)."""
    password = _password(password_stdin)
    try:
        user = accounts.create_user(email, role, password, name)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value})")


@bp.cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def users_set_role(email: str, role: str) -> None:
    """Give an account a different role (recorded in the audit log)."""
    try:
        before = accounts.get_user_by_email(email)
        before_role = before.role if before is not None else None
        user = accounts.set_role(email, role)
        audit.record_change(None, "user", user.id, "role", before_role, user.role)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} is now {user.role.value}")


@bp.cli.command("set-password")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from one line of standard input instead of a hidden prompt.",
)
def users_set_password(email: str, password_stdin: bool) -> None:
    """Give an account a new password; every session it had ends."""
    password = _password(password_stdin)
    try:
        user = accounts.set_password(email, password)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"New password set for {user.email}; its sessions have ended")


@bp.cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop an account from signing in; its history is kept (recorded in the audit log)."""
    try:
        before = accounts.get_user_by_email(email)
        was_active = int(bool(before.active)) if before is not None else None
        user = accounts.deactivate(email)
        audit.record_change(None, "user", user.id, "active", was_active, 0)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} deactivated")


@bp.cli.command("link-commitments")
@click.argument("email")
@click.argument("slugs", nargs=-1, required=True)
def users_link_commitments(email: str, slugs: tuple[str, ...]) -> None:
    """Set the commitments a Responsible Officer reports on (replaces the previous list)."""
    try:
        user = accounts.link_commitments(email, list(slugs))
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} reports on: {', '.join(c.slug for c in user.commitments)}")


@bp.cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    for user in accounts.list_users():
        state = "active" if user.active else "deactivated"
        linked = ",".join(c.slug for c in user.commitments)
        click.echo(f"{user.email}\t{user.role.value}\t{state}\t{user.name}\t{linked}")
