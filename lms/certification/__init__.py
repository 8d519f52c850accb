"""Certification: tracks and their published criteria, eligibility, issuance and credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core import navigation
from lms.core.navigation import NavItem

#: Renders an extra part of a track's public criteria page (e.g. the practicum's pass rule), or returns "".
TrackSection = Callable[[Any], str]


def add_track_section(app: Flask, section: TrackSection) -> None:
    """Let a feature that certification consumes (the practicum) publish its part of a track's criteria."""
    app.extensions.setdefault("lms_track_sections", []).append(section)


def init_app(app: Flask) -> None:
    from lms.certification import cli, public, views
    from lms.certification.tracks import TrackSource
    from lms.core import content
    from lms.core.access import Permission

    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    app.cli.add_command(cli.certificates)
    content.register(app, TrackSource())
    navigation.add(app, NavItem("certification.tracks", _l("Certification"), order=40))
    navigation.add(app, NavItem("certification.mine", _l("My certificates"),
                                permission=Permission.CERTIFICATE_REQUEST, order=41))
    navigation.add(app, NavItem("certification.queue", _l("Certification requests"),
                                permission=Permission.CERTIFICATE_ISSUE, order=42))
