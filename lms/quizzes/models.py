"""Question banks, versioned questions, quizzes, attempts with their fixed question and option order, and the
responses (one row per question of an attempt: what was shown, what was answered, how it was graded).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import UTCDateTime, db, enum_type, utcnow
from lms.curriculum.models import Course, Lesson


class QuizKind(enum.StrEnum):
    LESSON = "lesson"
    FINAL = "final"


class GradingMethod(enum.StrEnum):
    HIGHEST = "highest"
    LAST = "last"
    AVERAGE = "average"


class ReviewPolicy(enum.StrEnum):
    AFTER_ATTEMPT = "after_attempt"
    AFTER_CLOSE = "after_close"
    NEVER = "never"


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    GRADED = "graded"


class Bank(db.Model):
    __tablename__ = "quiz_banks"

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    #: SHA-256 of the bank file as last synced; an unchanged file is not processed again.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: The file is gone; kept because attempts refer to its questions.
    retired: Mapped[bool] = mapped_column(default=False)


class CaseStudy(db.Model):
    __tablename__ = "quiz_case_studies"

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("quiz_banks.id"), index=True)
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    #: The shared SME scenario as sanitised HTML, per language.
    scenario_html: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    source: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    retired: Mapped[bool] = mapped_column(default=False)


class Question(db.Model):
    __tablename__ = "quiz_questions"

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("quiz_banks.id"), index=True)
    case_study_id: Mapped[str | None] = mapped_column(sa.ForeignKey("quiz_case_studies.id"), index=True)
    type: Mapped[str] = mapped_column(sa.String(32))
    difficulty: Mapped[str] = mapped_column(sa.String(16), default="medium")
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    points: Mapped[float] = mapped_column(sa.Float, default=1.0)
    #: Order in the bank file (case-study questions follow their case study's order).
    position: Mapped[int] = mapped_column(default=0)
    #: The version number new attempts use; older versions stay for the attempts that met them.
    current_version: Mapped[int] = mapped_column(default=1)
    retired: Mapped[bool] = mapped_column(default=False)


class QuestionVersion(db.Model):
    """An immutable version of a question: a correction of its key or text is a new version."""

    __tablename__ = "quiz_question_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.ForeignKey("quiz_questions.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: The definition with texts rendered to sanitised HTML (``types`` reads it); holds the answer key.
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("question_id", "version"),)

    @property
    def definition_type(self) -> str:
        return self.definition["type"]


class Quiz(db.Model):
    __tablename__ = "quizzes"

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    #: The lesson a lesson quiz closes; null for a final exam.
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lessons.id"), index=True)
    kind: Mapped[QuizKind] = mapped_column(enum_type(QuizKind, "quiz_kind"))
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    #: The pools as in the file: [{bank, tags, units, draw}].
    pools: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    time_limit_minutes: Mapped[int | None]
    #: Attempts allowed; null for unlimited.
    attempts_allowed: Mapped[int | None]
    grading: Mapped[GradingMethod] = mapped_column(enum_type(GradingMethod, "grading_method"))
    pass_mark: Mapped[float] = mapped_column(sa.Float)
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    available_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review: Mapped[ReviewPolicy] = mapped_column(enum_type(ReviewPolicy, "review_policy"))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship()
    lesson: Mapped[Lesson | None] = relationship()

    @property
    def course_slug(self) -> str:
        return self.course.slug

    __table_args__ = (
        sa.CheckConstraint("(kind = 'lesson') = (lesson_id IS NOT NULL)", name="lesson_iff_lesson_quiz"),
    )


class Attempt(db.Model):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[str] = mapped_column(sa.ForeignKey("quizzes.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: 1, 2, 3... per user and quiz; unique, so two concurrent starts cannot both create attempt n.
    number: Mapped[int]
    status: Mapped[AttemptStatus] = mapped_column(
        enum_type(AttemptStatus, "attempt_status"), default=AttemptStatus.OPEN
    )
    #: Seeds the draw and the shuffles of this attempt.
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    #: The quiz definition's hash when the attempt started (the content version the trainee met).
    quiz_hash: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When answers stop being accepted (time limit or end of the availability window); null for none.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the attempt counts as submitted: the deadline for a late submission.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[float | None] = mapped_column(sa.Float)
    max_points: Mapped[float] = mapped_column(sa.Float, default=0.0)
    percent: Mapped[float | None] = mapped_column(sa.Float)

    quiz: Mapped[Quiz] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="attempt", order_by="Response.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "user_id", "number"),
        sa.Index("ix_quiz_attempts_quiz_status", "quiz_id", "status"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )


class Response(db.Model):
    """One question of an attempt: the version shown, its fixed option order, the answer and its grade."""

    __tablename__ = "quiz_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(sa.ForeignKey("quiz_questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_question_versions.id"))
    case_study_id: Mapped[str | None] = mapped_column(sa.ForeignKey("quiz_case_studies.id"))
    #: The per-attempt presentation (option order, item order) fixed at the start.
    layout: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: The cleaned answer (see lms.quizzes.types), null while unanswered.
    answer: Mapped[Any | None] = mapped_column(sa.JSON)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_points: Mapped[float] = mapped_column(sa.Float)
    #: 0..1 once graded.
    fraction: Mapped[float | None] = mapped_column(sa.Float)
    points: Mapped[float | None] = mapped_column(sa.Float)
    #: A short text of the answer, grouped by item statistics (Moodle's response summary).
    summary: Mapped[str | None] = mapped_column(sa.String(200))

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    version: Mapped[QuestionVersion] = relationship()

    @property
    def definition(self) -> dict[str, Any]:
        """The definition of the version shown (as on a submission sheet's response)."""
        return self.version.definition

    __table_args__ = (sa.UniqueConstraint("attempt_id", "position"),)
