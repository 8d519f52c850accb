"""Progress queries other features call (certification, reports): aggregated in SQL, never row by row."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.core.db import db
from lms.curriculum.models import Course, Enrolment, Lesson, LessonCompletion


@dataclass(frozen=True)
class Progress:
    total: int
    completed: int
    #: Ids of the course's current lessons the user has completed.
    completed_ids: frozenset[int]
    #: The lesson to open next: the last one opened if not yet completed, else the first not completed.
    continue_lesson_id: int | None

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def done(self) -> bool:
        return self.total > 0 and self.completed == self.total


def percent(completed: int, total: int) -> int:
    """Whole-number percentage, 0 for an empty course (pure)."""
    return round(100 * completed / total) if total else 0


def choose_next(lesson_ids: list[int], completed: frozenset[int] | set[int], last_opened: int | None) -> int | None:
    """Where to continue (pure): the last lesson opened if it is not done, else the first lesson not done
    after it, else the first not done at all; None when everything is done."""
    if not lesson_ids:
        return None
    if last_opened in lesson_ids and last_opened not in completed:
        return last_opened
    start = lesson_ids.index(last_opened) + 1 if last_opened in lesson_ids else 0
    for lesson_id in lesson_ids[start:] + lesson_ids[:start]:
        if lesson_id not in completed:
            return lesson_id
    return None


def progress_for(user_id: int, course_id: int) -> Progress:
    """The user's progress in one course, over its current (not retired) lessons. Two queries."""
    rows = db.session.execute(
        sa.select(Lesson.id, LessonCompletion.id.label("done"))
        .outerjoin(
            LessonCompletion, sa.and_(LessonCompletion.lesson_id == Lesson.id, LessonCompletion.user_id == user_id)
        )
        .where(Lesson.course_id == course_id, Lesson.retired.is_(False))
        .order_by(Lesson.number)
    ).all()
    ids = [r.id for r in rows]
    completed = frozenset(r.id for r in rows if r.done is not None)
    last = db.session.scalar(
        sa.select(Enrolment.last_lesson_id).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )
    return Progress(len(ids), len(completed), completed, choose_next(ids, completed, last))


def course_completed(user_id: int, course_slug: str) -> bool:
    """True when the user has completed every current lesson of the course (and it has at least one)."""
    total, done = db.session.execute(
        sa.select(sa.func.count(Lesson.id), sa.func.count(LessonCompletion.id))
        .join(Course, Course.id == Lesson.course_id)
        .outerjoin(
            LessonCompletion, sa.and_(LessonCompletion.lesson_id == Lesson.id, LessonCompletion.user_id == user_id)
        )
        .where(Course.slug == course_slug, Lesson.retired.is_(False))
    ).one()
    return total > 0 and done == total


def progress_by_course(user_id: int) -> dict[int, tuple[int, int]]:
    """course id -> (completed, total) for every course the user is enrolled in; one query."""
    rows = db.session.execute(
        sa.select(Enrolment.course_id, sa.func.count(Lesson.id), sa.func.count(LessonCompletion.id))
        .join(Lesson, sa.and_(Lesson.course_id == Enrolment.course_id, Lesson.retired.is_(False)))
        .outerjoin(
            LessonCompletion, sa.and_(LessonCompletion.lesson_id == Lesson.id, LessonCompletion.user_id == user_id)
        )
        .where(Enrolment.user_id == user_id)
        .group_by(Enrolment.course_id)
    ).all()
    return {course_id: (done, total) for course_id, total, done in rows}
