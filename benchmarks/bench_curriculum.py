"""Curriculum benchmark: sync of 100 generated courses x 20 lessons x 2 languages (first run, then no change),
and the lesson page's requests per second under gunicorn beside a bare one-query page. Prints the figures.

Run: .venv/bin/python benchmarks/bench_curriculum.py   (SQLite in a temporary folder; set BENCH_DATABASE_URL
to use another database). Goals: first sync <= 10 s, no-change sync <= 1 s, lesson page >= 60% of the bare page.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COURSES, LESSONS = 100, 20
SECONDS = 5
CLIENTS = 4


def generate(root: Path) -> None:
    body_en = "## Section {n}\n\nPatent terms run twenty years from filing. See [the next lesson]({next}).\n\n" * 6
    body_ja = "## 節 {n}\n\n特許権の存続期間は出願日から20年です。[次のレッスン]({next})も読んでください。\n\n" * 6
    for c in range(COURSES):
        folder = root / "courses" / f"course-{c:03d}"
        folder.mkdir(parents=True)
        (folder / "course.md").write_text(
            f"---\ntitle: Course {c}\nsummary: Generated.\nlevel: foundation\nobjectives: [Learn.]\n"
            f"estimated_hours: 3\n---\nOverview of course {c}.\n"
        )
        (folder / "course.ja.md").write_text(
            f"---\ntitle: 講座 {c}\nsummary: 生成。\nobjectives: [学ぶ。]\n---\n概要。\n"
        )
        for n in range(1, LESSONS + 1):
            nxt = f"{n % LESSONS + 1:02d}-lesson-{n % LESSONS + 1}.md"
            (folder / f"{n:02d}-lesson-{n}.md").write_text(
                f"---\ntitle: Lesson {n}\nobjectives: [Know {n}.]\nminutes: 10\nsources:\n"
                f"  - title: JPO\n    url: https://www.jpo.go.jp/\n---\n" + body_en.format(n=n, next=nxt)
            )
            (folder / f"{n:02d}-lesson-{n}.ja.md").write_text(
                f"---\ntitle: レッスン {n}\nobjectives: [{n} を知る。]\n---\n" + body_ja.format(n=n, next=nxt)
            )


def measure_sync(url: str, root: Path) -> tuple[float, float]:
    os.environ["BENCH_DATABASE_URL"] = url
    from flask_migrate import upgrade

    from benchmarks.curriculum_app import app
    from lms.core import content
    from lms.core.db import db

    with app.app_context():
        upgrade()
        times = []
        for _ in range(2):
            start = time.perf_counter()
            changes = content.sync(root)
            db.session.commit()
            times.append(time.perf_counter() - start)
            print(f"  sync: {changes['courses'].summary()} in {times[-1]:.2f} s")
        from lms.accounts import operations as accounts
        from lms.curriculum import operations
        from lms.curriculum.models import Course

        user = accounts.register_user(email="bench@example.org", password="Bench-Password-42!", name_latin="Bench")  # noqa: S106
        course = db.session.scalar(db.select(Course).where(Course.slug == "course-050"))
        operations.enrol(user, course, actor_id=user.id)
        db.session.commit()
    return times[0], times[1]


def _login() -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    body = urllib.parse.urlencode({"email": "bench@example.org", "password": "Bench-Password-42!"})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookies = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    return "; ".join(cookies)


def rate(path: str, cookie: str) -> float:
    count = [0] * CLIENTS
    stop = time.perf_counter() + SECONDS

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path}: {response.status}")
            count[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(count) / SECONDS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = _free_port()


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-curriculum-"))
    try:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
        generate(tmp)
        print(f"== curriculum: {COURSES} courses x {LESSONS} lessons x 2 languages")
        first, again = measure_sync(url, tmp)
        print(f"first sync: {first:.2f} s (goal <= 10 s); no-change sync: {again:.2f} s (goal <= 1 s)")
        env = {**os.environ, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(  # noqa: S603 - our own fixed command
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning",
             "benchmarks.curriculum_app:app"],
            env=env, cwd=ROOT,
        )
        try:
            for _ in range(50):
                try:
                    http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.2)
            cookie = _login()
            lesson_path = "/courses/course-050/10-lesson-10"
            rate(lesson_path, cookie)  # warm up
            lesson = rate(lesson_path, cookie)
            bare = rate("/bench/bare", cookie)
        finally:
            server.terminate()
            server.wait()
        print(f"lesson page: {lesson:.0f} req/s; bare one-query page: {bare:.0f} req/s")
        print(f"ratio: {lesson / bare:.0%} (goal >= 60%)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
