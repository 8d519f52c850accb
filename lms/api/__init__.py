"""The public JSON API (``/api/v1``), its OpenAPI document, and partners' personal API tokens."""

from __future__ import annotations

import os

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from lms.api import token_views, views
    from lms.core import navigation
    from lms.core.access import Permission
    from lms.core.navigation import NavItem

    # Per address: generous for an integration paging through the roster, tight enough to stop a scraper.
    app.config.setdefault("LMS_API_RATE_LIMIT", os.environ.get("LMS_API_RATE_LIMIT") or "120 per minute")
    app.register_blueprint(views.bp)
    app.register_blueprint(token_views.bp)
    navigation.add(app, NavItem("api_tokens.index", _l("API tokens"), permission=Permission.ROSTER_CONTACTS, order=78))
