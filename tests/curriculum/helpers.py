"""Sample content for the curriculum tests: copy the fixture courses to a folder and sync them."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from lms.core import content
from lms.core.db import db
from lms.curriculum.models import Course, Lesson

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_fixtures(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURES, root)
    return root


def sync(root: Path = FIXTURES):
    changes = content.sync(root)
    db.session.commit()
    return changes["courses"]


def course(slug: str = "sample") -> Course:
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def lesson(key: str, slug: str = "sample") -> Lesson:
    return db.session.scalar(sa.select(Lesson).join(Course).where(Course.slug == slug, Lesson.key == key))
