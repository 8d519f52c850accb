"""2,000 trainees submit a 20-question quiz at once: gunicorn with 4 workers, PostgreSQL.

Prints submissions per second, p50 and p99 latency, and the number of graded attempts in the database, which
must be exactly 2,000 (none lost, none doubled). With LMS_BENCH_REPEAT=2 every trainee submits twice at once (a
double click), and still exactly one graded attempt each must result.

    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/lms_quizzes_bench \
        .venv/bin/python benchmarks/bench_quiz_submit.py

Options by environment: LMS_BENCH_TRAINEES (2000), LMS_BENCH_CLIENTS (concurrent connections, 48),
LMS_BENCH_WORKERS (gunicorn workers, 4), LMS_BENCH_PORT (8765), LMS_BENCH_REPEAT (submissions per trainee, 1),
LMS_BENCH_GUNICORN_ARGS (more gunicorn arguments, e.g. "--threads 2").

It also prints the CPU time per request of the gunicorn workers, of their PostgreSQL backends and of this client
(from /proc): on a machine shared with other work, throughput follows the load, CPU per request much less.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("LMS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/lms_quizzes_bench")
TRAINEES = int(os.environ.get("LMS_BENCH_TRAINEES", "2000"))
CLIENTS = int(os.environ.get("LMS_BENCH_CLIENTS", "48"))
WORKERS = int(os.environ.get("LMS_BENCH_WORKERS", "4"))
PORT = int(os.environ.get("LMS_BENCH_PORT", "8765"))
#: Extra gunicorn arguments, e.g. "--threads 2" (split on white space).
GUNICORN_ARGS = os.environ.get("LMS_BENCH_GUNICORN_ARGS", "").split()
REPEAT = int(os.environ.get("LMS_BENCH_REPEAT", "1"))
QUESTIONS = 20
#: Trainees whose submissions warm up every gunicorn worker (imports, statement caches) before the clock starts.
WARMUP = 40
SECRET = secrets.token_urlsafe(48)


def write_content(root: Path) -> None:
    course = root / "courses" / "bench-course"
    course.mkdir(parents=True)
    (course / "course.md").write_text(textwrap.dedent("""\
        ---
        title: Benchmark course
        summary: A course for the submission benchmark.
        level: foundation
        objectives:
          - Survive a benchmark.
        prerequisites: []
        estimated_hours: 1
        owners: []
        ---
        Benchmark.
        """), encoding="utf-8")
    banks = root / "assessments" / "banks"
    quizzes = root / "assessments" / "quizzes"
    banks.mkdir(parents=True)
    quizzes.mkdir(parents=True)
    questions = []
    for n in range(QUESTIONS):
        questions.append(textwrap.dedent(f"""\
              - id: bench-{n}
                type: single_choice
                stem: {{en: "Question {n}", ja: "問{n}"}}
                options:
                  - {{id: a, text: {{en: Right, ja: 正}}, correct: true}}
                  - {{id: b, text: {{en: Wrong, ja: 誤}}}}
                  - {{id: c, text: {{en: Also wrong, ja: 誤り}}}}
                  - {{id: d, text: {{en: Wrong again, ja: 誤答}}}}
                explanation: {{en: Because., ja: 理由。}}
                objective: {{en: Benchmark., ja: ベンチマーク。}}
                source: benchmark
            """))
    (banks / "bench.yml").write_text("bank: bench\ntitle: {en: Bench, ja: ベンチ}\nquestions:\n" + "".join(questions),
                                     encoding="utf-8")
    (quizzes / "bench-course.yml").write_text(textwrap.dedent("""\
        course: bench-course
        quizzes:
          - id: bench-final
            kind: final
            title: {en: Benchmark exam, ja: ベンチマーク試験}
            pools:
              - bank: bench
            attempts: 1
            pass_mark: 50
        """), encoding="utf-8")


def prepare(content_root: Path) -> tuple[str, list[tuple[int, str, str]]]:
    """Migrate, sync, create the trainees and their open attempts (answers saved); return cookies and tokens."""
    from flask import g, session
    from flask_login import login_user
    from flask_migrate import upgrade
    from flask_wtf.csrf import generate_csrf

    from lms import create_app
    from lms.accounts import passwords
    from lms.accounts.models import User, UserRole
    from lms.core import content
    from lms.core.access import Role
    from lms.core.db import db
    from lms.curriculum.models import Course, Level
    from lms.quizzes import operations
    from lms.quizzes.models import Response

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LMS_CONTENT_ROOT": str(content_root)}
    )
    with app.app_context():
        upgrade()
        if not any(source.name == "courses" for source in content.sources()):
            db.session.add(Course(slug="bench-course", title={"en": "Benchmark course"}, level=Level.FOUNDATION,
                                  estimated_hours=1, owners=[], content_hash="0" * 64))
            db.session.flush()
        content.sync(content_root)
        db.session.commit()
        password_hash = passwords.hash_password("Bench-Password-2026!")
        users = [User(email=f"bench{n}@example.org", name_latin=f"Bench {n}", password_hash=password_hash,
                      role_rows=[UserRole(role=Role.TRAINEE)]) for n in range(TRAINEES + WARMUP)]
        db.session.add_all(users)
        db.session.commit()
        sessions = []
        serializer = app.session_interface.get_signing_serializer(app)
        for user in users:
            attempt = operations.start_attempt(user.id, "bench-final")
            for i, response in enumerate(attempt.responses):
                response.answer = "a" if i % 4 else "b"  # 75 %
            # The session a real sign-in leaves, for the address the benchmark's requests come from.
            with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
                g.pop("csrf_token", None)  # generate_csrf caches the token per app context
                login_user(user)
                token = generate_csrf()
                cookie = serializer.dumps(dict(session))
            sessions.append((attempt.id, cookie, token))
        db.session.commit()
        answered = db.session.scalar(
            sa.select(sa.func.count()).select_from(Response).where(Response.answer.is_not(None))
        )
        assert answered == (TRAINEES + WARMUP) * QUESTIONS
    return app.config["SESSION_COOKIE_NAME"], sessions


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc), 0 for any that has gone."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(server_pid: int) -> tuple[list[int], list[int]]:
    """The gunicorn workers, and the PostgreSQL backends serving them (one per worker once warmed up)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    engine = sa.create_engine(DATABASE_URL)
    with engine.connect() as conn:
        backends = conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND pid <> pg_backend_pid()")).scalars().all()
    engine.dispose()
    return workers, list(backends)


