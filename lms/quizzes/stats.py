"""Results and item statistics, computed with SQL aggregates (no row-by-row Python over responses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.db import db
from lms.quizzes import courses_link, grading
from lms.quizzes.models import Attempt, AttemptStatus, GradingMethod, Question, Quiz, Response


@dataclass
class ResultRow:
    user_id: int
    email: str
    name: str
    cohort: str | None
    attempts: int
    grade: float | None
    passed: bool
    last_submitted_at: datetime | None


def attempt_counts(quiz_ids: list[str]) -> dict[str, int]:
    if not quiz_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Attempt.quiz_id, sa.func.count())
            .where(Attempt.quiz_id.in_(quiz_ids), Attempt.status == AttemptStatus.GRADED)
            .group_by(Attempt.quiz_id)
        ).all()
    )


def _graded(quiz_id: str) -> Any:
    return sa.and_(Attempt.quiz_id == quiz_id, Attempt.status == AttemptStatus.GRADED)


def results(quiz: Quiz, cohort: str | None) -> list[ResultRow]:
    """One row per user with a graded attempt: the grade by the quiz's method, computed in SQL."""
    last_number = (
        sa.select(Attempt.user_id, sa.func.max(Attempt.number).label("n"))
        .where(_graded(quiz.id))
        .group_by(Attempt.user_id)
        .subquery()
    )
    last = sa.orm.aliased(Attempt)
    if quiz.grading == GradingMethod.HIGHEST:
        grade = sa.func.max(Attempt.percent)
    elif quiz.grading == GradingMethod.AVERAGE:
        grade = sa.func.avg(Attempt.percent)
    else:
        grade = sa.func.max(last.percent)
    cohort_col = courses_link.cohort_column()
    stmt = (
        sa.select(
            User.id, User.email, User.name_ja, User.name_latin, cohort_col.label("cohort"),
            sa.func.count(sa.distinct(Attempt.id)), grade, sa.func.max(Attempt.submitted_at),
        )
        .join(Attempt, Attempt.user_id == User.id)
        .join(last_number, last_number.c.user_id == User.id)
        .join(last, sa.and_(last.user_id == User.id, last.quiz_id == quiz.id, last.number == last_number.c.n))
        .where(_graded(quiz.id))
        .group_by(User.id, User.email, User.name_ja, User.name_latin, cohort_col)
        .order_by(User.name_latin, User.name_ja, User.id)
    )
    stmt = courses_link.cohort_join(stmt, quiz)
    if cohort:
        stmt = stmt.where(cohort_col == cohort)
    rows = []
    for user_id, email, name_ja, name_latin, cohort_value, count, raw, submitted in db.session.execute(stmt):
        value = None if raw is None else round(float(raw), 4)
        rows.append(ResultRow(user_id, email, name_latin or name_ja or email, cohort_value, count, value,
                              grading.passed(value, quiz.pass_mark), _aware(submitted)))
    return rows


def _aware(value: Any) -> datetime | None:
    from lms.core.db import UTCDateTime

    return UTCDateTime().process_result_value(value, db.engine.dialect) if value is not None else None


def cohorts(quiz: Quiz) -> list[str]:
    col = courses_link.cohort_column()
    stmt = (
        sa.select(col).distinct().select_from(User).join(Attempt, Attempt.user_id == User.id)
        .where(_graded(quiz.id), col.is_not(None))
    )
    stmt = courses_link.cohort_join(stmt, quiz)
    return sorted(v for v in db.session.scalars(stmt) if v)


@dataclass
class ItemRow:
    position: int
    question_id: str
    type: str
    stats: grading.ItemStatistics
    #: (response summary, count), most frequent first.
    responses: list[tuple[str, int]]


def item_statistics(quiz_id: str) -> list[ItemRow]:
    """Moodle's item statistics per question over all graded attempts: facility, SD, discrimination index
    (correlation of the question's score with the rest of the test), and response counts."""
    x = Response.fraction
    rest_max = Attempt.max_points - Response.max_points
    y = sa.case((rest_max > 0, (Attempt.points - Response.points) / rest_max), else_=sa.null())
    sums = db.session.execute(
        sa.select(
            Response.question_id,
            sa.func.min(Response.position),
            sa.func.count(),
            sa.func.sum(x), sa.func.sum(x * x),
            sa.func.sum(y), sa.func.sum(y * y), sa.func.sum(x * y),
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(_graded(quiz_id))
        .group_by(Response.question_id)
    ).all()
    counts: dict[str, list[tuple[str, int]]] = {}
    for question_id, summary, n in db.session.execute(
        sa.select(Response.question_id, Response.summary, sa.func.count())
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(_graded(quiz_id))
        .group_by(Response.question_id, Response.summary)
    ):
        counts.setdefault(question_id, []).append((summary if summary is not None else "", n))
    question_types = dict(
        db.session.execute(sa.select(Question.id, Question.type).where(Question.id.in_([s[0] for s in sums])))
        .all()
    )
    rows = []
    for question_id, position, n, sx, sx2, sy, sy2, sxy in sums:
        item = grading.item_statistics(grading.ItemSums(
            n=n, sum_x=float(sx or 0), sum_x2=float(sx2 or 0), sum_y=float(sy or 0), sum_y2=float(sy2 or 0),
            sum_xy=float(sxy or 0)))
        responses = sorted(counts.get(question_id, []), key=lambda c: (-c[1], c[0]))
        rows.append(ItemRow(position, question_id, question_types.get(question_id, ""), item, responses))
    return sorted(rows, key=lambda r: (r.position, r.question_id))
