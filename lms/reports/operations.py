"""Taking the reports' snapshot: INSERT ... SELECT statements built from the stage definitions in ``stages.py``
fill temporary tables, which then replace the snapshot's rows. Nothing is loaded into Python. The caller commits
(the CLI command or the refresh view)."""

from __future__ import annotations

import time
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certification.models import TrackCourse
from lms.core.db import db
from lms.curriculum.models import Course, Enrolment
from lms.quizzes.grading import PASS_TOLERANCE
from lms.quizzes.models import Quiz, QuizKind
from lms.reports import stages
from lms.reports.models import CourseRow, PipelineRow, QuizGrade, Refresh
from lms.roster.listing import listed_user_ids


def last_refresh() -> Refresh | None:
    """The snapshot's time (None before the first refresh). One statement."""
    row = db.session.get(Refresh, 1)
    return row if row is not None and row.refreshed_at is not None else None


def _lock() -> Refresh:
    """The snapshot's row, locked until this transaction ends: waits while a refresh is running.

    (SQLite has no row locks and takes none: its one writer at a time serialises the snapshot's replacement.)
    """
    row = db.session.scalar(sa.select(Refresh).where(Refresh.id == 1).with_for_update())
    if row is None:
        row = Refresh(id=1)
        db.session.add(row)
        db.session.flush()
    return row


def _try_lock() -> Refresh | None:
    """The snapshot's row, locked, or None at once if a running refresh holds it (or it is missing)."""
    return db.session.scalar(sa.select(Refresh).where(Refresh.id == 1).with_for_update(skip_locked=True))


def _staging() -> dict[type, sa.Table]:
    """A temporary copy of each snapshot table, private to this connection. The slow SELECTs fill these first,
    so the snapshot's own tables are written (and, on SQLite, the database's write lock held) only for the copy."""
    metadata = sa.MetaData()
    tables = {}
    for model in (QuizGrade, CourseRow, PipelineRow):
        columns = [sa.Column(c.name, c.type, primary_key=c.primary_key) for c in model.__table__.columns]
        table = sa.Table(f"staging_{model.__tablename__}", metadata, *columns, prefixes=["TEMPORARY"])
        table.create(db.session.connection())
        tables[model] = table
    return tables


def refresh(now: datetime) -> tuple[Refresh, bool]:
    """Replace the snapshot with the stages as they are at ``now``: the snapshot's row, and whether this call
    took it (False: a refresh already running took it, and this one waited for it instead of computing the same
    figures again; a double click, or cron meeting the button).

    The running refresh holds the row's lock from its start to its commit (PostgreSQL), so the snapshot pages,
    which read it without locking, are never kept waiting.
    """
    started = time.perf_counter()
    row = _try_lock()
    if row is None:
        row = _lock()  # after the running refresh has committed
        if row.refreshed_at is not None:
            return row, False
    staging = _staging()
    _insert_quiz_grades(staging[QuizGrade])
    _insert_course_rows(staging[CourseRow], staging[QuizGrade])
    _insert_pipeline_rows(staging[PipelineRow], now)
    for model, table in staging.items():
        db.session.execute(sa.delete(model))
        db.session.execute(sa.insert(model.__table__).from_select([c.name for c in table.columns], sa.select(table)))
        table.drop(db.session.connection())
    row.refreshed_at = now
    row.seconds = round(time.perf_counter() - started, 3)
    db.session.flush()
    return row, True


def _insert_quiz_grades(target: sa.Table) -> None:
    grades = stages.quiz_grades(sa.select(Quiz.id)).subquery("grades")
    select = sa.select(
        grades.c.user_id, grades.c.quiz_id, Quiz.course_id, grades.c.grade, grades.c.attempts,
        grades.c.grade + PASS_TOLERANCE >= grades.c.pass_mark,
    ).join(Quiz, Quiz.id == grades.c.quiz_id)
    db.session.execute(sa.insert(target).from_select(
        ["user_id", "quiz_id", "course_id", "grade", "attempts", "passed"], select))


