"""The "tracks" content source: ``assessments/tracks/<track-id>/track.yml`` -> ``Track`` rows.

The format is documented in assessments/README.md ("Certification tracks"). Course slugs and final-exam ids
are checked against what the curriculum and quiz sources parsed, when those sources are registered.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lms.certification.models import Track, TrackCourse
from lms.core.content import (
    Changes,
    LineDict,
    LineList,
    Problems,
    check_keys,
    parse_yaml,
    read_text,
    reconcile,
)
from lms.core.db import db, utcnow
from lms.core.markdown import render

TRACKS_DIR = Path("assessments") / "tracks"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SERIAL_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
LANGUAGES = ("en", "ja")


@dataclass
class RequiredCourse:
    course: str
    final_exam: str
    min_score: int
    line: int


@dataclass
class ParsedTrack:
    id: str
    path: Path
    name: dict[str, str]
    summary: dict[str, str]
    serial_prefix: str
    validity_years: int
    practicum_required: bool
    renewal_ce_hours: int | None
    renewal_refresher_course: str | None
    content_hash: str
    required_courses: list[RequiredCourse] = field(default_factory=list)


def line_of(data: Any, fallback: int | None = None) -> int | None:
    return getattr(data, "line", None) or fallback


def bilingual(data: LineDict, key: str, path: Path, problems: Problems, what: str) -> dict[str, str] | None:
    """A ``{en: ..., ja: ...}`` text with both languages non-empty, or None (with a problem)."""
    value = data.get(key)
    line = line_of(value, data.line)
    if not isinstance(value, dict):
        problems.add(path, line, f"{what}: '{key}' must be a mapping {{en: ..., ja: ...}}")
        return None
    ok = True
    for extra in sorted(set(value) - set(LANGUAGES), key=str):
        problems.add(path, line, f"{what}: '{key}' has an unknown language '{extra}' (use en and ja)")
        ok = False
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.add(path, line, f"{what}: '{key}' needs a non-empty '{lang}' text")
            ok = False
    return {lang: value[lang].strip() for lang in LANGUAGES} if ok else None


def whole_number(
    data: LineDict, key: str, path: Path, problems: Problems, what: str, *, low: int, high: int
) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(path, data.line, f"{what}: '{key}' must be a whole number from {low} to {high}, not {value!r}")
        return None
    return value


class TrackSource:
    name = "tracks"

    def parse(self, root: Path, parsed: Mapping[str, Any], problems: Problems) -> dict[str, ParsedTrack]:
        tracks: dict[str, ParsedTrack] = {}
        base = root / TRACKS_DIR
        if not base.is_dir():
            return tracks
        prefixes: dict[str, Path] = {}
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            path = folder / "track.yml"
            if not path.is_file():
                problems.add(folder, None, "a track folder needs a track.yml")
                continue
            track = self._parse_file(path, folder.name, parsed, problems)
            if track is None:
                continue
            if track.serial_prefix in prefixes:
                problems.add(
                    path, None,
                    f"serial_prefix '{track.serial_prefix}' is already used by {prefixes[track.serial_prefix]}",
                )
                continue
            prefixes[track.serial_prefix] = path.relative_to(root) if path.is_relative_to(root) else path
            tracks[track.id] = track
        return tracks

    def _parse_file(
        self, path: Path, folder: str, parsed: Mapping[str, Any], problems: Problems
    ) -> ParsedTrack | None:
        text = read_text(path, problems)
        if text is None:
            return None
        data = parse_yaml(text, path, problems)
        if data is None and problems and problems[-1].path.endswith("track.yml"):
            return None
        if not isinstance(data, LineDict):
            problems.add(path, 1, "track.yml must be a mapping of keys to values")
            return None
        before = len(problems)
        what = "track"
        check_keys(
            data, path, problems,
            required={"id", "name", "summary", "serial_prefix", "required_courses", "practicum_required",
                      "validity_years", "renewal"},
            optional=set(), what=what,
        )
        track_id = data.get("id")
        if track_id != folder:
            problems.add(path, data.line, f"track: 'id' must equal the folder name '{folder}', not {track_id!r}")
        name = bilingual(data, "name", path, problems, what) if "name" in data else None
        summary = bilingual(data, "summary", path, problems, what) if "summary" in data else None
        prefix = data.get("serial_prefix")
        if "serial_prefix" in data and (not isinstance(prefix, str) or not SERIAL_PREFIX.match(prefix)):
            problems.add(
                path, data.line, f"track: 'serial_prefix' must be 2-16 upper-case letters or digits, not {prefix!r}"
            )
        validity = (
            whole_number(data, "validity_years", path, problems, what, low=1, high=20)
            if "validity_years" in data else None
        )
        practicum = data.get("practicum_required")
        if "practicum_required" in data and not isinstance(practicum, bool):
            problems.add(path, data.line, f"track: 'practicum_required' must be true or false, not {practicum!r}")
        hours, refresher = self._renewal(data.get("renewal"), data, path, parsed, problems)
        courses = self._courses(data.get("required_courses"), data, path, parsed, problems)
        if len(problems) > before:
            return None
        if name is None or summary is None or validity is None:  # pragma: no cover - reported above
            return None
        return ParsedTrack(
            id=folder, path=path, name=name, summary=summary, serial_prefix=prefix, validity_years=validity,
            practicum_required=practicum, renewal_ce_hours=hours, renewal_refresher_course=refresher,
            content_hash=hashlib.sha256(text.encode()).hexdigest(), required_courses=courses,
        )

    def _renewal(
        self, renewal: Any, data: LineDict, path: Path, parsed: Mapping[str, Any], problems: Problems
    ) -> tuple[int | None, str | None]:
        if "renewal" not in data:
            return None, None
        if not isinstance(renewal, LineDict):
            problems.add(path, data.line, "track: 'renewal' must be a mapping with continuing_education_hours "
                                          "and/or refresher_course")
            return None, None
        check_keys(renewal, path, problems, required=set(),
                   optional={"continuing_education_hours", "refresher_course"}, what="track renewal")
        hours = renewal.get("continuing_education_hours")
        if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 1000):
            problems.add(path, renewal.line,
                         f"track renewal: 'continuing_education_hours' must be a whole number from 1 to 1000 or null, "
                         f"not {hours!r}")
            hours = None
        refresher = renewal.get("refresher_course")
        if refresher is not None:
            if not isinstance(refresher, str) or not SLUG.match(refresher):
                problems.add(path, renewal.line, f"track renewal: 'refresher_course' must be a course slug or null, "
                                                 f"not {refresher!r}")
                refresher = None
            elif "courses" in parsed and refresher not in parsed["courses"]:
                problems.add(path, renewal.line, f"track renewal: refresher course '{refresher}' is not in courses/")
        if renewal.get("continuing_education_hours") is None and renewal.get("refresher_course") is None:
            problems.add(path, renewal.line,
                         "track renewal: give continuing_education_hours, a refresher_course, or both")
        return hours, refresher

    def _courses(
        self, items: Any, data: LineDict, path: Path, parsed: Mapping[str, Any], problems: Problems
    ) -> list[RequiredCourse]:
        if "required_courses" not in data:
            return []
        if not isinstance(items, LineList) or not items:
            problems.add(path, data.line, "track: 'required_courses' must be a list of at least one course")
            return []
        courses = parsed.get("courses")
        quizzes = getattr(parsed.get("assessments"), "quizzes", None) if "assessments" in parsed else None
        result: list[RequiredCourse] = []
        seen: set[str] = set()
        for item in items:
            line = line_of(item, items.line)
            if not isinstance(item, LineDict):
                problems.add(path, line, "track: each required course is a mapping with course, final_exam, min_score")
                continue
            if not check_keys(item, path, problems, required={"course", "final_exam", "min_score"}, optional=set(),
                              what="required course"):
                continue
            slug, exam = item["course"], item["final_exam"]
            if not isinstance(slug, str) or not SLUG.match(slug):
                problems.add(path, line, f"required course: 'course' must be a course slug, not {slug!r}")
                continue
            if slug in seen:
                problems.add(path, line, f"required course: '{slug}' is listed twice")
                continue
            seen.add(slug)
            if not isinstance(exam, str) or not SLUG.match(exam):
                problems.add(path, line, f"required course: 'final_exam' must be a quiz id, not {exam!r}")
                continue
            score = whole_number(item, "min_score", path, problems, "required course", low=0, high=100)
            _cross_check(slug, exam, line, path, courses=courses, quizzes=quizzes, problems=problems)
            if score is not None:
                result.append(RequiredCourse(slug, exam, score, line or 0))
        return result

    def write(self, result: dict[str, ParsedTrack], parsed: Mapping[str, Any]) -> Changes:
        changes = Changes()
        existing = {t.id: t for t in db.session.scalars(sa.select(Track))}
        reconcile(existing, result, changes, new=lambda track_id: Track(id=track_id), fill=_fill)
        db.session.flush()
        return changes


def _cross_check(
    slug: str, exam: str, line: int | None, path: Path, *, courses: Any, quizzes: Any, problems: Problems
) -> None:
    """Check a required course against what the curriculum and quiz sources parsed, when they exist."""
    if courses is not None and slug not in courses:
        problems.add(path, line, f"required course: '{slug}' is not a course in courses/")
    if quizzes is not None:
        quiz = quizzes.get(exam)
        if quiz is None:
            problems.add(path, line,
                         f"required course: final exam '{exam}' is not a quiz in assessments/quizzes/")
        else:
            if getattr(quiz, "course", slug) != slug:
                problems.add(path, line, f"required course: quiz '{exam}' belongs to course "
                                         f"'{quiz.course}', not '{slug}'")
            kind = getattr(quiz, "kind", "final")
            if str(getattr(kind, "value", kind)) != "final":
                problems.add(path, line, f"required course: quiz '{exam}' is a {getattr(kind, 'value', kind)} "
                                         "quiz, not the course's final exam (kind: final)")


def _fill(row: Track, parsed: ParsedTrack) -> None:
    row.name_en, row.name_ja = parsed.name["en"], parsed.name["ja"]
    row.summary_html_en = render(parsed.summary["en"]).html
    row.summary_html_ja = render(parsed.summary["ja"]).html
    row.serial_prefix = parsed.serial_prefix
    row.validity_years = parsed.validity_years
    row.renewal_ce_hours = parsed.renewal_ce_hours
    row.renewal_refresher_course = parsed.renewal_refresher_course
    row.practicum_required = parsed.practicum_required
    row.synced_at = utcnow()
    row.required_courses = [
        TrackCourse(course_slug=c.course, position=i, final_exam=c.final_exam, min_score=c.min_score)
        for i, c in enumerate(parsed.required_courses)
    ]
