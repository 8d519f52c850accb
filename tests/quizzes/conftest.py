from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from lms.core import content
from lms.core.db import db

CONTENT = Path(__file__).resolve().parent / "content"


@pytest.fixture
def synced(app):
    """The sample course, bank and quizzes, loaded through the real content sync."""
    content.sync(CONTENT)
    db.session.commit()


@pytest.fixture
def content_copy(tmp_path):
    """A writable copy of the sample content, for tests that break or change a file."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def start(client, quiz_id: str) -> int:
    response = client.post(f"/quizzes/{quiz_id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/quizzes/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))
