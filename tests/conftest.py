"""Shared fixtures: one migrated database per run, a rolled-back transaction per test, users and sign-in.

The suite runs on SQLite by default and on PostgreSQL when LMS_TEST_DATABASE_URL is set (CI runs both).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from lms import create_app
from lms.accounts import operations
from lms.accounts.models import User
from lms.core.access import Role
from lms.core.db import db
from lms.core.extensions import limiter
from tests.helpers import PASSWORD, app_config, isolate_requests, scratch_database

#: Browser fixtures (live_server, check_accessibility, Chromium launch args) for any test that drives a page.
pytest_plugins = ["tests.browser_support"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    base = os.environ.get("LMS_TEST_DATABASE_URL") or "sqlite://"
    return scratch_database(base, worker_id, tmp_path_factory.mktemp("db"))


class IsolatedClient(FlaskClient):
    """Leaves the test's own context in place after each request, and has its session reload what changed.

    (Flask's client would keep the request's contexts pushed after it returns, replacing the test's.)
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        self._context_stack.close()
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(app_config(database_url))
    isolate_requests(app)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    """Every test runs inside one outer transaction that is rolled back; views' commits become savepoints."""
    if request.node.get_closest_marker("no_transaction"):
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.remove()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            db.session.configure(bind=None)
            outer.rollback()
            connection.close()
    limiter.reset()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 1_000_000))

    def make(*roles: Role, email: str | None = None, password: str = PASSWORD, **fields: Any) -> User:
        n = next(counter)
        fields.setdefault("name_latin", f"Test User {n}")
        fields.setdefault("prefecture_code", "13")
        user = operations.register_user(
            email=email or f"user{n}@example.org", password=password, roles=roles or (Role.TRAINEE,), **fields
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], User]:
    """Sign ``user`` in through the real sign-in form."""

    def do(user: User, password: str = PASSWORD) -> User:
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


@pytest.fixture
def csrf(app: Flask) -> Iterator[None]:
    """Turn CSRF protection on for one test (it is off by default so other tests stay short)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def signing_keys(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """A signing-key directory of the test's own (the key ring is rebuilt from the config)."""
    from lms.certification import keys

    directory = tmp_path / "keys"
    keys.ensure_directory(directory)
    app.config["LMS_SIGNING_KEYS_DIR"] = str(directory)
    app.extensions.pop("lms_keyring", None)
    yield directory
    app.config.pop("LMS_SIGNING_KEYS_DIR", None)
    app.extensions.pop("lms_keyring", None)
