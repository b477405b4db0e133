"""`flask users ...`: staff accounts from the command line. Each command is one transaction
(`commit_or_exit`): a role change or a deactivation and its audit entry are written together or
not at all."""

from __future__ import annotations

import sys

import click

from ..core.unitofwork import commit_or_exit
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
    user = commit_or_exit(lambda: accounts.create_user(email, role, password, name))
    click.echo(f"Created {user.email} ({user.role.value})")


@bp.cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def users_set_role(email: str, role: str) -> None:
    """Give an account a different role (recorded in the audit log)."""
    user = commit_or_exit(lambda: accounts.set_role(email, role))
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
    user = commit_or_exit(lambda: accounts.set_password(email, password))
    click.echo(f"New password set for {user.email}; its sessions have ended")


@bp.cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop an account from signing in; its history is kept (recorded in the audit log)."""
    user = commit_or_exit(lambda: accounts.deactivate(email))
    click.echo(f"{user.email} deactivated")


@bp.cli.command("link-commitments")
@click.argument("email")
@click.argument("slugs", nargs=-1, required=True)
def users_link_commitments(email: str, slugs: tuple[str, ...]) -> None:
    """Set the commitments a Responsible Officer reports on (replaces the previous list)."""
    user = commit_or_exit(lambda: accounts.link_commitments(email, list(slugs)))
    click.echo(f"{user.email} reports on: {', '.join(c.slug for c in user.commitments)}")


@bp.cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    for user in accounts.list_users():
        state = "active" if user.active else "deactivated"
        linked = ",".join(c.slug for c in user.commitments)
        click.echo(f"{user.email}\t{user.role.value}\t{state}\t{user.name}\t{linked}")