def submit(cookie_name: str, attempt_id: int, cookie: str, token: str) -> tuple[float, int]:
    body = f"csrf_token={token}"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request("POST", f"/quizzes/attempts/{attempt_id}/submit", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{cookie_name}={cookie}",
        "Referer": f"http://127.0.0.1:{PORT}/quizzes/attempts/{attempt_id}",
    })
    status = conn.getresponse().status
    conn.close()
    return time.perf_counter() - started, status


@dataclass
class Run:
    jobs: int
    elapsed: float
    latencies: list[float]
    statuses: dict[int, int]
    #: CPU seconds of the gunicorn workers, their PostgreSQL backends and this client while the clock ran.
    cpu: list[float]


def serve_and_submit(cookie_name: str, sessions: list[tuple[int, str, str]]) -> Run:
    env = {**os.environ, "LMS_DATABASE_URL": DATABASE_URL, "LMS_SECRET_KEY": SECRET, "LMS_ENV": "production",
           "LMS_HSTS": "0"}
    server = subprocess.Popen(  # noqa: S603 - our own fixed command
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}",
         "--log-level", "warning", *GUNICORN_ARGS, "lms:create_app()"],
        cwd=ROOT, env=env,
    )
    try:
        wait_for_port(PORT)
        warmup, sessions = sessions[:WARMUP], sessions[WARMUP:]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda job: submit(cookie_name, *job), warmup))
        # With REPEAT=2 every trainee submits twice at once (a double click): still one graded attempt each.
        jobs = [s for s in sessions for _ in range(REPEAT)]
        lock = threading.Lock()
        latencies: list[float] = []
        statuses: dict[int, int] = {}

        def one(job: tuple[int, str, str]) -> None:
            latency, status = submit(cookie_name, *job)
            with lock:
                latencies.append(latency)
                statuses[status] = statuses.get(status, 0) + 1

        workers, backends = server_pids(server.pid)
        cpu_before = cpu_seconds(workers), cpu_seconds(backends), time.process_time()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(one, jobs))
        elapsed = time.perf_counter() - started
        cpu_after = cpu_seconds(workers), cpu_seconds(backends), time.process_time()
    finally:
        server.terminate()
        server.wait(timeout=30)
    cpu = [after - before for after, before in zip(cpu_after, cpu_before, strict=True)]
    return Run(len(jobs), elapsed, sorted(latencies), statuses, cpu)


