"""Item statistics and results on a million responses (50,000 graded attempts of a 20-question quiz), PostgreSQL.

    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/lms_quizzes_stats \
        .venv/bin/python benchmarks/bench_item_statistics.py

Rows are generated in SQL (generate_series); the figures printed are the time of the pages' SQL aggregates.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import bench_quiz_submit as submit_bench  # noqa: E402

DATABASE_URL = os.environ.get("LMS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/lms_quizzes_stats")
ATTEMPTS = int(os.environ.get("LMS_BENCH_ATTEMPTS", "50000"))


def main() -> None:
    submit_bench.DATABASE_URL = DATABASE_URL
    submit_bench.fresh_database()
    from flask_migrate import upgrade

    from lms import create_app
    from lms.core import content
    from lms.core.db import db
    from lms.quizzes import stats
    from lms.quizzes.models import Quiz

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        submit_bench.write_content(root)
        app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "LMS_CONTENT_ROOT": str(root)})
        with app.app_context():
            upgrade()
            content.sync(root)
            db.session.commit()
    with app.app_context():
        started = time.perf_counter()
        db.session.execute(sa.text(
            "INSERT INTO users (email, name_latin, password_hash, session_token, active, failed_logins, created_at) "
            "SELECT 'stats' || n || '@example.org', 'Stats ' || n, 'x', md5(n::text), true, 0, now() "
            "FROM generate_series(1, :n) AS n"), {"n": ATTEMPTS})
        db.session.execute(sa.text(
            "INSERT INTO quiz_attempts (quiz_id, user_id, number, status, seed, quiz_hash, started_at, "
            "submitted_at, graded_at, points, max_points, percent) "
            "SELECT 'bench-final', u.id, 1, 'graded', u.id, '', now(), now(), now(), 0, 20, 0 FROM users u"))
        # Each response right with a probability that grows with the trainee's ability and falls with the item.
        db.session.execute(sa.text(
            "INSERT INTO quiz_responses (attempt_id, position, question_id, version_id, layout, answer, max_points, "
            "fraction, points, summary) "
            "SELECT a.id, v.n + 1, v.question_id, v.id, '{}', '\"a\"', 1, r.f, r.f, CASE WHEN r.f = 1 THEN 'a' "
            "ELSE 'b' END "
            "FROM quiz_attempts a "
            "CROSS JOIN (SELECT id, question_id, row_number() OVER (ORDER BY question_id) - 1 AS n "
            "            FROM quiz_question_versions) v "
            "CROSS JOIN LATERAL (SELECT CASE WHEN random() < ((a.user_id % 100) / 100.0 + 0.5 - v.n / 40.0) "
            "                    THEN 1.0 ELSE 0.0 END AS f) r"))
        db.session.execute(sa.text(
            "UPDATE quiz_attempts a SET points = s.p, percent = s.p * 5 "
            "FROM (SELECT attempt_id, sum(points) AS p FROM quiz_responses GROUP BY attempt_id) s "
            "WHERE s.attempt_id = a.id"))
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        count = db.session.scalar(sa.text("SELECT count(*) FROM quiz_responses"))
        print(f"generated {count:,} responses of {ATTEMPTS:,} attempts in {time.perf_counter() - started:.1f} s")
        for _ in range(2):  # the second run is the warm one a page would see
            started = time.perf_counter()
            items = stats.item_statistics("bench-final")
            item_seconds = time.perf_counter() - started
        started = time.perf_counter()
        quiz = db.session.get(Quiz, "bench-final")
        rows = stats.results(quiz, None)
        result_seconds = time.perf_counter() - started
        print(f"item statistics of {len(items)} questions: {item_seconds * 1000:.0f} ms")
        print(f"results of {len(rows):,} trainees: {result_seconds * 1000:.0f} ms")
        first, last = items[0], items[-1]
        print(f"e.g. {first.question_id}: facility {first.stats.facility:.2f}, discrimination "
              f"{first.stats.discrimination:.2f}; {last.question_id}: facility {last.stats.facility:.2f}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
