"""The `flask` commands: their names and options are contracts (scripts and the README use
them), each lives on its feature's blueprint, and each is one transaction — `users set-role`
and `users deactivate` write the change and its audit entry together or not at all."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import AuditEntry, StaffRole, User

# Every portal command and its parameters (arguments by name, options by their flags). A
# renamed command or option breaks scripts and cron jobs: change this table only with the README.
CONTRACT = {
    "db backup": ["path"],
    "demo documents": ["--out"],
    "demo seed": ["--feedback", "--seed", "--if-empty", "--days"],
    "demo users": [],
    "feedback import": ["path", "--map", "--channel", "--dry-run"],
    "framework export": ["path"],
    "framework load": ["path", "--path", "--dry-run"],
    "opendata build": ["path", "--publish"],
    "outbox digests": [],
    "outbox send": ["--loop", "--interval", "--batch"],
    "privacy new-key": [],
    "privacy purge": ["--months", "--dry-run"],
    "privacy rotate-key": [],
    "surveys check": ["paths"],
    "surveys sync": ["paths"],
    "tagging evaluate": ["--folds", "--limit", "--heldout", "--json"],
    "tagging suggest": [],
    "tagging train": [],
    "users create": ["email", "--role", "--name", "--password-stdin"],
    "users deactivate": ["email"],
    "users link-commitments": ["email", "slugs"],
    "users list": [],
    "users set-password": ["email", "--password-stdin"],
    "users set-role": ["email", "role"],
}
# Blueprint that carries each group (`flask db` is Flask-Migrate's group; backup joins it).
GROUP_BLUEPRINTS = {
    "demo": "demo",
    "feedback": "dataio",
    "framework": "framework_admin",
    "opendata": "opendata",
    "outbox": "outbox",
    "privacy": "privacy",
    "surveys": "surveys",
    "tagging": "tagging",
    "users": "auth",
}


def _parameters(command: click.Command) -> list[str]:
    return [
        param.name if isinstance(param, click.Argument) else param.opts[0]
        for param in command.params
    ]


def test_every_command_keeps_its_name_and_options(app):
    found = {}
    for group in {name.split()[0] for name in CONTRACT}:
        for name, command in app.cli.commands[group].commands.items():
            if group != "db" or name == "backup":  # the rest of `flask db` is Flask-Migrate's
                found[f"{group} {name}"] = _parameters(command)
    assert found == CONTRACT


@pytest.mark.parametrize(("group", "blueprint"), GROUP_BLUEPRINTS.items())
def test_each_command_group_is_its_feature_blueprints(app, group, blueprint):
    assert app.cli.commands[group] is app.blueprints[blueprint].cli


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def _user_and_entries(app, email: str) -> tuple[User, list[AuditEntry]]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        entries = audit.history("user", user.id)
        db.session.expunge_all()
        return user, entries


def test_set_role_records_the_change_in_the_audit_log(app, make_user):
    make_user("member")
    result = run(app, "users", "set-role", "member@example.invalid", "champion")
    assert result.exit_code == 0, result.output
    user, entries = _user_and_entries(app, "member@example.invalid")
    assert user.role is StaffRole.CHAMPION
    assert [(e.actor_id, e.action, e.field, e.before, e.after) for e in entries] == [
        (None, "update", "role", "member", "champion")
    ]
    # The same role again changes nothing and records nothing.
    assert run(app, "users", "set-role", "member@example.invalid", "champion").exit_code == 0
    assert len(_user_and_entries(app, "member@example.invalid")[1]) == 1


def test_deactivate_records_the_change_in_the_audit_log(app, make_user):
    make_user("member")
    result = run(app, "users", "deactivate", "member@example.invalid")
    assert result.exit_code == 0, result.output
    user, entries = _user_and_entries(app, "member@example.invalid")
    assert not user.active
    assert [(e.actor_id, e.action, e.field, e.before, e.after) for e in entries] == [
        (None, "update", "active", "1", "0")
    ]
    # Deactivating a deactivated account changes nothing and records nothing.
    assert run(app, "users", "deactivate", "member@example.invalid").exit_code == 0
    assert len(_user_and_entries(app, "member@example.invalid")[1]) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["users", "set-role", "member@example.invalid", "admin"],
        ["users", "deactivate", "member@example.invalid"],
    ],
)
def test_no_change_is_kept_without_its_audit_entry(app, make_user, monkeypatch, args):
    make_user("member")

    def audit_fails(*_args, **_kwargs):
        raise RuntimeError("the audit entry could not be written")

    monkeypatch.setattr(audit, "record", audit_fails)
    result = run(app, *args)
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    user, entries = _user_and_entries(app, "member@example.invalid")
    assert user.role is StaffRole.MEMBER and user.active  # one transaction: nothing was kept
    assert entries == []


def test_a_refused_command_changes_nothing(app, make_user):
    make_user("member")
    result = run(app, "users", "link-commitments", "member@example.invalid", "no-such-slug")
    assert result.exit_code != 0 and "Unknown commitments" in result.output
    user, entries = _user_and_entries(app, "member@example.invalid")
    assert entries == []