def _insert_course_rows(target: sa.Table, grades: sa.Table) -> None:
    done = stages.courses_completed().subquery("done")
    finals = (
        sa.select(Quiz.course_id, sa.func.count().label("finals"))
        .where(Quiz.kind == QuizKind.FINAL, Quiz.retired.is_(False))
        .group_by(Quiz.course_id)
        .subquery("finals")
    )
    passed_finals = (
        sa.select(grades.c.user_id, grades.c.course_id)
        .join(Quiz, Quiz.id == grades.c.quiz_id)
        .join(finals, finals.c.course_id == grades.c.course_id)
        .where(Quiz.kind == QuizKind.FINAL, Quiz.retired.is_(False), grades.c.passed.is_(True))
        .group_by(grades.c.user_id, grades.c.course_id)
        .having(sa.func.count() == sa.func.max(finals.c.finals))
        .subquery("passed_finals")
    )
    select = (
        sa.select(Enrolment.user_id, Enrolment.course_id, Enrolment.cohort_id, Enrolment.enrolled_at,
                  done.c.user_id.is_not(None), passed_finals.c.user_id.is_not(None))
        .outerjoin(done, sa.and_(done.c.user_id == Enrolment.user_id, done.c.course_id == Enrolment.course_id))
        .outerjoin(passed_finals, sa.and_(passed_finals.c.user_id == Enrolment.user_id,
                                          passed_finals.c.course_id == Enrolment.course_id))
    )
    db.session.execute(sa.insert(target).from_select(
        ["user_id", "course_id", "cohort_id", "enrolled_at", "completed", "passed"], select))


def _population() -> sa.Subquery:
    """(user_id, track_id, cohort_id, enrolled_at): one row per trainee enrolled in a course the track requires,
    with their first such enrolment's time and the cohort of the earliest one that has a cohort."""
    order = (sa.case((Enrolment.cohort_id.is_(None), 1), else_=0), Enrolment.enrolled_at, Enrolment.cohort_id)
    window = {"partition_by": (Enrolment.user_id, TrackCourse.track_id)}
    ranked = (
        sa.select(
            Enrolment.user_id, TrackCourse.track_id, Enrolment.cohort_id,
            sa.func.min(Enrolment.enrolled_at).over(**window).label("enrolled_at"),
            sa.func.row_number().over(**window, order_by=order).label("pick"),
        )
        .join(Course, Course.id == Enrolment.course_id)
        .join(TrackCourse, TrackCourse.course_slug == Course.slug)
        .subquery("ranked")
    )
    return (
        sa.select(ranked.c.user_id, ranked.c.track_id, ranked.c.cohort_id, ranked.c.enrolled_at)
        .where(ranked.c.pick == 1)
        .subquery("population")
    )


def _insert_pipeline_rows(target: sa.Table, now: datetime) -> None:
    p = _population()
    completed = stages.track_courses_completed().subquery("completed")
    passed = stages.track_exams_passed().subquery("passed")
    practicum = stages.practicum_passed().subquery("practicum")
    certified = stages.certified(now).subquery("certified")
    rostered = listed_user_ids(now).subquery("rostered")  # the roster's own definition

    def same(sq: sa.Subquery) -> sa.ColumnElement[bool]:
        return sa.and_(sq.c.user_id == p.c.user_id, sq.c.track_id == p.c.track_id)

    select = (
        sa.select(
            p.c.user_id, p.c.track_id, p.c.cohort_id, p.c.enrolled_at, User.prefecture_code, User.organisation,
            completed.c.user_id.is_not(None), passed.c.user_id.is_not(None), practicum.c.user_id.is_not(None),
            certified.c.user_id.is_not(None), sa.and_(certified.c.user_id.is_not(None),
                                                      rostered.c.user_id.is_not(None)),
        )
        .select_from(p)
        .join(User, User.id == p.c.user_id)
        .outerjoin(completed, same(completed))
        .outerjoin(passed, same(passed))
        .outerjoin(practicum, same(practicum))
        .outerjoin(certified, same(certified))
        .outerjoin(rostered, rostered.c.user_id == p.c.user_id)
    )
    db.session.execute(sa.insert(target).from_select(
        ["user_id", "track_id", "cohort_id", "enrolled_at", "prefecture_code", "organisation",
         "completed", "passed", "practicum", "certified", "rostered"], select))
