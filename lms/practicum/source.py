"""The "practicum" content source: ``assessments/tracks/<id>/practicum/`` -> ``Practicum`` rows.

Files (assessments/README.md, "The practicum"): brief.md and brief.ja.md (front matter ``title``), report.yml
(the report's sections), rubric.yml (levels, pass rule, criteria). Registered after "tracks": every practicum
belongs to a track parsed there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lms.certification.tracks import SLUG, TRACKS_DIR, bilingual, line_of, whole_number
from lms.core.content import (
    Changes,
    LineDict,
    LineList,
    Problems,
    check_keys,
    parse_yaml,
    read_front_matter,
    read_text,
    reconcile,
)
from lms.core.db import db, utcnow
from lms.core.markdown import render
from lms.practicum.models import Practicum
from lms.practicum.rubric import rubric_problems

FILES = ("brief.md", "brief.ja.md", "report.yml", "rubric.yml")


@dataclass
class ParsedPracticum:
    track_id: str
    title: dict[str, str]
    brief: dict[str, str]
    sections: list[dict[str, Any]]
    rubric: dict[str, Any]
    content_hash: str


class PracticumSource:
    name = "practicum"

    def parse(self, root: Path, parsed: Mapping[str, Any], problems: Problems) -> dict[str, ParsedPracticum]:
        result: dict[str, ParsedPracticum] = {}
        base = root / TRACKS_DIR
        if not base.is_dir():
            return result
        tracks = parsed.get("tracks", {})
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            practicum_dir = folder / "practicum"
            track = tracks.get(folder.name)
            if not practicum_dir.is_dir():
                if track is not None and track.practicum_required:
                    problems.add(folder / "track.yml", None,
                                 "practicum_required is true but the track has no practicum/ folder")
                continue
            if track is None:
                continue  # track.yml is missing or has problems: already reported by the tracks source
            item = self._parse_folder(practicum_dir, folder.name, problems)
            if item is not None:
                result[item.track_id] = item
        return result

    def _parse_folder(self, folder: Path, track_id: str, problems: Problems) -> ParsedPracticum | None:
        before = len(problems)
        missing = [name for name in FILES if not (folder / name).is_file()]
        for name in missing:
            problems.add(folder / name, None,
                         "missing: a practicum needs brief.md, brief.ja.md, report.yml and rubric.yml")
        if missing:
            return None
        digest = hashlib.sha256()
        title: dict[str, str] = {}
        brief: dict[str, str] = {}
        for lang, name in (("en", "brief.md"), ("ja", "brief.ja.md")):
            doc = read_front_matter(folder / name, problems)
            if doc is None:
                continue
            check_keys(doc.meta, folder / name, problems, required={"title"}, optional=set(), what="brief")
            value = doc.meta.get("title")
            if not isinstance(value, str) or not value.strip():
                problems.add(folder / name, doc.meta.line, "brief: 'title' must be a non-empty text")
            else:
                title[lang] = value.strip()
            if not doc.body.strip():
                problems.add(folder / name, doc.body_line, "brief: the assignment text is empty")
            brief[lang] = doc.body
        for name in FILES:
            digest.update((read_text(folder / name, Problems(folder)) or "").encode())
        sections = self._sections(folder / "report.yml", problems)
        rubric = self._rubric(folder / "rubric.yml", problems)
        if len(problems) > before or sections is None or rubric is None:
            return None
        return ParsedPracticum(track_id, title, brief, sections, rubric, digest.hexdigest())

    def _sections(self, path: Path, problems: Problems) -> list[dict[str, Any]] | None:
        data = _load(path, problems)
        if data is None:
            return None
        check_keys(data, path, problems, required={"sections"}, optional=set(), what="report template")
        items = data.get("sections")
        if not isinstance(items, LineList) or not items:
            problems.add(path, line_of(items, data.line), "report template: 'sections' must be a non-empty list")
            return None
        sections: list[dict[str, Any]] = []
        for item, section_id in _identified(items, path, problems, "section", "a mapping with id, title, guidance, "
                                            "required", required={"id", "title"}, optional={"guidance", "required"}):
            title = bilingual(item, "title", path, problems, "section") if "title" in item else None
            guidance = bilingual(item, "guidance", path, problems, "section") if "guidance" in item else None
            required = item.get("required", False)
            if not isinstance(required, bool):
                problems.add(path, item.line, f"section: 'required' must be true or false, not {required!r}")
            sections.append({"id": section_id, "title": title, "guidance": guidance, "required": required is True})
        return sections

    def _rubric(self, path: Path, problems: Problems) -> dict[str, Any] | None:
        data = _load(path, problems)
        if data is None:
            return None
        before = len(problems)
        check_keys(data, path, problems, required={"levels", "pass", "criteria"}, optional=set(), what="rubric")
        levels = self._levels(data.get("levels"), data, path, problems)
        rule = data.get("pass")
        pass_rule: dict[str, int] = {}
        if not isinstance(rule, LineDict):
            problems.add(path, line_of(rule, data.line), "rubric: 'pass' must be a mapping with min_total, min_each, "
                                                          "borderline_margin")
        else:
            check_keys(rule, path, problems, required={"min_total", "min_each"}, optional={"borderline_margin"},
                       what="rubric pass rule")
            for key in ("min_total", "min_each", "borderline_margin"):
                if key in rule:
                    value = whole_number(rule, key, path, problems, "rubric pass rule", low=0, high=10_000)
                    if value is not None:
                        pass_rule[key] = value
            pass_rule.setdefault("borderline_margin", 0)
        criteria = self._criteria(data.get("criteria"), data, path, problems)
        if len(problems) > before:
            return None
        rubric = {"levels": levels, "pass": pass_rule, "criteria": criteria}
        for message in rubric_problems(rubric):
            problems.add(path, data.line, f"rubric: {message}")
        return None if len(problems) > before else rubric

    def _levels(self, items: Any, data: LineDict, path: Path, problems: Problems) -> list[dict[str, Any]]:
        if not isinstance(items, LineList) or len(items) < 2:
            problems.add(path, line_of(items, data.line), "rubric: 'levels' must be a list of at least two levels")
            return []
        levels = []
        for item in items:
            if not isinstance(item, LineDict):
                problems.add(path, items.line, "rubric level: each level is a mapping {score, name}")
                continue
            check_keys(item, path, problems, required={"score", "name"}, optional=set(), what="rubric level")
            score = whole_number(item, "score", path, problems, "rubric level", low=0, high=100) \
                if "score" in item else None
            name = bilingual(item, "name", path, problems, "rubric level") if "name" in item else None
            if score is not None and name is not None:
                levels.append({"score": score, "name": name})
        return levels

    def _criteria(self, items: Any, data: LineDict, path: Path, problems: Problems) -> list[dict[str, Any]]:
        if not isinstance(items, LineList) or not items:
            problems.add(path, line_of(items, data.line), "rubric: 'criteria' must be a non-empty list")
            return []
        criteria: list[dict[str, Any]] = []
        for item, criterion_id in _identified(items, path, problems, "rubric criterion",
                                              "a mapping {id, title, descriptors}",
                                              required={"id", "title", "descriptors"}, optional=set()):
            title = bilingual(item, "title", path, problems, "rubric criterion") if "title" in item else None
            descriptors_in = item.get("descriptors")
            descriptors: dict[str, dict[str, str]] = {}
            if not isinstance(descriptors_in, LineDict):
                problems.add(path, item.line, "rubric criterion: 'descriptors' must map each level score to "
                                              "{en, ja}")
            else:
                for key in descriptors_in:
                    if isinstance(key, bool) or not isinstance(key, int):
                        problems.add(path, descriptors_in.line, f"rubric criterion: descriptor key {key!r} must be "
                                                                "a level score")
                        continue
                    text = bilingual(descriptors_in, key, path, problems, f"criterion '{criterion_id}' descriptor")
                    if text is not None:
                        descriptors[str(key)] = text
            criteria.append({"id": criterion_id, "title": title, "descriptors": descriptors})
        return criteria

    def write(self, result: dict[str, ParsedPracticum], parsed: Mapping[str, Any]) -> Changes:
        changes = Changes()
        existing = {p.track_id: p for p in db.session.scalars(sa.select(Practicum))}
        reconcile(existing, result, changes, new=lambda track_id: Practicum(track_id=track_id, content_version=0),
                  fill=_fill)
        db.session.flush()
        return changes


def _identified(items: Any, path: Path, problems: Problems, what: str, shape: str, *, required: set[str],
                optional: set[str]) -> Iterator[tuple[LineDict, str]]:
    """Each mapping of ``items`` with its id, once the shape, the keys, the id's form and its uniqueness are checked
    (a problem is reported for each one that fails, and that item is skipped)."""
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, LineDict):
            problems.add(path, items.line, f"{what}: each is {shape}")
            continue
        check_keys(item, path, problems, required=required, optional=optional, what=what)
        item_id = item.get("id")
        if not isinstance(item_id, str) or not SLUG.match(item_id):
            problems.add(path, item.line,
                         f"{what}: 'id' must be lower-case letters, digits and hyphens, not {item_id!r}")
            continue
        if item_id in seen:
            problems.add(path, item.line, f"{what}: duplicate id '{item_id}'")
            continue
        seen.add(item_id)
        yield item, item_id


def _fill(row: Practicum, item: ParsedPracticum) -> None:
    row.content_version += 1
    row.title_en, row.title_ja = item.title["en"], item.title["ja"]
    row.brief_html_en = render(item.brief["en"]).html
    row.brief_html_ja = render(item.brief["ja"]).html
    row.sections = [_rendered_section(s) for s in item.sections]
    row.rubric = item.rubric
    row.synced_at = utcnow()


def _rendered_section(section: dict[str, Any]) -> dict[str, Any]:
    guidance = section["guidance"] or {"en": "", "ja": ""}
    return {**section, "guidance_html": {lang: render(text).html for lang, text in guidance.items()}}


def _load(path: Path, problems: Problems) -> LineDict | None:
    text = read_text(path, problems)
    if text is None:
        return None
    count = len(problems)
    data = parse_yaml(text, path, problems)
    if len(problems) > count:
        return None
    if not isinstance(data, LineDict):
        problems.add(path, 1, f"{path.name} must be a mapping of keys to values")
        return None
    return data
