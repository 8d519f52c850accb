"""Curriculum writes and their audit entries: enrolment, completion, cohorts, browser authoring, export.

Nothing here commits; the caller commits once, so a refusal leaves the database as it was.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.core import audit
from lms.core.content import Problem, Problems, split_front_matter
from lms.core.db import db, utcnow
from lms.core.markdown import Rendered
from lms.curriculum import rules
from lms.curriculum.models import (
    LANGUAGES,
    Cohort,
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    LessonText,
    LessonVersion,
)
from lms.curriculum.progress import course_completed, progress_for  # noqa: F401 - part of this module's API
from lms.curriculum.sync import (
    Index,
    ParsedText,
    parse_lesson_base,
    parse_lesson_translation,
    plain_text,
    render_text,
    sha256,
)

MAX_LESSON_CHARS = 1024 * 1024

#: The messages of ``rules.parse_enrolment_csv``, listed here so they are extracted and translated.
CSV_MESSAGES = (
    _l("no email in this row"),
    _l("not a valid email address"),
    _l("the file is not a readable CSV"),
    _l("the first line must be a header with an 'email' column"),
    _l("the file has no rows after the header"),
)


class CurriculumError(ValueError):
    """A refused change, with a user-facing message and the HTTP status that fits it."""

    def __init__(self, message: str, status: int = 422, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems = problems or []


# ---------------------------------------------------------------------------------------------------------
# Enrolment and progress


def enrol(user: User, course: Course, *, actor_id: int | None, cohort: Cohort | None = None) -> Enrolment:
    """Enrol ``user``; enrolling twice is refused with 409."""
    if course.retired:
        raise CurriculumError(_("This course is no longer offered."), 409)
    existing = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )
    if existing is not None:
        raise CurriculumError(_("Already enrolled in this course."), 409)
    enrolment = Enrolment(
        user_id=user.id,
        course_id=course.id,
        cohort_id=cohort.id if cohort else None,
        enrolled_by_id=actor_id if actor_id != user.id else None,
    )
    db.session.add(enrolment)
    db.session.flush()
    audit.record(
        "enrolment.create", "enrolment", enrolment.id, actor_id=actor_id, user_id=user.id, course=course.slug,
        cohort_id=enrolment.cohort_id,
    )
    return enrolment


def open_lesson(enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember the last lesson opened, for "continue where you left off" (not audited: not a transition)."""
    if enrolment.last_lesson_id != lesson.id:
        enrolment.last_lesson_id = lesson.id


def complete_lesson(user_id: int, lesson: Lesson, enrolment: Enrolment | None) -> LessonCompletion | None:
    """Mark a lesson complete at its current version; None if it already was (a repeat changes nothing)."""
    if enrolment is None:
        raise CurriculumError(_("Enrol in the course before marking lessons complete."), 409)
    if lesson.retired:
        raise CurriculumError(_("This lesson is no longer part of the course."), 409)
    if db.session.scalar(
        sa.select(LessonCompletion.id).where(
            LessonCompletion.user_id == user_id, LessonCompletion.lesson_id == lesson.id
        )
    ):
        return None
    completion = LessonCompletion(
        user_id=user_id, lesson_id=lesson.id, version=lesson.version, content_hash=lesson.content_hash
    )
    db.session.add(completion)
    db.session.flush()
    audit.record(
        "lesson.complete", "lesson", lesson.id, actor_id=user_id, version=lesson.version,
        content_hash=lesson.content_hash,
    )
    return completion


