"""Course completion and pass rates, and each quiz's pass rate: one aggregate statement per table.

Which courses a user may see is ``visible_course_ids``: administrators every course, instructors the courses
whose ``owners`` list their email (the curriculum's ownership rule, ``Course.owned_by``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lms.core.access import Permission
from lms.core.db import db
from lms.curriculum.models import Course
from lms.quizzes.models import Quiz, QuizKind
from lms.reports.models import CourseRow as CourseSnapshot
from lms.reports.models import QuizGrade
from lms.reports.stages import Scope, scope_conditions


@dataclass(frozen=True)
class CourseInfo:
    id: int
    slug: str
    title: dict[str, str]


def visible_courses(user: Any) -> list[CourseInfo]:
    """The courses whose numbers ``user`` may see, by slug. One statement."""
    everything = user.can(Permission.REPORTS_ALL)
    found = db.session.scalars(
        sa.select(Course).options(sa.orm.load_only(Course.id, Course.slug, Course.title, Course.owners))
        .order_by(Course.slug)
    )
    return [CourseInfo(c.id, c.slug, c.title) for c in found if everything or c.owned_by(user.email)]


def visible_course(user: Any, course_id: int) -> CourseInfo | None:
    """One course whose numbers ``user`` may see; None if there is no such course or it is not theirs."""
    course = db.session.get(Course, course_id)
    if course is None or not (user.can(Permission.REPORTS_ALL) or course.owned_by(user.email)):
        return None
    return CourseInfo(course.id, course.slug, course.title)


@dataclass(frozen=True)
class CourseRow:
    course_id: int
    enrolled: int
    completed: int
    #: Enrolled trainees who passed every current final exam of the course (at its pass mark); None when the
    #: course has no final exam.
    passed: int | None


def course_table(course_ids: list[int], scope: Scope) -> list[CourseRow]:
    """Enrolled, completed and final-exam passed per course (in ``course_ids``), from the snapshot. One statement."""
    if not course_ids:
        return []
    r = CourseSnapshot
    finals = (
        sa.select(Quiz.course_id, sa.func.count().label("finals"))
        .where(Quiz.kind == QuizKind.FINAL, Quiz.retired.is_(False), Quiz.course_id.in_(course_ids))
        .group_by(Quiz.course_id)
        .subquery("finals")
    )
    stmt = (
        sa.select(r.course_id, sa.func.count(), sa.func.count(sa.case((r.completed.is_(True), 1))),
                  sa.func.count(sa.case((r.passed.is_(True), 1))), sa.func.max(finals.c.finals))
        .outerjoin(finals, finals.c.course_id == r.course_id)
        .where(r.course_id.in_(course_ids), *scope_conditions(r, scope))
        .group_by(r.course_id)
    )
    return [CourseRow(course_id, enrolled, completed, passed if has_finals else None)
            for course_id, enrolled, completed, passed, has_finals in db.session.execute(stmt)]


@dataclass(frozen=True)
class QuizRow:
    quiz_id: str
    title: dict[str, str]
    kind: str
    pass_mark: float
    #: Trainees with at least one graded attempt, those whose grade reaches the pass mark, graded attempts, and
    #: the mean of the trainees' grades (None without a graded attempt).
    graded: int
    passed: int
    attempts: int
    mean_grade: float | None


def quiz_table(course_id: int, scope: Scope) -> list[QuizRow]:
    """Per current quiz of the course, over the trainees enrolled in it within the scope. One statement."""
    g, r = QuizGrade, CourseSnapshot
    per_quiz = (
        sa.select(g.quiz_id, sa.func.count().label("graded"),
                  sa.func.count(sa.case((g.passed.is_(True), 1))).label("passed"),
                  sa.func.sum(g.attempts).label("attempts"), sa.func.avg(g.grade).label("mean_grade"))
        .join(r, sa.and_(r.user_id == g.user_id, r.course_id == g.course_id))
        .where(g.course_id == course_id, *scope_conditions(r, scope))
        .group_by(g.quiz_id)
        .subquery("per_quiz")
    )
    stmt = (
        sa.select(Quiz.id, Quiz.title, Quiz.kind, Quiz.pass_mark, per_quiz.c.graded, per_quiz.c.passed,
                  per_quiz.c.attempts, per_quiz.c.mean_grade)
        .outerjoin(per_quiz, per_quiz.c.quiz_id == Quiz.id)
        .where(Quiz.course_id == course_id, Quiz.retired.is_(False))
        .order_by(Quiz.kind.desc(), Quiz.id)
    )
    return [QuizRow(q.id, q.title, str(q.kind), q.pass_mark, q.graded or 0, q.passed or 0, q.attempts or 0,
                    None if q.mean_grade is None else float(q.mean_grade)) for q in db.session.execute(stmt)]


def rate(part: int | None, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (pure); None when there is nothing to divide."""
    if part is None or not whole:
        return None
    return 100 * part / whole
