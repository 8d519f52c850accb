"""The ``courses`` content source: read and validate courses/, then bring the database in line.

Parsing reads every file and validates it; Markdown is rendered only for files whose hash differs from the
stored one (unchanged files keep their stored rendering, and their lesson links are re-checked against the new
set of lessons). Writing adds, updates and retires; it never deletes a lesson, so learners' history stays.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import multiprocessing
import os
import posixpath
import re
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3
import sqlalchemy as sa

from lms.core import audit
from lms.core.content import Changes, LineDict, Problems, check_keys, read_text, split_front_matter
from lms.core.db import db, utcnow
from lms.core.markdown import Rendered, render
from lms.curriculum.models import LANGUAGES, Course, Lesson, LessonText, LessonVersion, Level

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)(?P<ja>\.ja)?\.md$")
QUIZ_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
IGNORED_FILES = {"README.md", ".DS_Store"}

COURSE_REQUIRED = {"title", "summary", "level", "objectives", "estimated_hours"}
COURSE_OPTIONAL = {"prerequisites", "owners"}
COURSE_JA_REQUIRED = {"title"}
COURSE_JA_OWN = {"title", "summary", "objectives"}
LESSON_REQUIRED = {"title", "objectives", "minutes", "sources"}
LESSON_OPTIONAL = {"quiz"}
LESSON_JA_REQUIRED = {"title", "objectives"}
LESSON_JA_OWN = {"title", "objectives", "sources"}


def lesson_path(course_slug: str, key: str) -> str:
    """The lesson page's path (the route of ``curriculum.lesson``), used in rendered links."""
    return f"/courses/{course_slug}/{key}"


def course_path(course_slug: str) -> str:
    return f"/courses/{course_slug}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------------------
# Parsed results (the interface other content sources read from parsed["courses"])


@dataclass
class ParsedText:
    language: str
    path: Path
    source: str
    content_hash: str
    meta: LineDict
    body: str
    body_line: int
    title: str = ""
    #: Courses only.
    summary: str = ""
    objectives: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    #: None when the stored rendering is still current (the file did not change).
    rendered: Rendered | None = None
    links: list[str] = field(default_factory=list)
    #: The file is unchanged since it was stored: its fields come from the database, its YAML is not parsed.
    reused: bool = False


@dataclass
class ParsedLesson:
    key: str
    slug: str
    number: int
    quiz: str | None
    path: Path
    line: int
    minutes: int = 0
    texts: dict[str, ParsedText] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return sha256("".join(self.texts[lang].content_hash if lang in self.texts else "-" for lang in LANGUAGES))


@dataclass
class ParsedCourse:
    slug: str
    path: Path
    line: int = 1
    level: str = ""
    estimated_hours: float = 0
    prerequisites: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    texts: dict[str, ParsedText] = field(default_factory=dict)
    lessons: dict[str, ParsedLesson] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return sha256("".join(self.texts[lang].content_hash if lang in self.texts else "-" for lang in LANGUAGES))


# ---------------------------------------------------------------------------------------------------------
# Reading one file


def _line_of(meta: LineDict, key: str) -> int:
    value = meta.get(key)
    return getattr(value, "line", 0) or meta.line


def _text(meta: LineDict, key: str, path: Path, problems: Problems, *, limit: int = 300) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(path, _line_of(meta, key), f"'{key}' must be a non-empty text")
        return ""
    if len(value) > limit:
        problems.add(path, _line_of(meta, key), f"'{key}' is longer than {limit} characters")
    return value.strip()


def _text_list(meta: LineDict, key: str, path: Path, problems: Problems, *, allow_empty: bool = False) -> list[str]:
    value = meta.get(key)
    if value is None and allow_empty:
        return []
    if not isinstance(value, list) or (not value and not allow_empty):
        problems.add(path, _line_of(meta, key), f"'{key}' must be a list with at least one item")
        return []
    if not all(isinstance(item, str) and item.strip() for item in value):
        problems.add(path, _line_of(meta, key), f"every item of '{key}' must be a non-empty text")
        return []
    return [item.strip() for item in value]


