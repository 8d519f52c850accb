"""The definitions of the stages: each as a select of (user, track), (user, course) or (user, quiz) pairs, read
from the other features' tables by the same rules those features apply one trainee at a time.

Nothing here runs a query; ``operations.refresh`` turns these selects into the snapshot the pages group (see
models.py), so a page issues the same few statements whatever the data size. See docs/reports.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, TrackCourse
from lms.curriculum.models import Course, Lesson, LessonCompletion
from lms.practicum.models import Report, ReportStatus
from lms.quizzes.models import Attempt, AttemptStatus, GradingMethod, Quiz


@dataclass(frozen=True)
class Scope:
    """What every report may be narrowed to; None means no narrowing. Dates are inclusive, on enrolment."""

    track_id: str | None = None
    cohort_id: int | None = None
    enrolled_from: date | None = None
    enrolled_to: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def scope_conditions(model: Any, scope: Scope) -> list[sa.ColumnElement[bool]]:
    """The scope as conditions on a snapshot model with ``cohort_id`` and ``enrolled_at`` (and ``track_id``)."""
    conditions = []
    if scope.track_id is not None:
        conditions.append(model.track_id == scope.track_id)
    if scope.cohort_id is not None:
        conditions.append(model.cohort_id == scope.cohort_id)
    if scope.enrolled_from is not None:
        conditions.append(model.enrolled_at >= _day_start(scope.enrolled_from))
    if scope.enrolled_to is not None:
        conditions.append(model.enrolled_at < _day_start(scope.enrolled_to + timedelta(days=1)))
    return conditions


def courses_completed() -> sa.Select:
    """(user_id, course_id): the user has completed every current lesson of the course, which has at least one
    (the rule of ``lms.curriculum.progress.course_completed``)."""
    lesson_counts = (
        sa.select(Lesson.course_id, sa.func.count(Lesson.id).label("lessons"))
        .where(Lesson.retired.is_(False))
        .group_by(Lesson.course_id)
        .subquery("lesson_counts")
    )
    return (
        sa.select(LessonCompletion.user_id, Lesson.course_id)
        .join(Lesson, sa.and_(Lesson.id == LessonCompletion.lesson_id, Lesson.retired.is_(False)))
        .join(lesson_counts, lesson_counts.c.course_id == Lesson.course_id)
        .group_by(LessonCompletion.user_id, Lesson.course_id)
        .having(sa.func.count(LessonCompletion.id) == sa.func.max(lesson_counts.c.lessons))
    )


def quiz_grades(quiz_ids: sa.Select) -> sa.Select:
    """(user_id, quiz_id, grade): the grade in percent by the quiz's grading method over graded attempts (the
    rule of ``lms.quizzes.grading.quiz_grade``: highest, last, or the average rounded to 4 places)."""
    ranked = sa.select(
        Attempt.user_id,
        Attempt.quiz_id,
        Attempt.percent,
        sa.func.row_number()
        .over(partition_by=(Attempt.user_id, Attempt.quiz_id), order_by=Attempt.number.desc())
        .label("from_last"),
    ).where(Attempt.status == AttemptStatus.GRADED, Attempt.percent.is_not(None))
    ranked = ranked.where(Attempt.quiz_id.in_(quiz_ids))
    ranked_sq = ranked.subquery("ranked")
    # PostgreSQL rounds numerics only; SQLite takes the casts as they come.
    average = sa.cast(sa.func.round(sa.cast(sa.func.avg(ranked_sq.c.percent), sa.Numeric), 4), sa.Float)
    grade = sa.case(
        (Quiz.grading == GradingMethod.HIGHEST, sa.func.max(ranked_sq.c.percent)),
        (Quiz.grading == GradingMethod.AVERAGE, average),
        else_=sa.func.max(sa.case((ranked_sq.c.from_last == 1, ranked_sq.c.percent))),
    )
    return (
        sa.select(ranked_sq.c.user_id, ranked_sq.c.quiz_id, grade.label("grade"), Quiz.pass_mark,
                  sa.func.count().label("attempts"))
        .join(Quiz, Quiz.id == ranked_sq.c.quiz_id)
        .group_by(ranked_sq.c.user_id, ranked_sq.c.quiz_id, Quiz.grading, Quiz.pass_mark)
    )


def _required_counts() -> sa.Subquery:
    return (
        sa.select(TrackCourse.track_id, sa.func.count().label("required"))
        .group_by(TrackCourse.track_id)
        .subquery("required_counts")
    )


def track_courses_completed() -> sa.Select:
    """(user_id, track_id): every course the track requires is completed."""
    done = courses_completed().subquery("done")
    required = _required_counts()
    return (
        sa.select(done.c.user_id, TrackCourse.track_id)
        .select_from(done)
        .join(Course, Course.id == done.c.course_id)
        .join(TrackCourse, TrackCourse.course_slug == Course.slug)
        .join(required, required.c.track_id == TrackCourse.track_id)
        .group_by(done.c.user_id, TrackCourse.track_id)
        .having(sa.func.count() == sa.func.max(required.c.required))
    )


def track_exams_passed() -> sa.Select:
    """(user_id, track_id): every required course's final exam graded at or above the track's minimum score
    (the exam items of ``lms.certification.eligibility.evaluate``)."""
    grades = quiz_grades(sa.select(TrackCourse.final_exam)).subquery("grades")
    required = _required_counts()
    return (
        sa.select(grades.c.user_id, TrackCourse.track_id)
        .select_from(grades)
        .join(TrackCourse, TrackCourse.final_exam == grades.c.quiz_id)
        .join(required, required.c.track_id == TrackCourse.track_id)
        .where(grades.c.grade >= TrackCourse.min_score)
        .group_by(grades.c.user_id, TrackCourse.track_id)
        .having(sa.func.count() == sa.func.max(required.c.required))
    )


def practicum_passed() -> sa.Select:
    """(user_id, track_id): the practicum report for the track has been passed (``practicum_passed``)."""
    return sa.select(Report.author_id.label("user_id"), Report.track_id).where(
        Report.status == ReportStatus.PASSED
    )


def certified(now: datetime) -> sa.Select:
    """(user_id, track_id): a valid certificate of the track at ``now`` (issued, validity not ended: the
    ``valid`` status of ``lms.certification.lifecycle.status``)."""
    return (
        sa.select(Certificate.user_id, Certificate.track_id)
        .where(Certificate.state == Stored.ISSUED, Certificate.valid_until > now)
        .group_by(Certificate.user_id, Certificate.track_id)
    )

