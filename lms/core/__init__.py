"""Shared pieces every feature uses: database base, access rules, audit log, errors, i18n, mail."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.core import errors, i18n, security, views

    errors.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(views.bp)