def _sources(meta: LineDict, path: Path, problems: Problems) -> list[dict[str, str]]:
    value = meta.get("sources")
    if not isinstance(value, list) or not value:
        problems.add(path, _line_of(meta, "sources"), "'sources' must be a list with at least one item")
        return []
    result = []
    for item in value:
        line = getattr(item, "line", None) or _line_of(meta, "sources")
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            problems.add(path, line, "each source needs exactly a 'title' and a 'url'")
            continue
        title, url = item["title"], item["url"]
        if not isinstance(title, str) or not title.strip():
            problems.add(path, line, "a source's 'title' must be a non-empty text")
            continue
        if not isinstance(url, str) or not re.match(r"^https?://[^\s]+$", url):
            problems.add(path, line, "a source's 'url' must start with http:// or https://")
            continue
        result.append({"title": title.strip(), "url": url})
    return result


def _positive_number(meta: LineDict, key: str, path: Path, problems: Problems, *, integer: bool) -> float:
    value = meta.get(key)
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
        problems.add(path, _line_of(meta, key), f"'{key}' must be a positive {'whole ' if integer else ''}number")
        return 0
    return value


def _same_as_base(meta: LineDict, base: LineDict, own: set[str], path: Path, problems: Problems) -> None:
    for key in sorted(meta.keys() - own):
        if key not in base:
            problems.add(path, meta.line, f"unknown key '{key}'")
        elif meta[key] != base[key]:
            problems.add(path, meta.line, f"'{key}' differs from the English file; give it only there")


def read_file(path: Path, problems: Problems) -> tuple[str, LineDict, str, int] | None:
    text = read_text(path, problems)
    if text is None:
        return None
    split = split_front_matter(text, path, problems)
    return None if split is None else (text, *split)


def parse_lesson_base(text: ParsedText, problems: Problems) -> tuple[int, str | None]:
    """Validate a lesson's English front matter into ``text``; returns (minutes, quiz)."""
    meta, path = text.meta, text.path
    check_keys(meta, path, problems, required=LESSON_REQUIRED, optional=LESSON_OPTIONAL, what="lesson front matter")
    text.title = _text(meta, "title", path, problems) if "title" in meta else ""
    text.objectives = _text_list(meta, "objectives", path, problems) if "objectives" in meta else []
    text.sources = _sources(meta, path, problems) if "sources" in meta else []
    minutes = int(_positive_number(meta, "minutes", path, problems, integer=True)) if "minutes" in meta else 0
    quiz = meta.get("quiz")
    if quiz is not None and (not isinstance(quiz, str) or not QUIZ_ID.match(quiz)):
        problems.add(path, _line_of(meta, "quiz"), "'quiz' must be a quiz id (letters, digits, '-', '_', '.')")
        quiz = None
    return minutes, quiz


def parse_lesson_translation(text: ParsedText, base: ParsedText, problems: Problems) -> None:
    meta, path = text.meta, text.path
    for key in sorted(LESSON_JA_REQUIRED - meta.keys()):
        problems.add(path, meta.line, f"lesson front matter: missing required key '{key}'")
    _same_as_base(meta, base.meta, LESSON_JA_OWN, path, problems)
    text.title = _text(meta, "title", path, problems) if "title" in meta else ""
    text.objectives = _text_list(meta, "objectives", path, problems) if "objectives" in meta else []
    text.sources = _sources(meta, path, problems) if "sources" in meta else list(base.sources)


def _first_line_with(body: str, needle: str, body_line: int) -> int:
    for offset, line in enumerate(body.splitlines()):
        if needle in line:
            return body_line + offset
    return body_line


def plain_text(title: str, html: str) -> str:
    """Title and the rendered body without tags, for search."""
    return f"{title}\n{html_lib.unescape(nh3.clean(html, tags=set()))}"


# ---------------------------------------------------------------------------------------------------------
# Link resolution


class Index:
    """Which courses and lessons exist (as parsed), to resolve relative links."""

    def __init__(self, lessons: Mapping[str, set[str]]) -> None:
        #: course slug -> lesson keys
        self.lessons = lessons

    def resolver(self, course_slug: str):
        def resolve(href: str) -> str | None:
            target, _, anchor = href.partition("#")
            normal = posixpath.normpath(posixpath.join(course_slug, target))
            parts = normal.split("/")
            if len(parts) != 2 or parts[0] not in self.lessons:
                return None
            course, name = parts
            suffix = f"#{anchor}" if anchor else ""
            if name in ("course.md", "course.ja.md"):
                return course_path(course) + suffix
            match = LESSON_FILE.match(name)
            if not match:
                return None
            key = f"{match['number']}-{match['slug']}"
            if key not in self.lessons[course]:
                return None
            return lesson_path(course, key) + suffix

        return resolve


