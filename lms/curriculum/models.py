"""Courses, lessons (per-language texts and their versions), cohorts, enrolments and completions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import UTCDateTime, db, enum_type, utcnow

LANGUAGES = ("en", "ja")


class Level(enum.StrEnum):
    FOUNDATION = "foundation"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: ``{en, ja}`` mappings; a missing language is absent (the page shows the other one with a note).
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    summary: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    #: ``{en: [..], ja: [..]}``.
    objectives: Mapped[dict[str, list[str]]] = mapped_column(sa.JSON, default=dict)
    #: Rendered, sanitised overview HTML per language.
    overview_html: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    level: Mapped[Level] = mapped_column(enum_type(Level, "course_level"))
    #: Course slugs that should be completed first.
    prerequisites: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    estimated_hours: Mapped[float] = mapped_column(sa.Float)
    #: Emails of the instructors who may edit the course.
    owners: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The course files as last synced or exported, ``{en: text of course.md, ja: text of course.ja.md}``.
    source: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    #: SHA-256 of the course files, to skip unchanged ones at sync.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: The folder is gone from courses/: hidden from the catalogue, history kept.
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(back_populates="course", order_by="Lesson.number")

    def owned_by(self, email: str) -> bool:
        return email.lower() in {o.lower() for o in self.owners}


class Lesson(db.Model):
    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    #: ``NN-slug``, the file name without ``.md``; unique in its course.
    key: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(100))
    #: ``NN``: the order in the course.
    number: Mapped[int]
    minutes: Mapped[int]
    #: The id of the quiz that closes the lesson (assessments/), if any.
    quiz_id: Mapped[str | None] = mapped_column(sa.String(100))
    #: Increases whenever a language's text changes; completions record the version they met.
    version: Mapped[int] = mapped_column(default=1)
    #: SHA-256 over both languages' file hashes.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: The file is gone: hidden from the course, learners' completions kept.
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="lessons")
    texts: Mapped[list[LessonText]] = relationship(back_populates="lesson", order_by="LessonText.language")

    __table_args__ = (sa.UniqueConstraint("course_id", "key"),)


class LessonText(db.Model):
    """One language of a lesson: the file as written and its rendering (done once, at sync or save)."""

    __tablename__ = "lesson_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id"))
    language: Mapped[str] = mapped_column(sa.String(2))
    title: Mapped[str] = mapped_column(sa.String(300))
    objectives: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: ``[{title, url}]``.
    sources: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    #: The whole file (front matter and body), exactly as synced or saved: what export writes back.
    source: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text)
    #: Table of contents: ``[{level, id, name, children}]``.
    toc: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: Relative lesson links of the body as written, re-checked at each sync without re-rendering.
    links: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Title and body as plain text, for search.
    plain: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="texts")

    __table_args__ = (
        sa.UniqueConstraint("lesson_id", "language"),
        sa.CheckConstraint("language IN ('en', 'ja')", name="language"),
    )


class LessonVersion(db.Model):
    """Every text a lesson language has had, from files or from the browser; restorable."""

    __tablename__ = "lesson_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id"))
    language: Mapped[str] = mapped_column(sa.String(2))
    version: Mapped[int]
    source: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: ``sync``, ``edit`` or ``restore``.
    origin: Mapped[str] = mapped_column(sa.String(10))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("lesson_id", "language", "version"),
        sa.CheckConstraint("origin IN ('sync', 'edit', 'restore')", name="origin"),
    )


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates"),)


class Enrolment(db.Model):
    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who enrolled the user: null when they enrolled themselves.
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The lesson the user last opened, for "continue where you left off".
    last_lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lessons.id"))

    course: Mapped[Course] = relationship()
    cohort: Mapped[Cohort | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)


class LessonCompletion(db.Model):
    __tablename__ = "lesson_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id"), index=True)
    #: The lesson's version and content hash when it was completed.
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "lesson_id"),)
