"""Plain helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

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
