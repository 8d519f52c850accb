"""The learning-management system of Japan's IP Management Support Network."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from lms.config import check_production, from_environment

#: Feature packages, in dependency order. Each has an ``init_app(app)`` that registers its blueprint and CLI.
FEATURES = ("core", "accounts", "curriculum", "quizzes", "certification", "practicum", "roster", "reports", "api")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration from ``LMS_*`` variables, overridden by ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(from_environment(os.environ, app.instance_path))
    if config:
        app.config.update(config)
    check_production(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # Ids in URLs never exceed the databases' INTEGER: a larger one is a 404, not a driver overflow.
    app.url_map.converters["int"] = DatabaseIdConverter
    _init_extensions(app)
    for name in FEATURES:
        importlib.import_module(f"lms.{name}").init_app(app)
    _refuse_undeclared_views(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` limited to 0..2**31-1, the range of an INTEGER primary key on PostgreSQL and SQLite."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _init_extensions(app: Flask) -> None:
    from lms.core.db import configure_sqlite, db
    from lms.core.extensions import babel, csrf, limiter, login_manager, migrate
    from lms.core.i18n import select_locale, translation_directories

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories(Path(__file__).parent))
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)


def _refuse_undeclared_views(app: Flask) -> None:
    from lms.core.access import undeclared_views

    with app.app_context():
        missing = undeclared_views()
    if missing:
        raise RuntimeError(f"views without an access rule: {', '.join(missing)}")
