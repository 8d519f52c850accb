"""Public pages: the certification tracks and exactly the criteria stored for each, in both languages."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template
from markupsafe import Markup

from lms.certification.models import Track
from lms.core.access import public
from lms.core.db import db

bp = Blueprint("certification", __name__, template_folder="templates", url_prefix="/certification")


@bp.get("/tracks")
@public
def tracks() -> str:
    rows = db.session.scalars(sa.select(Track).where(Track.retired.is_(False)).order_by(Track.id)).all()
    return render_template("certification/tracks.html", tracks=rows)


@bp.get("/tracks/<track_id>")
@public
def track(track_id: str) -> Any:
    row = db.session.scalar(sa.select(Track).where(Track.id == track_id, Track.retired.is_(False)))
    if row is None:
        abort(404)
    # Each section is a template rendered by a feature (autoescaped), so it is already safe HTML.
    sections = [Markup(html) for s in current_app.extensions.get("lms_track_sections", []) if (html := s(row))]  # noqa: S704
    return render_template("certification/track.html", track=row, sections=sections)
