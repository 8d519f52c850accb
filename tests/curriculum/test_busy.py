"""Two workers, one SQLite file: a lesson page is served even when its bookmark cannot be written."""

import sqlite3

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from lms import create_app
from lms.accounts import operations as accounts
from lms.core import content
from lms.core.db import db
from lms.curriculum import operations
from lms.curriculum.models import Enrolment
from tests.curriculum import helpers
from tests.helpers import PASSWORD, app_config


@pytest.mark.no_transaction
def test_lesson_page_survives_a_locked_database(tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single-writer lock; PostgreSQL locks rows and waits")
    path = tmp_path / "busy.sqlite3"
    app = create_app(app_config(f"sqlite:///{path}"))
    try:
        with app.app_context():
            upgrade()
            content.sync(helpers.FIXTURES)
            user = accounts.register_user(email="busy@example.org", password=PASSWORD, name_latin="Busy")
            operations.enrol(user, db.session.scalar(sa.select(operations.Course)), actor_id=user.id)
            db.session.commit()
        client = app.test_client()
        assert client.post("/login", data={"email": "busy@example.org", "password": PASSWORD}).status_code == 302
        assert client.get("/courses/sample/01-first-steps").status_code == 200
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        other.execute("BEGIN IMMEDIATE")  # another worker is writing
        try:
            response = client.get("/courses/sample/02-trade-secrets")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert response.status_code == 200
        assert "Trade secrets" in response.get_data(as_text=True)
        with app.app_context():
            enrolment = db.session.scalar(sa.select(Enrolment))
            assert enrolment.last_lesson_id == helpers.lesson("01-first-steps").id
    finally:
        with app.app_context():
            db.engine.dispose()
