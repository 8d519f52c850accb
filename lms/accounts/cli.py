"""``lms users ...`` and ``lms demo``: account administration from the command line."""

from __future__ import annotations

import re
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms.accounts import operations
from lms.core.access import Role
from lms.core.db import db

ROLE_CHOICE = click.Choice([r.value for r in Role], case_sensitive=False)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")

#: Demo accounts for every role (and one holding all four), created by ``lms demo`` and ``make run``.
DEMO_ACCOUNTS = (
    ("trainee@example.org", "研修 太郎", "Taro Kenshu", "23", [Role.TRAINEE], "Trainee-Demo-2026!"),
    ("instructor@example.org", "講師 花子", "Hanako Koshi", "13", [Role.INSTRUCTOR], "Instructor-Demo-2026!"),
    ("partner@example.org", "連携 次郎", "Jiro Renkei", "15", [Role.PARTNER], "Partner-Demo-2026!"),
    ("admin@example.org", "管理 順子", "Junko Kanri", "13", [Role.ADMINISTRATOR], "Admin-Demo-2026!"),
    ("all-roles@example.org", None, "Alex Allroles", "40", list(Role), "All-Roles-Demo-2026!"),
)


def _split_name(name: str) -> dict[str, str]:
    return {"name_ja": name} if _JAPANESE.search(name) else {"name_latin": name}


@click.group()
def users() -> None:
    """Create users and change their roles."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Display name, in Japanese or Latin script.")
@click.option("--role", "roles", type=ROLE_CHOICE, multiple=True, default=["trainee"], show_default=True)
@click.option("--prefecture", default=None, help="JIS prefecture code, 01-47.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user(email: str, name: str, roles: tuple[str, ...], prefecture: str | None, password: str) -> None:
    """Create a user with the given roles."""
    try:
        user = operations.register_user(
            email=email, password=password, prefecture_code=prefecture, roles=[Role(r) for r in roles],
            **_split_name(name),
        )
    except operations.AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"created {user.email} with roles {', '.join(sorted(r.value for r in user.roles))}")


@users.command("roles")
@click.argument("email")
@click.option("--add", "add", type=ROLE_CHOICE, multiple=True)
@click.option("--remove", "remove", type=ROLE_CHOICE, multiple=True)
@click.option("--reason", default="changed from the command line", show_default=True)
@with_appcontext
def change_roles(email: str, add: tuple[str, ...], remove: tuple[str, ...], reason: str) -> None:
    """Grant (--add) or remove (--remove) roles; prints the roles the user holds afterwards."""
    user = operations.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    try:
        for role in add:
            operations.grant_role(user, Role(role), actor_id=None, reason=reason)
        for role in remove:
            operations.revoke_role(user, Role(role), actor_id=None, reason=reason)
    except operations.AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"{user.email}: {', '.join(sorted(r.value for r in user.roles)) or '(no roles)'}")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create the demo accounts (idempotent), print their logins, then add the features' demo data (the roster)."""
    created = 0
    for email, name_ja, name_latin, prefecture, roles, password in DEMO_ACCOUNTS:
        if operations.find_by_email(email) is None:
            operations.register_user(
                email=email, password=password, name_ja=name_ja, name_latin=name_latin,
                prefecture_code=prefecture, roles=roles,
            )
            created += 1
    db.session.commit()
    click.echo(f"demo accounts: {created} created, {len(DEMO_ACCOUNTS) - created} already there")
    for email, _ja, _latin, _pref, roles, password in DEMO_ACCOUNTS:
        click.echo(f"  {email:<24} {password:<24} {', '.join(r.value for r in roles)}")
    for step in current_app.extensions.get(DEMO_STEPS, []):
        step()


#: Where features that come later (the roster) add their demo data, run by ``lms demo`` after the accounts.
DEMO_STEPS = "lms_demo_steps"


def add_demo_step(app: Flask, step: Callable[[], None]) -> None:
    """Let a feature add to ``lms demo`` (run in the order features register, inside the command's context)."""
    app.extensions.setdefault(DEMO_STEPS, []).append(step)
