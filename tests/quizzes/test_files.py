"""Bank and quiz files: every problem reported with file and line; an invalid set writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.core import content
from lms.core.db import db
from lms.quizzes.models import Bank, Question, QuestionVersion, Quiz
from tests.quizzes.conftest import ensure_sample_course


@pytest.fixture(autouse=True)
def _course(app):
    ensure_sample_course()


def _problems(root):
    with pytest.raises(content.ContentInvalid) as error:
        content.check(root)
    return [str(p) for p in error.value.problems]


def _edit(root, relative, old, new, count=1):
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


BANK = "assessments/banks/sample.yml"
QUIZZES = "assessments/quizzes/sample-course.yml"


def test_the_sample_is_valid_and_syncs(content_copy):
    parsed = content.check(content_copy)
    result = parsed["assessments"]
    assert set(result.quizzes) == {"sample-01", "sample-final"}
    quiz = result.quizzes["sample-01"]
    assert (quiz.id, quiz.course, quiz.kind, quiz.lesson, quiz.pass_mark) == (
        "sample-01", "sample-course", "lesson", "01-basics", 60.0)
    content.sync(content_copy)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 9
    version = db.session.scalar(sa.select(QuestionVersion).where(QuestionVersion.question_id == "s-single"))
    # Markdown rendered once, at sync.
    assert version.definition["stem"]["en"].startswith("<p>")
    assert version.definition["options"][0]["text"]["en"] == "20 years from registration"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (BANK, "bank: sample", "bank: other", "sample.yml:1: bank: 'bank' must equal the file name"),
        (BANK, "    type: single_choice\n    stem: {en: \"What", "    type: essay\n    stem: {en: \"What",
         "sample.yml:4: question 's-single': unknown type 'essay'"),
        (BANK, "      - id: b\n        text: {en: 20 years from the filing date, ja: 出願日から20年}\n"
         "        correct: true\n",
         "      - id: b\n        text: {en: 20 years from the filing date, ja: 出願日から20年}\n",
         "question 's-single': single_choice: exactly one option must have 'correct: true' (found 0)"),
        (BANK, "  - id: s-multi", "  - id: s-single", "duplicate id 's-single'"),
        (BANK, "    source: Patent Act Art. 67(1)\n", "",
         "sample.yml:4: question 's-single': missing required key 'source'"),
        (BANK, "    difficulty: easy", "    dificulty: easy", "question 's-single': unknown key 'dificulty'"),
        (BANK, "    answer: 10\n", "    answer: ten\n", "question 's-numeric': numeric: 'answer' must be a number"),
        (BANK, "    tolerance: 0\n", "    tolerance: -1\n", "'tolerance' must be a number of 0 or more"),
        (BANK, "    accept: {en: [JPO, Japan Patent Office], ja: [特許庁]}", "    accept: []",
         "short_text: 'accept' must map en and/or ja"),
        (BANK, "      - {id: grant, text: {en: Registration, ja: 設定登録}}",
         "      - {id: filing, text: {en: Registration, ja: 設定登録}}",
         "item id 'filing' is missing, malformed or a duplicate"),
        (BANK, "    answer: true\n    feedback:", "    answer: maybe\n    feedback:", "'answer' must be true or false"),
        (BANK, "    stem: {en: Match each right to its term., ja: 権利と存続期間を対応させよ。}",
         "    stem: Match each right", "question 's-match': 'stem' must be a bilingual text"),
        (BANK, "questions:\n  - id: s-single", "questions:\n  - id: s-single\n  - id: s-single", "unknown type None"),
        (BANK, "    title: {en: A sake brewery", "    titel: {en: A sake brewery", "case study: unknown key 'titel'"),
        (BANK, "    points: 2", "    points: -2", "'points' must be a positive number"),
        (BANK, "ja: サンプル問題集}", "ja: [サンプル問題集}", "sample.yml:2: invalid YAML"),
        (QUIZZES, "course: sample-course", "course: nope", "'course' must equal the file name"),
        (QUIZZES, "    lesson: 01-basics", "    lesson: 02-missing",
         "sample-course.yml:3: quiz 'sample-01': lesson '02-missing' does not exist"),
        (QUIZZES, "        draw: 1", "        draw: 9", "pool cannot supply its draw of 9: only 3"),
        (QUIZZES, "        questions: [s-single,", "        questions: [no-such-question, s-single,",
         "pool names 'no-such-question', which is not a question or case study of bank 'sample'"),
        (QUIZZES, "        questions: [s-single,", "        questions: [case-brewery-1, s-single,",
         "a quiz draws the case study whole"),
        (QUIZZES, "      - bank: sample\n        tags: [patent]", "      - bank: nobank\n        tags: [patent]",
         "pool names bank 'nobank', which does not exist"),
        (QUIZZES, "    grading: highest", "    grading: best", "'grading' must be one of highest, last, average"),
        (QUIZZES, "    review: never", "    review: sometimes", "'review' must be one of"),
        (QUIZZES, "    pass_mark: 60", "    pass_mark: 160", "'pass_mark' must be a percentage"),
        (QUIZZES, "    attempts: 2", "    attempts: 0", "'attempts' must be a whole number of 1 or more"),
        (QUIZZES, "    attempts: 2", "    attempts: 2\n    available_from: 2026-04-01",
         "'available_from' must be a date and time with a time zone"),
        (QUIZZES, "  - id: sample-final", "  - id: sample-01", "duplicate quiz id"),
        (QUIZZES, "    kind: final", "    kind: final\n    lesson: 01-basics", "a final exam has no 'lesson'"),
        (QUIZZES, "        tags: [trademark]", "        tags: [nothing-has-this]", "pool matches no question"),
    ],
)
def test_each_problem_is_reported_with_file_and_line_and_nothing_is_written(content_copy, file, old, new, expected):
    _edit(content_copy, file, old, new)
    problems = _problems(content_copy)
    assert any(expected in p for p in problems), problems
    with pytest.raises(content.ContentInvalid):
        content.sync(content_copy)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bank)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Quiz)) == 0


def test_lesson_naming_another_quiz(content_copy):
    _edit(content_copy, QUIZZES, "  - id: sample-01\n", "  - id: sample-01b\n")
    problems = _problems(content_copy)
    assert any("lesson '01-basics' names quiz 'sample-01' in its front matter, not this one" in p for p in problems)
    assert any("names quiz 'sample-01', which no file in assessments/quizzes/ defines" in p for p in problems)


def test_a_lesson_quiz_without_front_matter_quiz_is_accepted(app, content_copy):
    from lms.curriculum.models import Lesson

    _edit(content_copy, "courses/sample-course/01-basics.md", "quiz: sample-01\n", "")
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.key == "01-basics"))
    lesson.quiz_id = None  # for the database fallback, when no "courses" source runs
    db.session.flush()
    assert "sample-01" in content.check(content_copy)["assessments"].quizzes


def test_a_changed_question_gets_a_new_version_and_a_removed_one_is_retired(content_copy):
    content.sync(content_copy)
    db.session.commit()
    _edit(content_copy, BANK, "EXPLANATION-SINGLE Patent Act", "EXPLANATION-SINGLE The Patent Act")
    changes = content.sync(content_copy)
    db.session.commit()
    assert changes["assessments"].changed == ["bank:sample", "question:s-single"]
    versions = db.session.scalars(sa.select(QuestionVersion.version).where(QuestionVersion.question_id == "s-single"))
    assert sorted(versions) == [1, 2]
    quizzes = content_copy / QUIZZES
    quizzes.write_text(quizzes.read_text(encoding="utf-8").split("  - id: sample-final")[0], encoding="utf-8")
    changes = content.sync(content_copy)
    db.session.commit()
    assert changes["assessments"].removed == ["quiz:sample-final"]
    assert db.session.get(Quiz, "sample-final").retired
