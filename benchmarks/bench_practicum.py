"""Practicum timings on a scratch SQLite database: autosave round trips, and the graders' queue with many reports.

Run: .venv/bin/python benchmarks/bench_practicum.py   (or `make bench`)
Prints the median time of an autosave request, and the time and SQL statement count of the queue page with 1
and with 200 waiting reports (the count must not grow with the number of reports).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app
from lms.accounts import operations as accounts
from lms.core.access import Role
from lms.core.db import db
from lms.practicum import operations
from lms.practicum.models import Practicum
from tests.helpers import PASSWORD, app_config
from tests.practicum.helpers import GOOD_TEXTS, sync_sample

TRACK = "sample-track"


def _queue(client, app) -> tuple[float, int]:
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    start = time.perf_counter()
    response = client.get("/practicum/queue")
    elapsed = time.perf_counter() - start
    with app.app_context():
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return elapsed, len(statements)


def _submit_for(app, n: int) -> None:
    with app.app_context():
        practicum = db.session.get(Practicum, TRACK)
        for i in range(n):
            user = accounts.register_user(email=f"bench{time.time_ns()}-{i}@example.org", password=PASSWORD,
                                          name_latin=f"Bench {i}", prefecture_code=f"{i % 47 + 1:02d}")
            report = operations.start_report(user, practicum)
            operations.save_draft(report, practicum, GOOD_TEXTS)
            operations.submit(report, practicum, actor_id=user.id, max_submissions=3)
        db.session.commit()


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app(app_config(f"sqlite:///{folder / 'bench.sqlite3'}", LMS_STORAGE_DIR=str(folder / "storage")))
    with app.app_context():
        upgrade()
        sync_sample()
        admin = accounts.register_user(email="admin@bench.example.org", password=PASSWORD, name_latin="Admin",
                                       roles=(Role.ADMINISTRATOR,))
        trainee = accounts.register_user(email="trainee@bench.example.org", password=PASSWORD, name_latin="T")
        db.session.commit()
        admin_email, trainee_email = admin.email, trainee.email

    client = app.test_client()
    client.post("/login", data={"email": trainee_email, "password": PASSWORD})
    times = []
    revision = None
    for i in range(50):
        start = time.perf_counter()
        response = client.post(f"/practicum/{TRACK}/report/autosave",
                               json={"sections": {"profile": "x" * 2000 + str(i)}, "revision": revision})
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_data(as_text=True)
        revision = response.get_json()["revision"]
    print(f"autosave: median {statistics.median(times) * 1000:.1f} ms over {len(times)} requests")
    client.post("/logout")

    client.post("/login", data={"email": admin_email, "password": PASSWORD})
    _submit_for(app, 1)
    one_time, one_count = _queue(client, app)
    _submit_for(app, 199)
    many_time, many_count = _queue(client, app)
    print(f"queue, 1 report: {one_time * 1000:.1f} ms, {one_count} SQL statements")
    print(f"queue, 200 reports: {many_time * 1000:.1f} ms, {many_count} SQL statements")
    assert many_count == one_count, "the queue page issues a query per report"


if __name__ == "__main__":
    main()
