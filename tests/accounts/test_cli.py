import sqlalchemy as sa

from lms.accounts.cli import DEMO_ACCOUNTS
from lms.accounts.models import User
from lms.core.access import Role
from lms.core.db import db
from tests.helpers import PASSWORD


def _count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_users_create_and_roles(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "Kato@Example.org", "--name", "加藤 恵", "--role", "instructor",
              "--prefecture", "26", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "kato@example.org"))
    assert user.name_ja == "加藤 恵" and user.roles == {Role.INSTRUCTOR}
    result = runner.invoke(args=["users", "roles", "kato@example.org", "--add", "partner", "--remove", "instructor"])
    assert result.exit_code == 0, result.output
    assert "partner" in result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == {Role.PARTNER}


def test_bad_cli_input_gets_a_clear_message_and_changes_nothing(app, make_user):
    make_user(email="taken@example.org")
    runner = app.test_cli_runner()
    before = _count()
    unknown_role = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--name", "X", "--role", "wizard", "--password", PASSWORD]
    )
    assert unknown_role.exit_code == 2
    assert "wizard" in unknown_role.output
    duplicate = runner.invoke(
        args=["users", "create", "--email", "TAKEN@example.org", "--name", "Y", "--password", PASSWORD]
    )
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    weak = runner.invoke(args=["users", "create", "--email", "z@example.org", "--name", "Z", "--password", "short"])
    assert weak.exit_code == 1
    assert "at least 12" in weak.output
    nobody = runner.invoke(args=["users", "roles", "nobody@example.org", "--add", "partner"])
    assert nobody.exit_code == 1
    bad_role = runner.invoke(args=["users", "roles", "taken@example.org", "--add", "emperor"])
    assert bad_role.exit_code == 2
    assert _count() == before


def test_demo_is_idempotent_and_covers_every_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert f"{len(DEMO_ACCOUNTS)} created" in first.output
    second = runner.invoke(args=["demo"])
    assert "0 created" in second.output
    assert _count() == len(DEMO_ACCOUNTS)
    roles = set().union(*(u.roles for u in db.session.scalars(sa.select(User))))
    assert roles == set(Role)
    for email, *_rest, password in DEMO_ACCOUNTS:
        assert email in first.output and password in first.output