def main() -> None:
    from tests.helpers import recreate_database

    load_before = os.getloadavg()[0]
    recreate_database(DATABASE_URL)
    with tempfile.TemporaryDirectory() as tmp:
        content_root = Path(tmp)
        write_content(content_root)
        print(f"preparing {TRAINEES} trainees with open attempts of a {QUESTIONS}-question quiz ...", flush=True)
        cookie_name, sessions = prepare(content_root)
    run = serve_and_submit(cookie_name, sessions)
    engine = sa.create_engine(DATABASE_URL)
    with engine.connect() as conn:
        measured = {"ids": [job[0] for job in sessions[WARMUP:]]}
        graded = conn.execute(sa.text("SELECT count(*) FROM quiz_attempts WHERE status = 'graded' "
                                      "AND id = ANY(:ids)"), measured).scalar_one()
        avg = conn.execute(sa.text("SELECT avg(percent) FROM quiz_attempts WHERE status = 'graded' "
                                   "AND id = ANY(:ids)"), measured).scalar_one()
        submits = conn.execute(sa.text("SELECT count(*) FROM audit_entries WHERE action = 'quiz.attempt.submit' "
                                       "AND subject_id = ANY(:ids)"),
                               {"ids": [str(i) for i in measured["ids"]]}).scalar_one()
    engine.dispose()
    print(f"requests: {run.jobs} ({TRAINEES} trainees x {REPEAT}), {CLIENTS} concurrent clients, "
          f"gunicorn {WORKERS} workers")
    print(f"HTTP statuses: {dict(sorted(run.statuses.items()))}")
    print(f"elapsed: {run.elapsed:.2f} s")
    print(f"graded submissions per second: {TRAINEES / run.elapsed:.0f} "
          f"(requests per second: {run.jobs / run.elapsed:.0f})")
    print(f"latency p50: {statistics.median(run.latencies) * 1000:.1f} ms, "
          f"p99: {run.latencies[int(len(run.latencies) * 0.99) - 1] * 1000:.1f} ms")
    app_ms, db_ms, client_ms = (seconds * 1000 / run.jobs for seconds in run.cpu)
    print(f"CPU per request: gunicorn workers {app_ms:.2f} ms, PostgreSQL backends {db_ms:.2f} ms, "
          f"benchmark client {client_ms:.2f} ms ({os.cpu_count()} cores; load average {load_before:.2f} before "
          f"the run, {os.getloadavg()[0]:.2f} after)")
    print(f"graded attempts in the database: {graded} (expected {TRAINEES}); submit audit entries: {submits}; "
          f"average grade {float(avg or 0):.1f}%")
    if graded != TRAINEES or submits != TRAINEES or run.statuses.get(302) != run.jobs:
        raise SystemExit("FAILED: graded attempts are not exactly one per trainee")


if __name__ == "__main__":
    main()
