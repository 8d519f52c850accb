"""Reports: the certification pipeline, regional coverage of the roster, course completion and pass rates."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core import navigation
from lms.core.access import Permission
from lms.core.navigation import NavItem


def init_app(app: Flask) -> None:
    from lms.reports import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.reports)
    navigation.add(app, NavItem("reports.index", _l("Reports"), permission=Permission.REPORTS_OWN, order=70))
