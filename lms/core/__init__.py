"""Shared pieces every feature uses: database base, access rules, audit log, errors, i18n, mail."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.core import content, errors, i18n, mail, navigation, security, views

    errors.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(content.content_cli)
    app.cli.add_command(mail.mail_cli)
