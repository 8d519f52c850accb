"""Users, roles, sign-in, passwords, and the administrators' users and audit pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import cli, views
    from lms.accounts.models import User
    from lms.core.db import db
    from lms.core.extensions import login_manager

    @login_manager.user_loader
    def _load(session_token: str) -> User | None:
        return db.session.scalar(db.select(User).where(User.session_token == session_token, User.active.is_(True)))

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users)
    app.cli.add_command(cli.demo)
