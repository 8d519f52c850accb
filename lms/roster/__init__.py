"""The roster of certified professionals: profiles, consent, search and SME matching."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core import navigation
from lms.core.navigation import NavItem


def init_app(app: Flask) -> None:
    from lms.certification.signals import certificate_changed
    from lms.core.access import Permission
    from lms.roster import cli, exports, index, listing, views

    # blinker keys receivers by identity, so connecting again for another app changes nothing.
    certificate_changed.connect(listing.refresh_certification, weak=False)
    index.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(exports.bp)
    cli.init_app(app)
    navigation.add(app, NavItem("roster.index", _l("Roster"), order=50))
    navigation.add(app, NavItem("roster.profile", _l("My roster profile"), permission=Permission.ROSTER_PROFILE,
                                order=51))

    from lms.roster import match_views  # SME matching for partners: a blueprint of its own
    match_views.init_app(app)
