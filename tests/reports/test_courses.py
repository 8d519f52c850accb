"""Course completion and pass rates, per-quiz pass rates; instructors see only the courses they own."""

from __future__ import annotations

import csv
import io

import pytest

from lms.reports import courses
from lms.reports.stages import Scope
from tests.reports.conftest import refresh


def learners(world):
    w = world
    w.trainee(enrol=("c1",), complete=("c1",), attempts={"f1": [50, 65], "l1": [60, 40]})
    w.trainee(enrol=("c1",), partly=("c1",), attempts={"f1": [59.99], "l1": [50]})
    w.trainee(enrol=("c1",), cohort="Spring 2026")
    w.trainee(enrol=("c3",), complete=("c3",), attempts={"f3": [90]})
    # Graded on f1 without being enrolled in c1 (cannot happen through the app, which enrols at the start):
    # not counted, the report is over the course's enrolled trainees.
    w.trainee(attempts={"f1": [100]})
    refresh()


def table(client, path):
    rows = list(csv.reader(io.StringIO(client.get(path).data.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def test_rates_per_course_and_per_quiz(world):
    learners(world)
    ids = [c.id for c in world.courses.values()]
    rows = {r.course_id: r for r in courses.course_table(ids, Scope())}
    c1, c3 = world.courses["c1"].id, world.courses["c3"].id
    assert (rows[c1].enrolled, rows[c1].completed, rows[c1].passed) == (3, 1, 1)
    assert (rows[c3].enrolled, rows[c3].completed, rows[c3].passed) == (1, 1, 1)
    assert world.courses["c2"].id not in rows  # nobody enrolled
    spring = world.cohorts["Spring 2026"].id
    assert [(r.enrolled, r.completed, r.passed) for r in courses.course_table([c1], Scope(cohort_id=spring))] == [
        (1, 0, 0)]

    quizzes = {q.quiz_id: q for q in courses.quiz_table(c1, Scope())}
    # f1 by highest: 65 passes 60, 59.99 does not. l1 by last attempt: 40 fails 50, 50 passes.
    assert (quizzes["f1"].graded, quizzes["f1"].passed, quizzes["f1"].attempts) == (2, 1, 3)
    assert quizzes["f1"].mean_grade == pytest.approx((65 + 59.99) / 2)
    assert (quizzes["l1"].graded, quizzes["l1"].passed, quizzes["l1"].attempts) == (2, 1, 3)
    assert courses.rate(1, 3) == pytest.approx(33.333, rel=1e-3) and courses.rate(None, 3) is None
    assert courses.rate(0, 0) is None


def test_an_instructor_sees_only_the_courses_they_own(client, login, world, instructors):
    learners(world)
    one, _two = instructors
    login(one)
    page = client.get("/reports/courses").get_data(as_text=True)
    assert "Course c1" in page and "Course c2" in page and "Course c3" not in page
    rows = table(client, "/reports/courses.csv")[1]
    assert [r[0] for r in rows] == ["c1", "c2"]
    c3 = world.courses["c3"].id
    assert client.get(f"/reports/courses/{c3}").status_code == 404
    assert client.get(f"/reports/courses/{c3}/quizzes.csv").status_code == 404
    assert client.get(f"/reports/courses/{world.courses['c1'].id}").status_code == 200
    # The administrators' reports are not theirs at all.
    assert client.get("/reports/pipeline").status_code == 403
    assert client.get("/reports/coverage.csv").status_code == 403


def test_the_other_instructor_and_the_administrator(client, login, world, instructors, admin):
    learners(world)
    login(instructors[1])
    assert [r[0] for r in table(client, "/reports/courses.csv")[1]] == ["c3"]
    assert client.get(f"/reports/courses/{world.courses['c1'].id}").status_code == 404
    client.post("/logout")
    login(admin)
    header, rows = table(client, "/reports/courses.csv")
    assert header[:4] == ["Course", "Title", "Enrolled", "Completed"]
    assert {r[0]: r[2:] for r in rows} == {
        "c1": ["3", "1", "33.3", "1", "33.3"], "c2": ["0", "0", "", "", ""], "c3": ["1", "1", "100.0", "1", "100.0"],
    }


def test_course_page_chart_and_csv(client, login, world, instructors):
    learners(world)
    login(instructors[0])
    c1 = world.courses["c1"].id
    page = client.get(f"/reports/courses/{c1}").get_data(as_text=True)
    assert "<svg" in page and "Quiz f1" in page and "50%" in page
    response = client.get(f"/reports/courses/{c1}/quizzes.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert 'filename="c1-quizzes-' in response.headers["Content-Disposition"]
    rows = table(client, f"/reports/courses/{c1}/quizzes.csv")[1]
    by_quiz = {r[0]: r for r in rows}
    assert by_quiz["f1"][4:7] == ["2", "1", "50.0"] and by_quiz["l1"][4:7] == ["2", "1", "50.0"]


@pytest.mark.parametrize("query", ["cohort=0", "cohort=x", "from=2026-02-31", "to=21-01-01",
                                   "from=2027-01-01&to=2026-01-01"])
def test_bad_filters_on_course_reports_are_400(client, login, world, instructors, query):
    login(instructors[0])
    c1 = world.courses["c1"].id
    for path in ("/reports/courses", "/reports/courses.csv", f"/reports/courses/{c1}",
                 f"/reports/courses/{c1}/quizzes.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert 'role="alert"' in response.get_data(as_text=True)


def test_unknown_and_out_of_range_course_ids_are_404(client, login, admin):
    login(admin)
    for course_id in ("999999", str(2**31), "-1", "abc"):
        assert client.get(f"/reports/courses/{course_id}").status_code == 404


def test_index_offers_what_the_user_may_open(client, login, admin, instructors):
    login(instructors[0])
    page = client.get("/reports/").get_data(as_text=True)
    assert "/reports/courses" in page and "/reports/pipeline" not in page
    assert 'href="/reports/"' in page  # in the main menu
    client.post("/logout")
    login(admin)
    page = client.get("/reports/").get_data(as_text=True)
    assert "/reports/pipeline" in page and "/reports/coverage" in page
