"""Plain helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Correct-Horse-Battery-42"


def app_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    """The configuration every test app uses; CSRF is off unless a test turns it on (see the csrf fixture)."""
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "LMS_FAST_PASSWORD_HASH": True,
        "LMS_MAIL_SERVER": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("LMS_TEST_REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": f"lms-test-{os.getpid()}",
        # The storage's own prefix too: a reset after each test then clears this process's counts only, not those
        # of a parallel worker sharing the Redis database.
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"LIMITS-test-{os.getpid()}"} if os.environ.get(
            "LMS_TEST_REDIS_URL") else {},
        "LMS_CONTENT_ROOT": str(ROOT),
    }
    config.update(overrides)
    return config


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``, as a browser would read it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@contextmanager
def _postgres_admin(url: sa.URL) -> Iterator[sa.Connection]:
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def scratch_database(like: str, suffix: str, tmp_dir: Path) -> str:
    """A new, empty database beside ``like``: on PostgreSQL ``<database>_<suffix>``, dropped and created afresh;
    on SQLite a file in ``tmp_dir``. Tests that need their own connections or a live server use one."""
    url = sa.make_url(like)
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_dir / f'{suffix}.sqlite3'}"
    scratch = url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)
    recreate_database(scratch)
    return scratch


def recreate_database(url: str) -> None:
    """Empty the database ``url`` names: dropped and created afresh on PostgreSQL, its file removed on SQLite.
    (The benchmarks start from here too.)"""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        if parsed.database:
            Path(parsed.database).unlink(missing_ok=True)
        return
    with _postgres_admin(parsed) as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(sa.text(f"CREATE DATABASE \"{parsed.database}\" ENCODING 'UTF8' TEMPLATE template0"))


def drop_database(url: str) -> None:
    """Drop a PostgreSQL scratch database (SQLite files go with their temporary folder)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        with _postgres_admin(parsed) as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))


def isolate_requests(app: Flask) -> None:
    """Run each request in a fresh context, as production does: its own app context, ``g`` and DB session.

    Flask otherwise reuses the test's app context for every request, so ``g`` (and Flask-Login's cached
    user) would leak from one request into the next and hide real bugs.
    """
    wsgi_app = app.wsgi_app

    def isolated(environ: Any, start_response: Any) -> Any:
        return contextvars.Context().run(wsgi_app, environ, start_response)

    app.wsgi_app = isolated  # type: ignore[method-assign]


@contextmanager
def own_database_app(like: str, suffix: str, tmp_dir: Path, **config: Any) -> Iterator[Flask]:
    """An app on a scratch database of its own (see ``scratch_database``), migrated, with isolated requests; the
    database is dropped afterwards. For tests that need several connections at once."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.core.db import db

    url = scratch_database(like, suffix, tmp_dir)
    app = create_app(app_config(url, **config))
    isolate_requests(app)
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """The SQL statements sent inside the block, less the test's own transaction handling (its savepoints)."""
    from lms.core.db import db

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
