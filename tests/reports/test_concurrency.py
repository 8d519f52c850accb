"""Refreshes at once (a double click, cron meeting the button): they wait for each other, none fails, no row twice."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.core.db import db, utcnow
from lms.reports import operations
from lms.reports.models import CourseRow, PipelineRow, QuizGrade
from tests.helpers import own_database_app
from tests.reports.conftest import World

pytestmark = [
    pytest.mark.no_transaction,
    pytest.mark.skipif(not os.environ.get("LMS_TEST_DATABASE_URL"), reason="concurrency is proven on PostgreSQL"),
]

THREADS = 6


@pytest.fixture(scope="module")
def own_app(tmp_path_factory, database_url) -> Iterator[Flask]:
    with own_database_app(database_url, "reportsconcurrency", tmp_path_factory.mktemp("reportsconcurrency")) as app:
        with app.app_context():
            world = World()
            world.course("c1", [])
            world.quiz("f1", "c1")
            world.track("fnd", [("c1", "f1", 60)])
            for n in range(30):
                world.trainee(enrol=("c1",), complete=("c1",) if n % 2 else (), attempts={"f1": [50 + n]})
            db.session.commit()
        yield app


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (PipelineRow, CourseRow,
                                                                                            QuizGrade))


def test_refreshes_at_once_wait_for_each_other(own_app):
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def refresh() -> None:
        with own_app.app_context():
            try:
                start.wait()
                operations.refresh(utcnow())
                db.session.commit()
            except BaseException as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=refresh) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with own_app.app_context():
        assert counts() == (30, 30, 30)
