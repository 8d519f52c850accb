"""Browser-test support, loaded for the whole suite (see ``pytest_plugins`` in tests/conftest.py): a live server
on a database of its own, the system Chromium through Playwright, and axe-core.

Without Chromium these tests skip with a reason, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from lms import create_app
from lms.core.db import db
from tests.helpers import app_config, drop_database, scratch_database

CHROMIUM = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
#: axe-core impacts that fail a test.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_items = [i for i in items if "page" in getattr(i, "fixturenames", ()) or i.get_closest_marker("browser")]
    for item in browser_items:
        item.add_marker(pytest.mark.no_transaction)
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs Chromium for the browser tests, and there is none at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: install Debian's chromium (make test does in CI)")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def _closed_before_sending(app: Flask) -> Callable[..., list[bytes]]:
    """Hands the dev server each response as bytes, with the app's body (a static file, say) already closed.

    When Chromium drops a connection, werkzeug's dev server can fail while draining the socket and then skips the
    body's close() (``execute`` in werkzeug/serving.py), leaving the file to the garbage collector; with warnings
    as errors that ResourceWarning failed a journey at random.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served over real HTTP, with CSRF on, as a user meets it."""
    url = scratch_database(database_url, "browser", tmp_path_factory.mktemp("browser"))
    app = create_app(
        app_config(
            url,
            WTF_CSRF_ENABLED=True,
            TESTING=False,
            # Journeys sign in many times a minute; rate limits have tests of their own.
            LMS_LOGIN_RATE_LIMIT="1000 per minute",
            RATELIMIT_KEY_PREFIX=f"lms-browser-{uuid.uuid4().hex}",
        )
    )
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, _closed_before_sending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    drop_database(url)


@pytest.fixture
def check_accessibility() -> Callable[[Any], None]:
    """Runs axe-core in the page and fails on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any) -> None:
        # A click that follows a link returns once the new page has started loading; axe needs the whole document
        # (run during the load it found no documentElement, at random).
        page.wait_for_load_state("load")
        results = axe.run(page)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in BLOCKING_IMPACTS
        ]
        assert blocking == [], f"accessibility violations on {page.url}"

    return check


def sign_in(page: Any, live_server: LiveServer, email: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
