"""Several app servers share one rate-limit count through Redis."""

import os
import uuid

import pytest

from lms import create_app
from tests.helpers import app_config

REDIS = os.environ.get("LMS_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS and not os.environ.get("CI"), reason="set LMS_TEST_REDIS_URL to test shared limits")
def test_two_app_servers_share_the_login_count(database_url):
    assert REDIS, "CI must give LMS_TEST_REDIS_URL"
    prefix = f"lms-shared-{uuid.uuid4().hex}"
    servers = [
        create_app(app_config(database_url, RATELIMIT_STORAGE_URI=REDIS, RATELIMIT_KEY_PREFIX=prefix)) for _ in range(2)
    ]
    first, second = (s.test_client() for s in servers)
    form = {"email": "nobody@example.org", "password": "Wrong-Password-123"}
    statuses = [first.post("/login", data=form).status_code for _ in range(6)]
    statuses += [second.post("/login", data=form).status_code for _ in range(4)]
    assert 429 not in statuses
    assert second.post("/login", data=form).status_code == 429
    assert first.post("/login", data=form).status_code == 429