def render_text(text: ParsedText, course_slug: str, index: Index, problems: Problems) -> None:
    if text.rendered is None:
        text.rendered = render(text.body, index.resolver(course_slug))
    text.links = _relative_links(text.body)
    for href in dict.fromkeys(text.rendered.broken_links):
        problems.add(
            text.path,
            _first_line_with(text.body, href, text.body_line),
            f"link to a lesson that does not exist: '{href}'",
        )


#: Below this many lessons to render, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200
_worker_index: Index | None = None


def _init_worker(lessons: dict[str, set[str]]) -> None:
    global _worker_index  # noqa: PLW0603 - one index per worker process, set once
    _worker_index = Index(lessons)


def _render_batch(course_slug: str, bodies: list[str]) -> list[Rendered]:
    assert _worker_index is not None  # noqa: S101 - set by the pool's initializer
    resolve = _worker_index.resolver(course_slug)
    return [render(body, resolve) for body in bodies]


def _render_in_parallel(courses: dict[str, ParsedCourse], index: Index) -> None:
    """Render the changed lessons on every core (Markdown is pure Python and CPU-bound); results are the same
    as rendering one by one. Small syncs render in this process."""
    batches = {
        slug: [t for lesson in course.lessons.values() for t in lesson.texts.values() if not t.reused]
        for slug, course in courses.items()
    }
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or sum(len(b) for b in batches.values()) < PARALLEL_THRESHOLD:
        return
    # Forked workers only render text: they never touch the inherited database connections, and they leave
    # with os._exit, so those connections are neither used nor closed by them.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(index.lessons,)) as pool:
        futures = {
            slug: pool.submit(_render_batch, slug, [t.body for t in texts]) for slug, texts in batches.items() if texts
        }
        for slug, future in futures.items():
            for text, rendered in zip(batches[slug], future.result(), strict=True):
                text.rendered = rendered


_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?")


def _relative_links(body: str) -> list[str]:
    found = []
    for href in _MD_LINK.findall(body):
        path = href.split("#", 1)[0]
        if path and ":" not in path and not path.startswith("/") and path.endswith(".md"):
            found.append(href)
    return sorted(set(found))


# ---------------------------------------------------------------------------------------------------------
# The content source


