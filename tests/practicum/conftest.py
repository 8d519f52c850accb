"""Practicum fixtures: the sample track under tests/practicum/content, graders, and a storage folder per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from lms.core.access import Role
from lms.core.db import db
from lms.practicum import operations
from tests.practicum.helpers import SAMPLE_ROOT, sync_sample


@pytest.fixture
def storage(app, tmp_path: Path) -> Iterator[Path]:
    before = app.config["LMS_STORAGE_DIR"]
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "storage")
    yield tmp_path / "storage"
    app.config["LMS_STORAGE_DIR"] = before


@pytest.fixture
def sample(app, make_user, storage):
    """The sample track synced, a trainee, two graders of the track, an instructor outside it, an administrator."""
    sync_sample(SAMPLE_ROOT)
    admin = make_user(Role.ADMINISTRATOR, email="admin@practicum.example.org")
    grader = make_user(Role.INSTRUCTOR, email="grader@practicum.example.org", prefecture_code="01")
    second = make_user(Role.INSTRUCTOR, email="second@practicum.example.org")
    outsider = make_user(Role.INSTRUCTOR, email="outsider@practicum.example.org")
    trainee = make_user(Role.TRAINEE, email="trainee@practicum.example.org", prefecture_code="23",
                        name_latin="Hanako Sato")
    other = make_user(Role.TRAINEE, email="other@practicum.example.org")
    for user in (grader, second):
        operations.assign_grader("sample-track", user, actor_id=admin.id)
    db.session.commit()
    return SimpleNamespace(admin=admin, grader=grader, second=second, outsider=outsider, trainee=trainee,
                           other=other, track="sample-track")
