from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from lms.core import content
from lms.core.db import db
from lms.curriculum.models import Course, Lesson, Level

CONTENT = Path(__file__).resolve().parent / "content"


def ensure_sample_course() -> None:
    """The sample course comes from tests/quizzes/content/courses through the curriculum's "courses" source;
    while that source is not registered, the same course and lesson are created directly."""
    if any(source.name == "courses" for source in content.sources()):
        return
    course = Course(slug="sample-course", title={"en": "Sample course", "ja": "サンプル講座"},
                    level=Level.FOUNDATION, estimated_hours=1, owners=["owner@example.org"], content_hash="0" * 64)
    course.lessons.append(Lesson(key="01-basics", slug="basics", number=1, minutes=10, quiz_id="sample-01",
                                 content_hash="0" * 64))
    db.session.add(course)
    db.session.flush()


@pytest.fixture
def synced(app):
    """The sample course, bank and quizzes, loaded through the real content sync."""
    ensure_sample_course()
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