class CourseSource:
    name = "courses"

    def parse(self, root: Path, parsed: Mapping[str, Any], problems: Problems) -> dict[str, ParsedCourse]:
        folder = root / "courses"
        courses: dict[str, ParsedCourse] = {}
        if not folder.is_dir():
            return courses
        self._stored_texts, self._stored_lessons = _stored()
        for course_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            course = self._read_course(course_dir, problems)
            if course is not None:
                courses[course.slug] = course
        self._check_references(courses, problems)
        self._render(courses, problems)
        return courses

    # -- reading

    def _read_course(self, course_dir: Path, problems: Problems) -> ParsedCourse | None:  # noqa: PLR0912, PLR0915
        slug = course_dir.name
        if not SLUG.match(slug):
            problems.add(course_dir, None, "a course folder name must be lower-case letters, digits and hyphens")
            return None
        course = ParsedCourse(slug=slug, path=course_dir / "course.md")
        if not course.path.exists():
            problems.add(course_dir, None, "course.md is missing")
        else:
            self._read_course_files(course, problems)
        by_number: dict[int, Path] = {}
        by_slug: dict[str, Path] = {}
        translations: list[tuple[str, Path]] = []
        for path in sorted(course_dir.iterdir()):
            name = path.name
            if name in ("course.md", "course.ja.md") or name in IGNORED_FILES or name.startswith("."):
                continue
            match = LESSON_FILE.match(name)
            if not match or not path.is_file():
                problems.add(
                    path, None, "unexpected file: lessons are named NN-<slug>.md or NN-<slug>.ja.md (lower case)"
                )
                continue
            key = f"{match['number']}-{match['slug']}"
            if match["ja"]:
                translations.append((key, path))
                continue
            number = int(match["number"])
            if number in by_number:
                problems.add(path, None, f"lesson number {match['number']} is also used by {by_number[number].name}")
                continue
            if match["slug"] in by_slug:
                other = by_slug[match["slug"]].name
                problems.add(path, None, f"duplicate lesson slug '{match['slug']}' (also {other})")
                continue
            by_number[number], by_slug[match["slug"]] = path, path
            lesson = self._read_lesson(path, slug, key, match["slug"], number, problems)
            if lesson is not None:
                course.lessons[key] = lesson
        for key, path in translations:
            lesson = course.lessons.get(key)
            if lesson is None:
                if not any(problem.path.endswith(f"{key}.md") for problem in problems):
                    problems.add(path, None, f"translation without an English file {key}.md")
                continue
            source = read_text(path, problems)
            if source is None:
                continue
            base = lesson.texts["en"]
            text = self._reuse(source, path, slug, key, "ja") if base.reused else None
            if text is None:
                split = split_front_matter(source, path, problems)
                if split is None:
                    continue
                if base.reused:  # the translation changed: check it against the base file's front matter
                    base_split = split_front_matter(base.source, base.path, problems)
                    if base_split is None:
                        continue
                    base.meta = base_split[0]
                text = ParsedText("ja", path, source, sha256(source), *split)
                parse_lesson_translation(text, base, problems)
            lesson.texts["ja"] = text
        return course

    def _read_course_files(self, course: ParsedCourse, problems: Problems) -> None:
        read = read_file(course.path, problems)
        if read is None:
            return
        base = ParsedText("en", course.path, read[0], sha256(read[0]), *read[1:])
        meta, path = base.meta, base.path
        course.line = meta.line
        check_keys(meta, path, problems, required=COURSE_REQUIRED, optional=COURSE_OPTIONAL, what="course front matter")
        base.title = _text(meta, "title", path, problems) if "title" in meta else ""
        base.summary = _text(meta, "summary", path, problems, limit=1000) if "summary" in meta else ""
        base.objectives = _text_list(meta, "objectives", path, problems) if "objectives" in meta else []
        if "level" in meta:
            if meta["level"] not in {level.value for level in Level}:
                problems.add(path, meta.line, "'level' must be one of: foundation, intermediate, advanced")
            else:
                course.level = meta["level"]
        if "estimated_hours" in meta:
            course.estimated_hours = float(_positive_number(meta, "estimated_hours", path, problems, integer=False))
        course.prerequisites = _text_list(meta, "prerequisites", path, problems, allow_empty=True)
        owners = _text_list(meta, "owners", path, problems, allow_empty=True)
        for owner in owners:
            if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", owner):
                problems.add(path, _line_of(meta, "owners"), f"owner '{owner}' is not an email address")
        course.owners = [o.lower() for o in owners]
        course.texts["en"] = base
        ja_path = course.path.with_name("course.ja.md")
        if ja_path.exists():
            read = read_file(ja_path, problems)
            if read is None:
                return
            ja = ParsedText("ja", ja_path, read[0], sha256(read[0]), *read[1:])
            for key in sorted(COURSE_JA_REQUIRED - ja.meta.keys()):
                problems.add(ja_path, ja.meta.line, f"course front matter: missing required key '{key}'")
            _same_as_base(ja.meta, meta, COURSE_JA_OWN, ja_path, problems)
            ja.title = _text(ja.meta, "title", ja_path, problems) if "title" in ja.meta else ""
            if "summary" in ja.meta:
                ja.summary = _text(ja.meta, "summary", ja_path, problems, limit=1000)
            if "objectives" in ja.meta:
                ja.objectives = _text_list(ja.meta, "objectives", ja_path, problems)
            course.texts["ja"] = ja

    def _reuse(self, source: str, path: Path, course_slug: str, key: str, language: str) -> ParsedText | None:
        """The stored text if the file is unchanged since it was stored (validated then), else None."""
        known = self._stored_texts.get((course_slug, key, language))
        content_hash = sha256(source)
        if known is None or known["hash"] != content_hash:
            return None
        lines = source.splitlines(keepends=True)
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:  # pragma: no cover - a stored text always has front matter
            return None
        meta = LineDict()
        meta.line = 2
        return ParsedText(
            language, path, source, content_hash, meta, "".join(lines[end + 1 :]), end + 2,
            title=known["title"], objectives=known["objectives"], sources=known["sources"], links=known["links"],
            reused=True,
        )

    def _read_lesson(  # noqa: PLR0917
        self, path: Path, course_slug: str, key: str, slug: str, number: int, problems: Problems
    ) -> ParsedLesson | None:
        source = read_text(path, problems)
        if source is None:
            return None
        known_lesson = self._stored_lessons.get((course_slug, key))
        text = self._reuse(source, path, course_slug, key, "en") if known_lesson else None
        if text is not None and known_lesson is not None:
            minutes, quiz = known_lesson
        else:
            split = split_front_matter(source, path, problems)
            if split is None:
                return None
            text = ParsedText("en", path, source, sha256(source), *split)
            minutes, quiz = parse_lesson_base(text, problems)
        lesson = ParsedLesson(key=key, slug=slug, number=number, quiz=quiz, path=path, line=text.meta.line)
        lesson.minutes = minutes
        lesson.texts["en"] = text
        return lesson

    def _check_references(self, courses: dict[str, ParsedCourse], problems: Problems) -> None:
        for course in courses.values():
            for prerequisite in course.prerequisites:
                if prerequisite == course.slug:
                    problems.add(course.path, course.line, "a course cannot be its own prerequisite")
                elif prerequisite not in courses:
                    problems.add(course.path, course.line, f"prerequisite '{prerequisite}' is not a course")

    # -- rendering (only what changed)

    def _render(self, courses: dict[str, ParsedCourse], problems: Problems) -> None:
        index = Index({slug: set(course.lessons) for slug, course in courses.items()})
        _render_in_parallel(courses, index)
        for course in courses.values():
            resolve = index.resolver(course.slug)
            for text in course.texts.values():
                render_text(text, course.slug, index, problems)
            for lesson in course.lessons.values():
                for text in lesson.texts.values():
                    if text.reused:
                        for href in text.links:
                            if resolve(href) is None:
                                problems.add(
                                    text.path,
                                    _first_line_with(text.body, href, text.body_line),
                                    f"link to a lesson that does not exist: '{href}'",
                                )
                    else:
                        render_text(text, course.slug, index, problems)

    def write(self, result: dict[str, ParsedCourse], parsed: Mapping[str, Any]) -> Changes:
        return write_courses(result)


