"""The only place that reads the curriculum's models for results: course ownership and cohorts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.db import db
from lms.curriculum.models import Cohort, Course, Enrolment


def owned_course_slugs(user: Any) -> set[str]:
    """Courses whose ``owners`` (instructor emails in course.md) include the user."""
    email = user.email.lower()
    return {slug for slug, owners in db.session.execute(sa.select(Course.slug, Course.owners))
            if email in {o.lower() for o in owners or []}}


def cohort_column() -> Any:
    """The cohort each trainee is enrolled in for the quiz's course (see ``cohort_join``)."""
    return Cohort.name


def cohort_join(stmt: sa.Select, quiz: Any) -> sa.Select:
    return stmt.outerjoin(
        Enrolment, sa.and_(Enrolment.user_id == User.id, Enrolment.course_id == quiz.course_id)
    ).outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
