"""Results per quiz (cohort filter, CSV), item statistics computed in SQL, and an audited regrade."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db
from lms.curriculum.models import Cohort, Course, Enrolment
from lms.quizzes import operations, stats
from lms.quizzes.models import Question, QuestionVersion, Response
from tests.quizzes.conftest import CONTENT

pytestmark = pytest.mark.usefixtures("synced")


def _take(user, answers_by_question):
    """A trainee takes sample-01 through the operations, answering as given, and submits."""
    attempt = operations.start_attempt(user.id, "sample-01")
    for response in attempt.responses:
        if response.question_id in answers_by_question:
            response.answer = answers_by_question[response.question_id]
    operations.submit_attempt(operations.load_sheet(attempt.id), user.id)
    db.session.commit()
    return attempt


def _cohort(name, user):
    course = db.session.scalar(sa.select(Course).where(Course.slug == "sample-course"))
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == name))
    if cohort is None:
        cohort = Cohort(name=name, starts_on=date(2026, 4, 1), ends_on=date(2026, 9, 30))
        db.session.add(cohort)
        db.session.flush()
    db.session.add(Enrolment(user_id=user.id, course_id=course.id, cohort=cohort))
    db.session.commit()


@pytest.fixture
def owner(make_user):
    return make_user(Role.INSTRUCTOR, email="owner@example.org", name_latin="Owner Instructor")


@pytest.fixture
def class_of_four(make_user):
    a = make_user(name_latin="Aoki")
    b = make_user(name_latin="Baba")
    c = make_user(name_latin="Chiba")
    d = make_user(name_latin="Doi")
    _cohort("Spring 2026", a)
    _cohort("Spring 2026", b)
    _cohort("Autumn 2026", c)
    # Strong trainees miss s-tf, weak ones get it: s-tf discriminates negatively.
    _take(a, {"s-single": "b", "s-numeric": 10.0, "s-short": "JPO", "s-multi": ["a", "b"], "s-tf": False})
    _take(b, {"s-single": "b", "s-numeric": 10.0, "s-short": "jpo", "s-tf": False})
    _take(c, {"s-single": "a", "s-tf": True})
    _take(d, {"s-single": "c", "s-tf": True})
    return a, b, c, d


def test_results_with_cohort_filter_and_csv(client, login, owner, class_of_four):
    a, b, _c, _d = class_of_four
    login(owner)
    html = client.get("/quizzes/sample-01/results").get_data(as_text=True)
    for name in ("Aoki", "Baba", "Chiba", "Doi"):
        assert name in html
    assert "Spring 2026" in html
    assert "Autumn 2026" in html
    spring = client.get("/quizzes/sample-01/results?cohort=Spring+2026").get_data(as_text=True)
    assert "Aoki" in spring
    assert "Baba" in spring
    assert "Chiba" not in spring
    assert "Doi" not in spring
    response = client.get("/quizzes/sample-01/results.csv?cohort=Spring+2026")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["email"] for r in rows] == [a.email, b.email]
    assert rows[0]["grade_percent"] == f"{operations.quiz_grade(a.id, 'sample-01'):.2f}"
    assert rows[0]["cohort"] == "Spring 2026"
    everyone = list(csv.DictReader(io.StringIO(client.get("/quizzes/sample-01/results.csv").get_data(as_text=True)
                                               .lstrip("\ufeff"))))
    assert len(everyone) == 4
    assert {r["passed"] for r in everyone} == {"no"}  # nobody reached 60 %


def test_csv_cells_never_run_as_formulas(client, login, owner, make_user):
    trainee = make_user(name_latin="=HYPERLINK(\"http://evil.example\")")
    _take(trainee, {"s-single": "b"})
    login(owner)
    text = client.get("/quizzes/sample-01/results.csv").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["name"] == "'=HYPERLINK(\"http://evil.example\")"


def test_results_pages(client, login, owner, class_of_four, monkeypatch):
    from lms.quizzes import views

    monkeypatch.setattr(views, "RESULTS_PAGE_SIZE", 3)
    login(owner)
    first = client.get("/quizzes/sample-01/results").get_data(as_text=True)
    second = client.get("/quizzes/sample-01/results?page=2").get_data(as_text=True)
    assert "4 trainees with a graded attempt" in first
    assert "Page 1 of 2" in first
    assert "Aoki" in first
    assert "Doi" not in first
    assert "Doi" in second
    assert "Aoki" not in second
    assert client.get("/quizzes/sample-01/results?page=3").status_code == 404
    assert client.get("/quizzes/sample-01/results?page=zero").status_code == 400
    assert client.get("/quizzes/sample-01/results?page=0").status_code == 400


def test_results_use_the_grading_method(client, login, owner, make_user):
    trainee = make_user(name_latin="Twice")
    _take(trainee, {"s-single": "b"})  # 1 / 10
    _take(trainee, {})  # 0
    rows = stats.results(_quiz(), None)
    assert [(r.attempts, r.grade) for r in rows] == [(2, 10.0)]  # highest
    assert operations.quiz_grade(trainee.id, "sample-01") == 10.0


def _quiz():
    from lms.quizzes.models import Quiz

    return db.session.get(Quiz, "sample-01")


def test_item_statistics(client, login, owner, class_of_four):
    login(owner)
    items = {i.question_id: i for i in stats.item_statistics("sample-01")}
    assert items["s-single"].stats.attempts == 4
    assert items["s-single"].stats.facility == 0.5
    assert dict(items["s-single"].responses) == {"b": 2, "a": 1, "c": 1}
    assert items["s-tf"].stats.discrimination < 0
    assert "negative_discrimination" in items["s-tf"].stats.flags
    assert "too_hard" in items["s-order"].stats.flags  # nobody answered it
    assert items["s-multi"].stats.facility == 0.25
    html = client.get("/quizzes/sample-01/statistics").get_data(as_text=True)
    assert "negative discrimination" in html
    assert "Facility index" in html


def test_instructors_only_see_their_own_courses(client, login, make_user, class_of_four):
    login(make_user(Role.INSTRUCTOR, email="someone-else@example.org"))
    assert client.get("/quizzes/sample-01/results").status_code == 403
    assert client.get("/quizzes/sample-01/results.csv").status_code == 403
    assert client.get("/quizzes/sample-01/statistics").status_code == 403
    assert client.post("/quizzes/sample-01/regrade", data={"reason": "x"}).status_code == 403
    assert "sample-01" not in client.get("/quizzes/manage").get_data(as_text=True)


def test_administrators_see_every_course(client, login, make_user, class_of_four):
    login(make_user(Role.ADMINISTRATOR))
    assert client.get("/quizzes/sample-01/results").status_code == 200
    assert "/quizzes/sample-01/results" in client.get("/quizzes/manage").get_data(as_text=True)


def test_trainees_cannot_see_results(client, login, make_user, class_of_four):
    login(make_user())
    assert client.get("/quizzes/sample-01/results").status_code == 403


def test_regrade_after_a_key_correction_is_audited(client, login, owner, class_of_four, content_copy):
    a, b, c, d = class_of_four
    before = {u.id: operations.quiz_grade(u.id, "sample-01") for u in class_of_four}
    # The key of s-single is corrected (from b to a) in the file and synced: a new version of the question.
    bank = content_copy / "assessments" / "banks" / "sample.yml"
    text = bank.read_text(encoding="utf-8")
    right = "        text: {en: 20 years from the filing date, ja: 出願日から20年}\n"
    text = text.replace(right + "        correct: true\n",
                        "        text: {en: 20 years from the filing date, ja: 出願日から20年}\n")
    text = text.replace("      - id: a\n        text: {en: 20 years from registration, ja: 設定登録から20年}\n",
                        "      - id: a\n        text: {en: 20 years from registration, ja: 設定登録から20年}\n"
                        "        correct: true\n", 1)
    bank.write_text(text, encoding="utf-8")
    from lms.core import content

    changes = content.sync(content_copy)
    db.session.commit()
    assert "question:s-single" in changes["assessments"].changed
    assert db.session.scalar(sa.select(Question.current_version).where(Question.id == "s-single")) == 2
    # Grades do not change until an instructor regrades.
    assert {u.id: operations.quiz_grade(u.id, "sample-01") for u in class_of_four} == before
    login(owner)
    refused = client.post("/quizzes/sample-01/regrade", data={"reason": "  "})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "quiz.regrade")) == 0
    response = client.post("/quizzes/sample-01/regrade", data={"reason": "Key of s-single corrected"})
    assert response.status_code == 302
    after = {u.id: operations.quiz_grade(u.id, "sample-01") for u in class_of_four}
    assert after[a.id] == before[a.id] - 10
    assert after[b.id] == before[b.id] - 10
    assert after[c.id] == before[c.id] + 10
    assert after[d.id] == before[d.id]
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "quiz.attempt.regrade")).all()
    assert len(entries) == 3
    assert all(e.reason == "Key of s-single corrected" and e.actor_id == owner.id for e in entries)
    summary = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "quiz.regrade"))
    assert summary.details["changed"] == 3
    assert summary.details["attempts"] == 4
    # The responses now point at the corrected version.
    version_2 = db.session.scalar(sa.select(QuestionVersion.id).where(QuestionVersion.question_id == "s-single",
                                                                      QuestionVersion.version == 2))
    assert set(db.session.scalars(sa.select(Response.version_id).where(Response.question_id == "s-single"))) == {
        version_2
    }


def test_unchanged_content_is_not_reprocessed(app):
    from lms.core import content

    changes = content.sync(CONTENT)
    db.session.commit()
    assert changes["assessments"].added == []
    assert changes["assessments"].changed == []
    # Counted in the unit "added" uses on a first sync: the bank, each of its questions and each quiz.
    questions = db.session.scalar(sa.select(sa.func.count()).select_from(Question))
    assert changes["assessments"].unchanged == 1 + questions + 2
