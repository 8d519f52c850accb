"""Migrations from empty to head and back to base, and no drift between models and migrations."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade

from lms import create_app
from lms.core.db import db
from tests.helpers import app_config, drop_database, scratch_database


@pytest.fixture
def scratch_app(tmp_path, database_url):
    """An app on an empty database of its own."""
    url = scratch_database(database_url, "migrations", tmp_path)
    app = create_app(app_config(url))
    yield app
    with app.app_context():
        db.engine.dispose()
    drop_database(url)


def _include_object():
    """The app's own Alembic filter (as ``lms db check`` uses it): features may keep database objects outside
    the models, such as a full-text search table, and declare them there."""
    return current_app.extensions["migrate"].configure_args.get("include_object")


def _tables():
    include = _include_object()
    names = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {n for n in names if include is None or include(None, n, "table", True, None)}


@pytest.mark.no_transaction
def test_upgrade_downgrade_upgrade(scratch_app):
    with scratch_app.app_context():
        upgrade()
        assert _tables() == set(db.metadata.tables)
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert _tables() == set(db.metadata.tables)


@pytest.mark.no_transaction
def test_models_and_migrations_do_not_drift(scratch_app):
    with scratch_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            opts = {"compare_type": True}
            if _include_object() is not None:
                opts["include_object"] = _include_object()
            context = MigrationContext.configure(conn, opts=opts)
            diff = compare_metadata(context, db.metadata)
    assert diff == []