def create_cohort(name: str, starts_on: date, ends_on: date, *, actor_id: int | None) -> Cohort:
    name = name.strip()
    if not name:
        raise CurriculumError(_("Give the cohort a name."))
    if ends_on < starts_on:
        raise CurriculumError(_("The end date must not be before the start date."))
    if db.session.scalar(sa.select(Cohort.id).where(Cohort.name == name)):
        raise CurriculumError(_("A cohort with this name already exists."), 409)
    cohort = Cohort(name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(cohort)
    db.session.flush()
    audit.record("cohort.create", "cohort", cohort.id, actor_id=actor_id, name=name)
    return cohort


@dataclass
class BulkResult:
    line: int
    email: str
    #: ``enrolled``, ``already`` (nothing to do) or ``error``.
    outcome: str
    message: str = ""


def bulk_enrol(
    csv_text: str, course: Course, *, cohort: Cohort | None, actor_id: int
) -> tuple[list[BulkResult], bool]:
    """Enrol every user named in the CSV. All or nothing: if any row is bad, nothing is written and every
    row's result says why. Returns (results, written)."""
    if course.retired:
        raise CurriculumError(_("This course is no longer offered."), 409)
    rows, file_error = rules.parse_enrolment_csv(csv_text)
    if file_error:
        raise CurriculumError(_("The CSV file cannot be used: %(reason)s.", reason=_(file_error)))
    emails = [row.email for row in rows if row.error is None]
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))} if emails else {}
    enrolled = set(
        db.session.scalars(
            sa.select(Enrolment.user_id).where(
                Enrolment.course_id == course.id, Enrolment.user_id.in_([u.id for u in users.values()])
            )
        )
    )
    results = []
    for row in rows:
        if row.error:
            results.append(BulkResult(row.line, row.email, "error", _(row.error) if " of line " not in row.error
                                      else _("duplicate of line %(n)s", n=row.error.rsplit(" ", 1)[1])))
        elif row.email not in users:
            results.append(BulkResult(row.line, row.email, "error", _("no account with this email")))
        elif not users[row.email].active:
            results.append(BulkResult(row.line, row.email, "error", _("the account is deactivated")))
        elif users[row.email].id in enrolled:
            results.append(BulkResult(row.line, row.email, "already", _("already enrolled")))
        else:
            results.append(BulkResult(row.line, row.email, "enrolled", _("enrolled")))
    if any(r.outcome == "error" for r in results):
        return results, False
    for result in results:
        if result.outcome == "enrolled":
            enrol(users[result.email], course, actor_id=actor_id, cohort=cohort)
    return results, True


# ---------------------------------------------------------------------------------------------------------
# Authoring in the browser


def may_author(user: User, course: Course) -> bool:
    from lms.core.access import Permission

    return user.can(Permission.COURSE_AUTHOR_ANY) or (
        user.can(Permission.COURSE_AUTHOR) and course.owned_by(user.email)
    )


def _index() -> Index:
    lessons: dict[str, set[str]] = {}
    for slug, key in db.session.execute(
        sa.select(Course.slug, Lesson.key)
        .outerjoin(Lesson, sa.and_(Lesson.course_id == Course.id, Lesson.retired.is_(False)))
        .where(Course.retired.is_(False))
    ):
        lessons.setdefault(slug, set())
        if key:
            lessons[slug].add(key)
    return Index(lessons)


def _file_path(course: Course, lesson: Lesson, language: str) -> Path:
    return Path("courses") / course.slug / (f"{lesson.key}.md" if language == "en" else f"{lesson.key}.ja.md")


def check_lesson_text(course: Course, lesson: Lesson, language: str, source: str) -> ParsedText:
    """Validate and render a lesson file's text as sync would; raise CurriculumError listing every problem."""
    source = source.replace("\r\n", "\n")
    path = _file_path(course, lesson, language)
    problems = Problems(Path())
    if len(source) > MAX_LESSON_CHARS:
        raise CurriculumError(_("The lesson is too long: at most %(n)s characters.", n=f"{MAX_LESSON_CHARS:,}"))
    split = split_front_matter(source, path, problems)
    text = None
    if split is not None:
        text = ParsedText(language, path, source, sha256(source), *split)
        if language == "en":
            parse_lesson_base(text, problems)
        else:
            base_row = db.session.scalar(
                sa.select(LessonText).where(LessonText.lesson_id == lesson.id, LessonText.language == "en")
            )
            base_split = split_front_matter(base_row.source, path, Problems(Path())) if base_row else None
            base = ParsedText("en", path, "", "", *base_split) if base_split else None
            if base is not None:
                base.sources = base_row.sources
                parse_lesson_translation(text, base, problems)
        if not problems:
            render_text(text, course.slug, _index(), problems)
    if problems or text is None:
        raise CurriculumError(_("The lesson has problems; nothing was saved."), 422, sorted(problems))
    return text