StoredTexts = dict[tuple[str, str, str], dict[str, Any]]
StoredLessons = dict[tuple[str, str], tuple[int, str | None]]


def _stored() -> tuple[StoredTexts, StoredLessons]:
    """What the database holds, to skip unchanged files: (course slug, lesson key, language) -> the text's hash,
    title, objectives, sources and links; (course slug, lesson key) -> (minutes, quiz). Two queries."""
    try:
        rows = db.session.execute(
            sa.select(
                Course.slug, Lesson.key, LessonText.language, LessonText.content_hash, LessonText.title,
                LessonText.objectives, LessonText.sources, LessonText.links,
            )
            .join(Lesson, Lesson.course_id == Course.id)
            .join(LessonText, LessonText.lesson_id == Lesson.id)
        ).all()
        lessons = db.session.execute(
            sa.select(Course.slug, Lesson.key, Lesson.minutes, Lesson.quiz_id).join(Lesson.course)
        ).all()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # pragma: no cover - tables not migrated yet
        db.session.rollback()
        return {}, {}
    texts = {
        (r.slug, r.key, r.language): {
            "hash": r.content_hash, "title": r.title, "objectives": r.objectives, "sources": r.sources,
            "links": r.links,
        }
        for r in rows
    }
    return texts, {(r.slug, r.key): (r.minutes, r.quiz_id) for r in lessons}


# ---------------------------------------------------------------------------------------------------------
# Writing


def _apply_course(course: Course, parsed: ParsedCourse) -> None:
    course.level = Level(parsed.level)
    course.estimated_hours = parsed.estimated_hours
    course.prerequisites = parsed.prerequisites
    course.owners = parsed.owners
    course.title = {lang: t.title for lang, t in parsed.texts.items() if t.title}
    course.summary = {lang: t.summary for lang, t in parsed.texts.items() if t.summary}
    course.objectives = {lang: t.objectives for lang, t in parsed.texts.items() if t.objectives}
    course.overview_html = {lang: t.rendered.html for lang, t in parsed.texts.items() if t.rendered}
    course.source = {lang: t.source for lang, t in parsed.texts.items()}
    course.content_hash = parsed.content_hash
    course.retired = False
    course.updated_at = utcnow()


def _fill_text(row: LessonText, text: ParsedText) -> None:
    if text.rendered is None:
        raise ValueError("a text to store must be rendered")
    row.title = text.title
    row.objectives = text.objectives
    row.sources = text.sources
    row.source = text.source
    row.html = text.rendered.html
    row.toc = text.rendered.toc
    row.links = text.links
    row.plain = plain_text(text.title, text.rendered.html)
    row.content_hash = text.content_hash
    row.updated_at = utcnow()


