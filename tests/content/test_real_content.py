"""The real curricula and question banks (courses/, assessments/): complete, bilingual, sourced and passable.

Issue 5's definition of done: `lms content check` passes; counts; both languages for every lesson and question;
a source on every lesson and question; every quiz can be taken and passed with its own answer key.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import sqlalchemy as sa

from lms.core import content
from lms.core.access import Role
from lms.core.db import db
from lms.curriculum.models import Course, Lesson
from lms.quizzes.models import Attempt, AttemptStatus, Question, QuestionVersion, Quiz, QuizKind
from tests.helpers import ROOT
from tests.quizzes.conftest import start

COURSES = {"ip-systems": 7, "ip-strategy": 6, "sme-coaching": 6}  # minimum lessons each
TEXT_FIELDS = ("stem", "explanation", "objective")


@pytest.fixture
def real_content(app):
    changes = content.sync(ROOT)
    db.session.commit()
    return changes


def test_check_passes_on_the_real_content():
    parsed = content.check(ROOT)  # raises ContentInvalid listing every problem
    assert set(parsed) >= {"courses", "assessments", "tracks", "practicum"}


def _live(model):
    return db.session.scalars(sa.select(model).where(model.retired.is_(False))).all()


@pytest.mark.usefixtures("real_content")
def test_courses_and_lessons_are_complete_in_both_languages():
    courses = {c.slug: c for c in _live(Course)}
    assert set(courses) == set(COURSES)
    for slug, minimum in COURSES.items():
        course = courses[slug]
        assert course.title.get("en") and course.title.get("ja"), slug
        lessons = [lesson for lesson in course.lessons if not lesson.retired]
        assert len(lessons) >= minimum, slug
        for lesson in lessons:
            texts = {t.language: t for t in lesson.texts}
            assert set(texts) == {"en", "ja"}, lesson.key
            assert texts["en"].sources, f"{slug}/{lesson.key}: no sources"
            assert all(s.get("url") and s.get("title") for s in texts["en"].sources), lesson.key
            assert lesson.quiz_id, f"{slug}/{lesson.key}: no closing quiz"
            words = len(texts["en"].plain.split())
            assert 800 <= words <= 2000, f"{slug}/{lesson.key}: {words} English words"
            characters = len(re.sub(r"\s", "", texts["ja"].plain))
            assert 1600 <= characters <= 4000, f"{slug}/{lesson.key}: {characters} Japanese characters"
            for box in ("admonition example", "admonition question"):
                assert box in texts["en"].html and box in texts["ja"].html, f"{lesson.key}: no {box}"


@pytest.mark.usefixtures("real_content")
def test_questions_are_bilingual_sourced_and_numerous():
    questions = _live(Question)
    assert len(questions) >= 100
    versions = {
        v.question_id: v.definition
        for v in db.session.scalars(sa.select(QuestionVersion).join(Question, sa.and_(
            Question.id == QuestionVersion.question_id, Question.current_version == QuestionVersion.version)))
    }
    per_bank = Counter(q.bank_id for q in questions)
    assert all(per_bank[bank] >= 25 for bank in COURSES), per_bank
    assert len({q.type for q in questions}) >= 5
    for question in questions:
        definition = versions[question.id]
        assert definition.get("source"), f"{question.id}: no source"
        for field in TEXT_FIELDS:
            text = definition.get(field) or {}
            assert text.get("en") and text.get("ja"), f"{question.id}: {field} not in both languages"
        for option in definition.get("options", []):
            assert option["text"].get("en") and option["text"].get("ja"), f"{question.id}: option {option['id']}"


@pytest.mark.usefixtures("real_content")
def test_each_course_has_lesson_quizzes_and_a_final_exam():
    quizzes = _live(Quiz)
    finals = {q.course.slug for q in quizzes if q.kind == QuizKind.FINAL}
    assert finals == set(COURSES)
    for lesson in _live(Lesson):
        assert any(q.lesson_id == lesson.id for q in quizzes), lesson.key


def _key(response):
    """The right answer to one drawn question, in the form the answer API takes."""
    d = response.version.definition
    kind = d["type"]
    if kind == "single_choice":
        return next(o["id"] for o in d["options"] if o.get("correct"))
    if kind == "multiple_response":
        return [o["id"] for o in d["options"] if o.get("correct")]
    if kind in {"true_false", "numeric"}:
        return d["answer"]
    if kind == "short_text":
        return d["accept"].get("en", d["accept"].get("ja"))[0]
    if kind == "ordering":
        return [i["id"] for i in d["items"]]
    if kind == "matching":
        return {p: response.layout["choices"].index(p) for p in response.layout["prompts"]}
    raise AssertionError(f"no key for type {kind}")


@pytest.mark.usefixtures("real_content")
def test_every_quiz_can_be_taken_and_passed_with_its_answer_key(client, make_user, login):
    login(make_user(Role.TRAINEE))
    quizzes = _live(Quiz)
    assert len(quizzes) >= len(COURSES) * 7
    for quiz in quizzes:
        attempt_id = start(client, quiz.id)
        attempt = db.session.get(Attempt, attempt_id)
        answers = {r.question_id: _key(r) for r in attempt.responses}
        saved = client.post(f"/quizzes/attempts/{attempt_id}/answers", json={"answers": answers})
        assert saved.status_code == 200, (quiz.id, saved.get_json())
        assert client.post(f"/quizzes/attempts/{attempt_id}/submit").status_code == 302
        db.session.expire_all()
        graded = db.session.get(Attempt, attempt_id)
        assert graded.status == AttemptStatus.GRADED, quiz.id
        assert graded.percent == 100.0, quiz.id
        assert graded.percent >= quiz.pass_mark
