"""Migrations from empty to head and back to base, and no drift between models and migrations."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade

from lms import create_app
from lms.core.db import db
from tests.helpers import app_config


@pytest.fixture
def scratch_app(tmp_path, database_url):
    """An app on a database of its own, emptied before and after."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        name = f"{url.database}_migrations"
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        scratch = url.set(database=name).render_as_string(hide_password=False)
    else:
        admin = None
        scratch = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    app = create_app(app_config(scratch))
    yield app
    with app.app_context():
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _include_object():
    """The filter features give Alembic for objects deliberately outside the ORM (e.g. full-text indexes)."""
    include = current_app.extensions["migrate"].configure_args.get("include_object")
    return include or (lambda *_args: True)


def _tables():
    include = _include_object()
    names = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if include(None, name, "table", True, None)}


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
            opts = {"compare_type": True, "include_object": _include_object()}
            context = MigrationContext.configure(conn, opts=opts)
            diff = compare_metadata(context, db.metadata)
    assert diff == []
