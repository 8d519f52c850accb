"""Object-level rules: who may see a quiz's results, statistics and regrade it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lms.core.access import Permission, Role
from lms.core.db import db
from lms.curriculum.models import Course
from lms.quizzes.models import Quiz


def owned_course_slugs(user: Any) -> set[str] | None:
    """The courses whose quizzes the user manages; None for every course (administrators)."""
    if user.has_role(Role.ADMINISTRATOR):
        return None
    from lms.quizzes import courses_link

    return courses_link.owned_course_slugs(user)


def may_see_results(user: Any, quiz: Quiz) -> bool:
    if not user.can(Permission.QUIZ_RESULTS):
        return False
    owned = owned_course_slugs(user)
    return owned is None or quiz.course.slug in owned


def visible_quizzes(user: Any) -> list[Quiz]:
    stmt = (
        sa.select(Quiz)
        .join(Course, Course.id == Quiz.course_id)
        .where(Quiz.retired.is_(False))
        .options(sa.orm.contains_eager(Quiz.course))
        .order_by(Course.slug, Quiz.kind, Quiz.id)
    )
    owned = owned_course_slugs(user)
    if owned is not None:
        stmt = stmt.where(Course.slug.in_(owned))
    return list(db.session.scalars(stmt))
