"""The curriculum: courses and lessons synced from courses/, read, tracked, searched and edited."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core import content, navigation
from lms.core.access import Permission
from lms.core.navigation import NavItem

#: Database objects that live outside the models (the SQLite FTS5 table and its shadow tables, the PostgreSQL
#: trigram index); created by migration 0002 and ignored when comparing models with the database.
SEARCH_OBJECTS_PREFIX = "lesson_search"
TRGM_INDEX = "ix_lesson_texts_plain_trgm"


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name and (name.startswith(SEARCH_OBJECTS_PREFIX) or name == TRGM_INDEX))


def _ignore_search_objects(app: Flask) -> None:
    migrate_config = app.extensions["migrate"]
    previous = migrate_config.configure_args.get("include_object")
    if previous is None:
        migrate_config.configure_args["include_object"] = _include_object
    else:
        migrate_config.configure_args["include_object"] = lambda *a: _include_object(*a) and previous(*a)


def init_app(app: Flask) -> None:
    from lms.curriculum import models, sync, views  # noqa: F401 - models register their tables

    _ignore_search_objects(app)
    app.register_blueprint(views.bp)
    content.register(app, sync.CourseSource())
    navigation.add(app, NavItem("curriculum.catalogue", _l("Courses"), order=10))
    navigation.add(app, NavItem("curriculum.search", _l("Search"), order=11))
    navigation.add(app, NavItem("curriculum.my_learning", _l("My learning"), signed_in=True, order=12))
    navigation.add(
        app, NavItem("curriculum.cohorts", _l("Cohorts"), permission=Permission.ENROLMENT_MANAGE, order=60)
    )