def preview(course: Course, lesson: Lesson, language: str, source: str) -> Rendered:
    """Render without saving (the live preview); problems are raised like a save would."""
    text = check_lesson_text(course, lesson, language, source)
    if text.rendered is None:  # pragma: no cover - check_lesson_text renders or raises
        raise CurriculumError(_("The lesson has problems; nothing was saved."))
    return text.rendered


def save_lesson_text(
    course: Course, lesson: Lesson, language: str, source: str, *, actor_id: int, origin: str = "edit"
) -> LessonVersion | None:
    """Save a new version of one language of a lesson; None if the text is unchanged."""
    text = check_lesson_text(course, lesson, language, source)
    if text.rendered is None:  # pragma: no cover - check_lesson_text renders or raises
        raise CurriculumError(_("The lesson has problems; nothing was saved."))
    row = db.session.scalar(
        sa.select(LessonText).where(LessonText.lesson_id == lesson.id, LessonText.language == language)
    )
    if row is not None and row.content_hash == text.content_hash:
        return None
    number = (
        db.session.scalar(
            sa.select(sa.func.max(LessonVersion.version)).where(
                LessonVersion.lesson_id == lesson.id, LessonVersion.language == language
            )
        )
        or 0
    ) + 1
    if row is None:
        row = LessonText(lesson_id=lesson.id, language=language)
        db.session.add(row)
    row.version = number
    row.title, row.objectives, row.sources = text.title, text.objectives, text.sources
    row.source, row.html, row.toc, row.links = text.source, text.rendered.html, text.rendered.toc, text.links
    row.plain = plain_text(text.title, text.rendered.html)
    row.content_hash = text.content_hash
    row.updated_at = utcnow()
    if language == "en":
        minutes = text.meta.get("minutes")
        lesson.minutes = minutes if isinstance(minutes, int) else lesson.minutes
        lesson.quiz_id = text.meta.get("quiz")
    db.session.flush()
    hashes = dict(
        db.session.execute(
            sa.select(LessonText.language, LessonText.content_hash).where(LessonText.lesson_id == lesson.id)
        ).all()
    )
    lesson.content_hash = sha256("".join(hashes.get(lang, "-") for lang in LANGUAGES))
    lesson.version += 1
    version = LessonVersion(
        lesson_id=lesson.id, language=language, version=number, source=text.source,
        content_hash=text.content_hash, origin=origin, author_id=actor_id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        f"lesson.{origin}", "lesson", lesson.id, actor_id=actor_id, language=language, version=number,
        content_hash=text.content_hash,
    )
    return version


def restore_version(course: Course, lesson: Lesson, version: LessonVersion, *, actor_id: int) -> LessonVersion | None:
    if version.lesson_id != lesson.id:
        raise CurriculumError(_("That version belongs to another lesson."), 404)
    return save_lesson_text(course, lesson, version.language, version.source, actor_id=actor_id, origin="restore")


def export_course(course: Course) -> bytes:
    """The course as a zip of ``courses/<slug>/...`` files, exactly what ``lms content sync`` reads."""
    buffer = io.BytesIO()
    folder = f"courses/{course.slug}"
    rows = db.session.execute(
        sa.select(Lesson.key, LessonText.language, LessonText.source)
        .join(LessonText, LessonText.lesson_id == Lesson.id)
        .where(Lesson.course_id == course.id, Lesson.retired.is_(False))
        .order_by(Lesson.number, LessonText.language)
    ).all()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for language, source in sorted(course.source.items()):
            name = "course.md" if language == "en" else f"course.{language}.md"
            archive.writestr(f"{folder}/{name}", source.encode("utf-8"))
        for key, language, source in rows:
            name = f"{key}.md" if language == "en" else f"{key}.{language}.md"
            archive.writestr(f"{folder}/{name}", source.encode("utf-8"))
    return buffer.getvalue()
