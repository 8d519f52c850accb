"""Refreshes at once (a double click, cron meeting the button): none fails, no row twice, and one asked for while
another runs takes that one's snapshot instead of computing it again."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.core.db import db, utcnow
from lms.reports import operations
from lms.reports.models import CourseRow, PipelineRow, QuizGrade, Refresh
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

    took: list[bool] = []

    def refresh() -> None:
        with own_app.app_context():
            try:
                start.wait()
                took.append(operations.refresh(utcnow())[1])
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
    assert errors == [] and len(took) == THREADS and any(took)
    with own_app.app_context():
        assert counts() == (30, 30, 30)


def test_a_refresh_asked_for_while_one_runs_takes_its_snapshot(own_app):
    """The running refresh is played by a transaction holding the snapshot's row; it commits a snapshot time."""
    taken = utcnow()
    with own_app.app_context():
        with db.engine.connect() as running:
            running.execute(sa.select(Refresh).where(Refresh.id == 1).with_for_update())
            result: list[tuple[datetime, bool]] = []

            def ask() -> None:
                with own_app.app_context():
                    row, took = operations.refresh(utcnow())
                    result.append((row.refreshed_at, took))
                    db.session.commit()
                    db.session.remove()

            asking = threading.Thread(target=ask)
            asking.start()
            asking.join(timeout=1)
            assert asking.is_alive()  # waiting for the running refresh, not computing beside it
            running.execute(sa.update(Refresh).where(Refresh.id == 1).values(refreshed_at=taken, seconds=1.5))
            running.commit()
            asking.join(timeout=10)
        assert result == [(taken, False)]
