"""Two app servers, two tabs, a double click: concurrent submissions and starts, each on its own connection,
against a database of their own (so nothing is left behind in the shared test database)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.accounts import operations as accounts
from lms.core import content
from lms.core.audit import AuditEntry
from lms.core.db import db
from lms.curriculum.models import Enrolment
from lms.quizzes import operations
from lms.quizzes.models import Attempt, AttemptStatus, Response
from tests.helpers import own_database_app
from tests.quizzes.conftest import CONTENT, ensure_sample_course

pytestmark = pytest.mark.no_transaction

THREADS = 8


@pytest.fixture(scope="module")
def own_app(tmp_path_factory, database_url) -> Iterator[Flask]:
    with own_database_app(database_url, "concurrency", tmp_path_factory.mktemp("concurrency")) as app:
        with app.app_context():
            ensure_sample_course()
            content.sync(CONTENT)
            db.session.commit()
        yield app


def _user(app: Flask, email: str) -> tuple[int, str]:
    with app.app_context():
        user = accounts.register_user(email=email, password="Correct-Horse-Battery-42", name_latin="Con Current")
        db.session.commit()
        return user.id, user.session_token


def _client(app: Flask, token: str):
    client = app.test_client()
    with client.session_transaction() as session:  # signed in as the user, without the rate-limited form
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def _all_at_once(app: Flask, token: str, method: str, url: str) -> list[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    clients = [_client(app, token) for _ in range(THREADS)]

    def run(client) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.open(url, method=method).status_code)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return statuses


@pytest.mark.skipif(not os.environ.get("LMS_TEST_DATABASE_URL"), reason="concurrency is proven on PostgreSQL")
def test_concurrent_submissions_grade_exactly_once(own_app):
    user_id, token = _user(own_app, "concurrent-submit@example.org")
    with own_app.app_context():
        attempt = operations.start_attempt(user_id, "sample-01")
        for response in attempt.responses:
            if response.question_id == "s-tf":
                response.answer = True
        db.session.commit()
        attempt_id = attempt.id
    statuses = _all_at_once(own_app, token, "POST", f"/quizzes/attempts/{attempt_id}/submit")
    assert statuses == [302] * THREADS
    with own_app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == AttemptStatus.GRADED
        assert attempt.points == 1.0
        submits = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry)
            .where(AuditEntry.action == "quiz.attempt.submit", AuditEntry.subject_id == str(attempt_id))
        )
        assert submits == 1
        graded = db.session.scalar(
            sa.select(sa.func.count()).select_from(Response)
            .where(Response.attempt_id == attempt_id, Response.fraction.is_not(None))
        )
        assert graded == len(attempt.responses)


@pytest.mark.skipif(not os.environ.get("LMS_TEST_DATABASE_URL"), reason="concurrency is proven on PostgreSQL")
def test_concurrent_starts_make_one_attempt(own_app):
    user_id, token = _user(own_app, "concurrent-start@example.org")
    statuses = _all_at_once(own_app, token, "POST", "/quizzes/sample-01/start")
    assert statuses == [302] * THREADS
    with own_app.app_context():
        attempts = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == user_id)).all()
        assert len(attempts) == 1
        assert attempts[0].status == AttemptStatus.OPEN
        enrolments = db.session.scalars(sa.select(Enrolment).where(Enrolment.user_id == user_id)).all()
        assert len(enrolments) == 1  # starting the quiz enrolled the trainee once, whatever the race
