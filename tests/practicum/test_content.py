"""The "tracks" and "practicum" content sources: every problem with file and line; sync adds, skips, retires."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from lms.certification.models import Track
from lms.core.db import db
from lms.practicum.models import Practicum
from tests.practicum.helpers import SAMPLE_ROOT, parse, sync_sample

TRACK = Path("assessments/tracks/sample-track/track.yml")
PRACTICUM = Path("assessments/tracks/sample-track/practicum")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE_ROOT, tmp_path / "content")
    return tmp_path / "content"


def _edit(root: Path, relative: Path | str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root: Path, parsed=None) -> list[str]:
    return [str(p) for p in parse(root, parsed)[1]]


def test_the_sample_parses_cleanly(root):
    parsed, problems = parse(root)
    assert list(problems) == []
    track = parsed["tracks"]["sample-track"]
    assert track.serial_prefix == "SMPL" and track.validity_years == 3 and track.practicum_required
    assert [(c.course, c.final_exam, c.min_score) for c in track.required_courses] == [
        ("ip-basics", "ip-basics-final", 80), ("sme-coaching", "sme-coaching-final", 70)]
    practicum = parsed["practicum"]["sample-track"]
    assert [s["id"] for s in practicum.sections] == ["profile", "diagnosis", "reflection"]
    assert [s["required"] for s in practicum.sections] == [True, True, False]
    assert practicum.rubric["pass"] == {"min_total": 5, "min_each": 1, "borderline_margin": 1}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("id: sample-track", "id: other-track", "track.yml:1: track: 'id' must equal the folder name 'sample-track'"),
        ("serial_prefix: SMPL", "serial_prefix: smpl-1", "track.yml:1: track: 'serial_prefix' must be"),
        ("    min_score: 80", "    min_score: 180",
         "track.yml:8: required course: 'min_score' must be a whole number from 0 to 100"),
        ("  - course: sme-coaching", "  - course: ip-basics",
         "track.yml:11: required course: 'ip-basics' is listed twice"),
        ("validity_years: 3", "validity_years: three", "'validity_years' must be a whole number"),
        ("practicum_required: true", "practicum_required: yes please", "'practicum_required' must be true or false"),
        ("  continuing_education_hours: 15", "  continuing_education_hours: null",
         "track.yml:17: track renewal: give continuing_education_hours, a refresher_course, or both"),
        ("validity_years: 3", "validity_years: 3\nvalidity: 4", "track.yml:1: track: unknown key 'validity'"),
        ("name: {en: Sample Coaching Track, ja: サンプル支援トラック}", "name: {en: Sample Coaching Track}",
         "track.yml:2: track: 'name' needs a non-empty 'ja' text"),
        ("    final_exam: ip-basics-final\n", "", "track.yml:8: required course: missing required key 'final_exam'"),
        ("required_courses:", "required_courses: []\nx:", "'required_courses' must be a list of at least one course"),
        ("summary:\n", "summary: [\n", "track.yml:"),
    ],
)
def test_track_problems_name_file_and_line(root, old, new, expected):
    _edit(root, TRACK, old, new)
    problems = _problems(root)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("assessments/tracks/sample-track/") for p in problems)


def test_required_courses_are_checked_against_parsed_courses_and_quizzes(root):
    courses = {"ip-basics": object()}
    quizzes = {
        "ip-basics-final": SimpleNamespace(course="ip-basics", kind="final"),
        "sme-coaching-final": SimpleNamespace(course="sme-coaching", kind=SimpleNamespace(value="lesson")),
    }
    problems = _problems(root, {"courses": courses, "assessments": SimpleNamespace(quizzes=quizzes)})
    assert "assessments/tracks/sample-track/track.yml:11: required course: 'sme-coaching' is not a course in courses/" \
        in problems
    assert any("track.yml:11: required course: quiz 'sme-coaching-final' is a lesson quiz" in p for p in problems)
    quizzes["ip-basics-final"] = SimpleNamespace(course="other-course", kind="final")
    del quizzes["sme-coaching-final"]
    problems = _problems(root, {"assessments": SimpleNamespace(quizzes=quizzes)})
    assert any("quiz 'ip-basics-final' belongs to course 'other-course'" in p for p in problems)
    assert any("final exam 'sme-coaching-final' is not a quiz" in p for p in problems)
    # Without those sources, nothing is cross-checked.
    assert _problems(root) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("rubric.yml", "min_total: 5", "min_total: 12",
         "rubric.yml:1: rubric: pass.min_total (12) must be between 0 and"),
        ("rubric.yml", "min_each: 1", "min_each: 7", "rubric.yml:1: rubric: pass.min_each (7) must be one of"),
        ("rubric.yml", "      3: {en: A thorough", "      4: {en: A thorough", "needs one descriptor per level score"),
        ("rubric.yml", "  - id: strategy", "  - id: diagnosis",
         "rubric.yml:18: rubric criterion: duplicate id 'diagnosis'"),
        ("rubric.yml", "  - {score: 3, name: {en: Exemplary, ja: 模範的}}\n", "",
         "needs one descriptor per level score"),
        ("report.yml", "  - id: diagnosis", "  - id: profile", "report.yml:6: section: duplicate id 'profile'"),
        ("report.yml", "    required: false", "    required: maybe",
         "report.yml:10: section: 'required' must be true or false"),
        ("report.yml", "  - id: reflection", "  - id: Reflection!", "report.yml:10: section: 'id' must be lower-case"),
        ("brief.md", "title: Sample coaching practicum", "heading: x",
         "brief.md:2: brief: missing required key 'title'"),
        ("brief.ja.md", "---\n", "", "brief.ja.md:1: front matter missing"),
    ],
)
def test_practicum_problems_name_file_and_line(root, file, old, new, expected):
    _edit(root, PRACTICUM / file, old, new)
    problems = _problems(root)
    assert any(expected in p for p in problems), problems


def test_missing_practicum_files_and_folder(root):
    (root / PRACTICUM / "rubric.yml").unlink()
    assert any("practicum/rubric.yml: missing" in p for p in _problems(root))
    shutil.rmtree(root / PRACTICUM)
    assert _problems(root) == [
        "assessments/tracks/sample-track/track.yml: practicum_required is true but the track has no practicum/ folder"]


def test_sync_adds_skips_unchanged_updates_and_retires(root):
    changes = sync_sample(root)
    assert changes["tracks"].added == ["sample-track"] and changes["practicum"].added == ["sample-track"]
    track = db.session.get(Track, "sample-track")
    assert track.name == {"en": "Sample Coaching Track", "ja": "サンプル支援トラック"}
    assert "<strong>tests</strong>" in track.summary_html_en
    assert [(c.course_slug, c.min_score) for c in track.required_courses] == [("ip-basics", 80), ("sme-coaching", 70)]
    assert db.session.get(Practicum, "sample-track").content_version == 1

    again = sync_sample(root)
    assert again["tracks"].unchanged == 1 and again["practicum"].unchanged == 1

    _edit(root, TRACK, "    min_score: 70", "    min_score: 75")
    _edit(root, PRACTICUM / "rubric.yml", "min_total: 5", "min_total: 6")
    changed = sync_sample(root)
    assert changed["tracks"].changed == ["sample-track"] and changed["practicum"].changed == ["sample-track"]
    db.session.expire_all()
    assert db.session.get(Track, "sample-track").required_courses[1].min_score == 75
    practicum = db.session.get(Practicum, "sample-track")
    assert practicum.content_version == 2 and practicum.rubric["pass"]["min_total"] == 6

    shutil.rmtree(root / "assessments/tracks/sample-track")
    gone = sync_sample(root)
    assert gone["tracks"].removed == ["sample-track"] and gone["practicum"].removed == ["sample-track"]
    assert db.session.scalar(sa.select(Track.retired).where(Track.id == "sample-track")) is True


def test_markdown_in_the_brief_is_sanitised(root):
    _edit(root, PRACTICUM / "brief.md", "Coach one", "<script>alert(1)</script>Coach one")
    sync_sample(root)
    assert "<script>" not in db.session.get(Practicum, "sample-track").brief_html_en


def test_required_courses_can_be_reordered_removed_and_added(root):
    sync_sample(root)
    _edit(root, TRACK, """  - course: ip-basics
    final_exam: ip-basics-final
    min_score: 80
  - course: sme-coaching
    final_exam: sme-coaching-final
    min_score: 70""", """  - course: sme-coaching
    final_exam: sme-coaching-final
    min_score: 70
  - course: ip-strategy
    final_exam: ip-strategy-final
    min_score: 60""")
    sync_sample(root)
    db.session.expire_all()
    track = db.session.get(Track, "sample-track")
    assert [(c.course_slug, c.position, c.min_score) for c in track.required_courses] == [
        ("sme-coaching", 0, 70), ("ip-strategy", 1, 60)]