def write_courses(  # noqa: PLR0912, PLR0915 - one pass over courses, lessons and texts
    result: dict[str, ParsedCourse], *, actor_id: int | None = None
) -> Changes:
    changes = Changes()
    courses = {c.slug: c for c in db.session.scalars(sa.select(Course))}
    lessons: dict[tuple[int, str], Lesson] = {
        (lesson.course_id, lesson.key): lesson for lesson in db.session.scalars(sa.select(Lesson))
    }
    texts: dict[tuple[int, str], tuple[int, str, int]] = {
        (r.lesson_id, r.language): (r.id, r.content_hash, r.version)
        for r in db.session.execute(
            sa.select(
                LessonText.id, LessonText.lesson_id, LessonText.language, LessonText.content_hash, LessonText.version
            )
        )
    }
    seen_lessons: set[int] = set()
    for slug, parsed in result.items():
        course = courses.get(slug)
        if course is None:
            course = Course(slug=slug)
            _apply_course(course, parsed)
            db.session.add(course)
            changes.added.append(slug)
        elif course.content_hash != parsed.content_hash or course.retired:
            _apply_course(course, parsed)
            changes.changed.append(slug)
        else:
            changes.unchanged += 1
        for key, parsed_lesson in parsed.lessons.items():
            lesson = lessons.get((course.id, key)) if course.id is not None else None
            ident = f"{slug}/{key}"
            if lesson is None:
                # New rows are linked by relationship and inserted in one flush at the end (batched).
                lesson = Lesson(
                    course=course, key=key, slug=parsed_lesson.slug, number=parsed_lesson.number,
                    minutes=parsed_lesson.minutes, quiz_id=parsed_lesson.quiz, version=1,
                    content_hash=parsed_lesson.content_hash,
                )
                db.session.add(lesson)
                for lang, text in parsed_lesson.texts.items():
                    row = LessonText(lesson=lesson, language=lang, version=1)
                    _fill_text(row, text)
                    db.session.add(row)
                    db.session.add(_version(lesson, text, 1, "sync", actor_id))
                changes.added.append(ident)
                continue
            seen_lessons.add(lesson.id)
            if lesson.content_hash == parsed_lesson.content_hash and not lesson.retired:
                changes.unchanged += 1
                continue
            lesson.number, lesson.slug = parsed_lesson.number, parsed_lesson.slug
            lesson.minutes, lesson.quiz_id = parsed_lesson.minutes, parsed_lesson.quiz
            if lesson.content_hash != parsed_lesson.content_hash:
                lesson.version += 1
            lesson.content_hash = parsed_lesson.content_hash
            lesson.retired = False
            for lang in LANGUAGES:
                text = parsed_lesson.texts.get(lang)
                stored = texts.get((lesson.id, lang))
                if text is None:
                    if stored is not None:
                        db.session.execute(sa.delete(LessonText).where(LessonText.id == stored[0]))
                    continue
                if stored is not None and stored[1] == text.content_hash:
                    continue
                if text.rendered is None:  # stored under another hash than parse saw: render now
                    text.rendered = render(text.body)
                if stored is None:
                    row = LessonText(lesson_id=lesson.id, language=lang, version=1)
                    version = _next_version(lesson.id, lang)
                else:
                    row = db.session.get(LessonText, stored[0])
                    version = _next_version(lesson.id, lang)
                row.version = version
                _fill_text(row, text)
                db.session.add(row)
                db.session.add(_version(lesson, text, version, "sync", actor_id))
            changes.changed.append(ident)
    for (_course_id, _key), lesson in lessons.items():
        if lesson.id not in seen_lessons and not lesson.retired:
            lesson.retired = True
            changes.removed.append(f"{lesson.course.slug}/{lesson.key}")
    for slug, course in courses.items():
        if slug not in result and not course.retired:
            course.retired = True
            changes.removed.append(slug)
    db.session.flush()
    if changes.added or changes.changed or changes.removed:
        audit.record(
            "content.sync", "content", "courses", actor_id=actor_id,
            added=changes.added[:200], changed=changes.changed[:200], removed=changes.removed[:200],
        )
    return changes


def _next_version(lesson_id: int, language: str) -> int:
    current = db.session.scalar(
        sa.select(sa.func.max(LessonVersion.version)).where(
            LessonVersion.lesson_id == lesson_id, LessonVersion.language == language
        )
    )
    return (current or 0) + 1


def _version(lesson: Lesson, text: ParsedText, version: int, origin: str, actor_id: int | None) -> LessonVersion:
    return LessonVersion(
        lesson=lesson, language=text.language, version=version, source=text.source,
        content_hash=text.content_hash, origin=origin, author_id=actor_id,
    )
