"""The reports' snapshot: each trainee's stages, computed in SQL from the other features' tables at refresh time.

Computing every stage live (completions of 100,000 trainees, grades by each quiz's grading method, certificates
and the roster) takes seconds; the pages must answer within half a second. So ``operations.refresh`` writes one
row per enrolment with the stages its trainee had reached (three INSERT ... SELECT statements built from
``stages.py``), and the pages group these rows with the filters applied (covering indexes make that one index
scan). Every page says when the snapshot was
taken; ``lms reports refresh`` (run it from cron) and a button bring it up to date. The rows are derived data:
they hold no foreign keys, so nothing else has to know they exist.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import UTCDateTime, db


class Refresh(db.Model):
    """The one row (id 1) saying when the snapshot was last taken; locked while a refresh runs."""

    __tablename__ = "report_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: Null until the first refresh.
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How long the last refresh took.
    seconds: Mapped[float | None] = mapped_column(sa.Float)


class PipelineRow(db.Model):
    """A (trainee, track) pair: the trainee enrolled in a course the track requires, and the stages reached."""

    __tablename__ = "report_pipeline_rows"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    track_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: The cohort of the trainee's earliest enrolment in the track's courses that has one.
    cohort_id: Mapped[int | None]
    #: The trainee's first enrolment in a course the track requires (the date filters apply to it).
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The trainee's prefecture and organisation at refresh time.
    prefecture_code: Mapped[str | None] = mapped_column(sa.String(2))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    completed: Mapped[bool]
    passed: Mapped[bool]
    practicum: Mapped[bool]
    certified: Mapped[bool]
    rostered: Mapped[bool]

    # Covering the filters and the counted columns, so a table by track or cohort is one index scan.
    __table_args__ = (
        sa.Index("ix_report_pipeline_rows_scope", "track_id", "cohort_id", "enrolled_at", "completed", "passed",
                 "practicum", "certified", "rostered"),
    )


class CourseRow(db.Model):
    """An enrolment, with whether its trainee had completed the course and passed its final exams."""

    __tablename__ = "report_course_rows"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    course_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    cohort_id: Mapped[int | None]
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed: Mapped[bool]
    #: Passed every current final exam of the course (false when it has none; the page shows that apart).
    passed: Mapped[bool]

    __table_args__ = (
        sa.Index("ix_report_course_rows_scope", "course_id", "cohort_id", "enrolled_at", "completed", "passed"),
    )


class QuizGrade(db.Model):
    """A trainee's grade on a quiz by its grading method, over their graded attempts."""

    __tablename__ = "report_quiz_grades"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    quiz_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    course_id: Mapped[int]
    grade: Mapped[float] = mapped_column(sa.Float)
    attempts: Mapped[int]
    passed: Mapped[bool]

    __table_args__ = (sa.Index("ix_report_quiz_grades_course", "course_id", "quiz_id"),)
