"""Users, roles, sign-in, passwords, and the administrators' users and audit pages."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core import navigation
from lms.core.access import Permission
from lms.core.navigation import NavItem


def init_app(app: Flask) -> None:
    from lms.accounts import cli, views
    from lms.accounts.models import User
    from lms.core.db import db
    from lms.core.extensions import login_manager

    # Every signed-in request runs this: the user and their roles in one query (not two), built once.
    signed_in_user = (
        db.select(User)
        .options(db.joinedload(User.role_rows))
        .where(User.session_token == db.bindparam("session_token"), User.active.is_(True))
    )

    @login_manager.user_loader
    def _load(session_token: str) -> User | None:
        return db.session.scalars(signed_in_user, {"session_token": session_token}).unique().one_or_none()

    app.register_blueprint(views.bp)
    navigation.add(app, NavItem("accounts.users", _l("Users"), permission=Permission.USERS_MANAGE, order=90))
    navigation.add(app, NavItem("accounts.audit_log", _l("Audit log"), permission=Permission.AUDIT_READ, order=95))
    app.cli.add_command(cli.users)
    app.cli.add_command(cli.demo)
