"""Site-wide pages: the home page, the language switch and the load balancer's health check."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from lms.core.access import public
from lms.core.db import db
from lms.core.i18n import SESSION_KEY

bp = Blueprint("core", __name__, template_folder="templates", static_folder="static", static_url_path="/static/core")


@bp.get("/")
@public
def index() -> str:
    return render_template("core/index.html")


@bp.post("/language")
@public
def set_language() -> Any:
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LMS_LANGUAGES"]:
        abort(400, _("Unknown language."))
    session[SESSION_KEY] = lang
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
@public
def healthz() -> Any:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def safe_next(target: str | None, default_endpoint: str = "core.index") -> str:
    """A redirect target on this site only: a path, never another host or scheme."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and target.startswith("/")
        if local and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default_endpoint)
