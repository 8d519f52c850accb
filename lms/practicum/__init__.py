"""The on-site coaching practicum: structured reports graded against a published rubric."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l

from lms.core import navigation
from lms.core.access import Permission
from lms.core.navigation import NavItem


def _configure(app: Flask) -> None:
    env = os.environ
    app.config.setdefault(
        "LMS_STORAGE_DIR", env.get("LMS_STORAGE_DIR") or str(Path(app.instance_path) / "storage")
    )
    app.config.setdefault(
        "LMS_PRACTICUM_MAX_ATTACHMENT_BYTES", int(env.get("LMS_PRACTICUM_MAX_ATTACHMENT_BYTES") or 10 * 1024 * 1024)
    )
    app.config.setdefault("LMS_PRACTICUM_MAX_SUBMISSIONS", int(env.get("LMS_PRACTICUM_MAX_SUBMISSIONS") or 3))


def _track_section(track: object) -> str:
    """The practicum's part of a track's public criteria page."""
    from lms.core.db import db
    from lms.practicum import rubric
    from lms.practicum.models import Practicum

    practicum = db.session.get(Practicum, track.id)  # type: ignore[attr-defined]
    if practicum is None or practicum.retired:
        return ""
    return render_template(
        "practicum/_track_section.html", practicum=practicum, max_total=rubric.max_total(practicum.rubric)
    )


def init_app(app: Flask) -> None:
    from lms.certification import add_track_section
    from lms.core import content
    from lms.practicum import cli, views
    from lms.practicum.source import PracticumSource

    _configure(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.practicum_cli)
    content.register(app, PracticumSource())
    add_track_section(app, _track_section)
    navigation.add(app, NavItem("practicum.index", _l("Practicum"), permission=Permission.PRACTICUM_SUBMIT, order=45))
    navigation.add(
        app, NavItem("practicum.queue", _l("Grading queue"), permission=Permission.PRACTICUM_GRADE, order=46)
    )
