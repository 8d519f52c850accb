"""The report pages over 100,000 trainees and 1,000,000 quiz responses, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/bench_reports.py                       # SQLite (a file in a temporary folder)
    LMS_BENCH_DATABASE_URL=sqlite:////tmp/bench_reports.sqlite3 .venv/bin/python benchmarks/bench_reports.py
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/lms_reports_bench \
        .venv/bin/python benchmarks/bench_reports.py

Builds a fresh database (migrations to head), generates the data with bulk inserts (executemany on SQLite, COPY
on PostgreSQL), signs an administrator in and requests every report page through the Flask test client. Prints,
per page, the server time of each run (median and slowest of LMS_BENCH_RUNS, after one warm-up request) and the
number of SQL statements the page sent. The goal is at most 500 ms a page. Also prints how long taking the
reports' snapshot takes (``lms reports refresh``, run from cron and by the refresh button; not a page view).

Options by environment: LMS_BENCH_TRAINEES (100000), LMS_BENCH_RESPONSES (1000000), LMS_BENCH_RUNS (5).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRAINEES = int(os.environ.get("LMS_BENCH_TRAINEES", "100000"))
RESPONSES = int(os.environ.get("LMS_BENCH_RESPONSES", "1000000"))
RUNS = int(os.environ.get("LMS_BENCH_RUNS", "5"))
QUESTIONS_PER_ATTEMPT = 10
COURSES = 6
LESSONS = 6
TRACKS = {"bench-foundation": ([0, 1, 2], 60), "bench-advanced": ([3, 4], 70)}  # course 5 is in no track
COHORTS = 12
PREFECTURES = [f"{n:02d}" for n in range(1, 48)]
ORGANISATIONS = ["JPO", "INPIT", "SME Agency", "JCCI", "Patent attorney office", "Regional bank",
                 "Regional support centre", None]
HASH = "0" * 64
NOW = datetime.now(UTC)
PASSWORD = "Bench-Password-2026"  # noqa: S105 - a throw-away benchmark account


class Loader:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite (values already in each driver's form)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def ts(self, value: datetime | None) -> Any:
        if value is None or self.postgres:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")

    def boolean(self, value: bool) -> Any:
        return value if self.postgres else int(value)

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        raw = self.engine.raw_connection()
        count = 0
        try:
            cursor = raw.cursor()
            if self.postgres:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                cursor.execute("BEGIN")
                batch: list[Sequence[Any]] = []
                placeholders = ", ".join("?" * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - our names
                for row in rows:
                    batch.append(row)
                    if len(batch) == 50_000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                cursor.executemany(sql, batch)
                count += len(batch)
                cursor.execute("COMMIT")
            raw.commit()
        finally:
            raw.close()
        return count


def fresh_database() -> tuple[str, tempfile.TemporaryDirectory | None]:
    from tests.helpers import recreate_database

    url = os.environ.get("LMS_BENCH_DATABASE_URL")
    if not url:
        tmp = tempfile.TemporaryDirectory()
        return f"sqlite:///{tmp.name}/bench.sqlite3", tmp
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return url, None
    recreate_database(url)
    return url, None


def structure() -> dict[str, Any]:
    """Courses, lessons, quizzes, a bank of questions, tracks and cohorts, through the models."""
    from lms.certification.models import Track, TrackCourse
    from lms.core.db import db
    from lms.curriculum.models import Cohort, Course, Lesson, Level
    from lms.practicum.models import Practicum
    from lms.quizzes.models import Bank, GradingMethod, Question, QuestionVersion, Quiz, QuizKind, ReviewPolicy

    courses = []
    for c in range(COURSES):
        course = Course(slug=f"bench-{c}", title={"en": f"Benchmark course {c}", "ja": f"計測用講座{c}"},
                        level=Level.FOUNDATION, estimated_hours=2, owners=["instructor@bench.example.org"],
                        content_hash=HASH)
        course.lessons = [Lesson(key=f"{n:02d}-l", slug=f"l{n}", number=n, minutes=10, content_hash=HASH)
                          for n in range(1, LESSONS + 1)]
        db.session.add(course)
        courses.append(course)
    db.session.flush()
    bank = Bank(id="bench-bank", title={"en": "Bench", "ja": "計測"}, content_hash=HASH)
    db.session.add(bank)
    versions = []
    for q in range(QUESTIONS_PER_ATTEMPT):
        db.session.add(Question(id=f"bench-q{q}", bank_id=bank.id, type="single_choice", position=q))
        version = QuestionVersion(question_id=f"bench-q{q}", version=1, content_hash=HASH,
                                  definition={"type": "single_choice"})
        db.session.add(version)
        versions.append(version)
    quizzes = []
    for i, course in enumerate(courses):
        for kind, quiz_id, lesson in ((QuizKind.FINAL, f"bench-final-{i}", None),
                                      (QuizKind.LESSON, f"bench-lesson-{i}", course.lessons[0].id)):
            grading = [GradingMethod.HIGHEST, GradingMethod.LAST, GradingMethod.AVERAGE][i % 3]
            db.session.add(Quiz(id=quiz_id, course_id=course.id, lesson_id=lesson, kind=kind,
                                title={"en": quiz_id, "ja": quiz_id}, pools=[], grading=grading, pass_mark=60,
                                review=ReviewPolicy.AFTER_ATTEMPT, content_hash=HASH))
            quizzes.append((quiz_id, course.id))
    for track_id, (indexes, score) in TRACKS.items():
        track = Track(id=track_id, name_en=track_id, name_ja=track_id, summary_html_en="", summary_html_ja="",
                      serial_prefix=track_id[-3:].upper(), validity_years=3, renewal_ce_hours=None,
                      renewal_refresher_course=None, practicum_required=True, content_hash=HASH)
        track.required_courses = [TrackCourse(course_slug=f"bench-{i}", final_exam=f"bench-final-{i}",
                                              min_score=score, position=p) for p, i in enumerate(indexes)]
        db.session.add(track)
        db.session.add(Practicum(track_id=track_id, title_en="P", title_ja="P", brief_html_en="", brief_html_ja="",
                                 sections=[], rubric={}, content_hash=HASH))
    cohorts = [Cohort(name=f"Cohort {n}", starts_on=date(2025, 4, 1) + timedelta(days=30 * n),
                      ends_on=date(2026, 3, 31) + timedelta(days=30 * n)) for n in range(COHORTS)]
    db.session.add_all(cohorts)
    db.session.flush()
    result = {
        "courses": [(c.id, [lesson.id for lesson in c.lessons]) for c in courses],
        "quizzes": quizzes,
        "versions": [(v.question_id, v.id) for v in versions],
        "cohorts": [c.id for c in cohorts],
    }
    db.session.commit()
    return result


def generate(loader: Loader, shape: dict[str, Any], first_user_id: int) -> dict[str, int]:
    rng = random.Random(8)  # noqa: S311 - reproducible data
    users = range(first_user_id, first_user_id + TRAINEES)
    counts: dict[str, int] = {}
    counts["users"] = loader.load(
        "users", ("id", "email", "name_latin", "prefecture_code", "organisation", "password_hash", "session_token",
                  "active", "failed_logins", "created_at"),
        ((u, f"t{u}@bench.example.org", f"Trainee {u}", rng.choice([*PREFECTURES, None]),
          rng.choice(ORGANISATIONS), "x", f"s{u}", loader.boolean(True), 0, loader.ts(NOW)) for u in users))
    enrolments: list[tuple[int, int, list[int]]] = []
    for u in users:
        for course_id, lessons in rng.sample(shape["courses"], rng.choice((1, 1, 2, 3))):
            enrolments.append((u, course_id, lessons))
    counts["enrolments"] = loader.load(
        "enrolments", ("user_id", "course_id", "cohort_id", "enrolled_at"),
        ((u, c, rng.choice([*shape["cohorts"], None]), loader.ts(NOW - timedelta(days=rng.randint(0, 700))))
         for u, c, _ in enrolments))
    counts["lesson_completions"] = loader.load(
        "lesson_completions", ("user_id", "lesson_id", "version", "content_hash", "completed_at"),
        ((u, lesson, 1, HASH, loader.ts(NOW)) for u, _, lessons in enrolments
         for lesson in lessons[:rng.choice((0, 2, 4, LESSONS, LESSONS, LESSONS))]))
    finals = {course: quiz for quiz, course in shape["quizzes"] if quiz.startswith("bench-final")}
    lesson_quizzes = {course: quiz for quiz, course in shape["quizzes"] if quiz.startswith("bench-lesson")}
    attempts: dict[tuple[int, str], int] = {}
    attempt_rows = []
    for attempt_id in range(1, RESPONSES // QUESTIONS_PER_ATTEMPT + 1):
        u, course, _ = rng.choice(enrolments)
        quiz = finals[course] if rng.random() < 0.7 else lesson_quizzes[course]
        number = attempts[(u, quiz)] = attempts.get((u, quiz), 0) + 1
        percent = float(rng.choice(range(0, 101, 10)))
        attempt_rows.append((attempt_id, quiz, u, number, "graded", attempt_id, HASH, loader.ts(NOW),
                             loader.ts(NOW), loader.ts(NOW), percent / 10, 10.0, percent))
    counts["quiz_attempts"] = loader.load(
        "quiz_attempts", ("id", "quiz_id", "user_id", "number", "status", "seed", "quiz_hash", "started_at",
                          "submitted_at", "graded_at", "points", "max_points", "percent"), attempt_rows)
    counts["quiz_responses"] = loader.load(
        "quiz_responses", ("attempt_id", "position", "question_id", "version_id", "layout", "answer", "max_points",
                           "fraction", "points", "summary"),
        ((a[0], p + 1, q, v, "{}", '"a"', 1.0, f := float(rng.random() < 0.6), f, "a" if f else "b")
         for a in attempt_rows for p, (q, v) in enumerate(shape["versions"])))
    tracks = list(TRACKS)
    sample = rng.sample(list(users), TRAINEES // 5)
    counts["practicum_reports"] = loader.load(
        "practicum_reports", ("track_id", "author_id", "status", "draft", "created_at", "revision"),
        ((rng.choice(tracks), u, rng.choice(["passed", "passed", "failed", "submitted"]), "{}", loader.ts(NOW), 1)
         for u in sample[: TRAINEES // 7]))
    certified = sample[: TRAINEES // 10]
    valid_until = {u: NOW + timedelta(days=rng.randint(-200, 1000)) for u in certified}
    counts["certificates"] = loader.load(
        "certificates", ("public_id", "user_id", "track_id", "holder_name_latin", "state", "requested_at",
                         "issued_at", "valid_from", "valid_until"),
        ((f"bench{u}", u, rng.choice(tracks), f"Trainee {u}", "issued", loader.ts(NOW), loader.ts(NOW),
          loader.ts(NOW), loader.ts(valid_until[u])) for u in certified))
    profiles = [u for u in certified if rng.random() < 0.8]
    counts["roster_profiles"] = loader.load(
        "roster_profiles", ("user_id", "display_name_latin", "sort_name", "organisation", "on_site", "bio_md",
                            "bio_html", "consented_at", "certified_until", "created_at", "updated_at"),
        ((u, f"Trainee {u}", f"trainee {u}", "other", loader.boolean(True), "", "",
          loader.ts(NOW) if rng.random() < 0.9 else None,
          loader.ts(valid_until[u]) if valid_until[u] > NOW else None, loader.ts(NOW), loader.ts(NOW))
         for u in profiles))
    # Served prefectures: weighted towards the big cities, so some prefectures stay gaps.
    weights = [30 if code in {"13", "27", "14", "23"} else (0 if code in {"32", "39", "47"} else 2)
               for code in PREFECTURES]
    counts["roster_profile_prefectures"] = loader.load(
        "roster_profile_prefectures", ("user_id", "prefecture_code"),
        ((u, code) for u in profiles for code in set(rng.choices(PREFECTURES, weights, k=rng.randint(1, 3)))))
    return counts


def main() -> None:
    url, tmp = fresh_database()
    from flask_migrate import upgrade

    from lms import create_app
    from lms.accounts import operations
    from lms.core.access import Role
    from lms.core.db import db, utcnow
    from lms.reports import operations as reports

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret-key-benchmark-secret-key",
                      "WTF_CSRF_ENABLED": False, "LMS_FAST_PASSWORD_HASH": True, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        admin = operations.register_user(email="admin@bench.example.org", password=PASSWORD,
                                         roles=(Role.ADMINISTRATOR,), name_latin="Bench Admin")
        operations.register_user(email="instructor@bench.example.org", password=PASSWORD,
                                 roles=(Role.INSTRUCTOR,), name_latin="Bench Instructor")
        db.session.commit()
        admin_id = admin.id
        shape = structure()
        db.session.close()
        started = time.perf_counter()
        counts = generate(Loader(db.engine), shape, first_user_id=admin_id + 10)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        print(f"{db.engine.dialect.name}: generated in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        for _ in range(2):
            refreshed = reports.refresh(utcnow())
            db.session.commit()
            print(f"snapshot (lms reports refresh) taken in {refreshed.seconds * 1000:.0f} ms")
        course_id = shape["courses"][0][0]
        cohort = shape["cohorts"][0]

    pages = {
        "admin": ["/reports/pipeline?by=track", "/reports/pipeline?by=prefecture", "/reports/pipeline?by=organisation",
                  "/reports/pipeline?by=cohort", "/reports/pipeline?by=cohort&track=bench-foundation&from=2025-06-01",
                  "/reports/pipeline.csv?by=prefecture", "/reports/coverage", "/reports/coverage.csv",
                  "/reports/courses", f"/reports/courses?cohort={cohort}", "/reports/courses.csv",
                  f"/reports/courses/{course_id}", f"/reports/courses/{course_id}/quizzes.csv"],
        "instructor": ["/reports/courses", f"/reports/courses/{course_id}"],
    }
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    worst = 0.0
    for who, paths in pages.items():
        client = app.test_client()
        response = client.post("/login", data={"email": f"{who}@bench.example.org", "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        for path in paths:
            assert client.get(path).status_code == 200, path  # warm-up (statement caches)
            times = []
            for _ in range(RUNS):
                statements.clear()
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, path
            worst = max(worst, *times)
            print(f"{who:10} {path:70} median {statistics.median(times):6.0f} ms  slowest {max(times):6.0f} ms  "
                  f"{len(statements)} statements")
    print(f"slowest page: {worst:.0f} ms (goal: at most 500 ms)")
    with app.app_context():
        db.engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
