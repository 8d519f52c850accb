# ruff: noqa: PT018, E501
import io
import zipfile

import pytest
import sqlalchemy as sa

from lms.core import content
from lms.core.db import db
from lms.curriculum import operations
from lms.curriculum.models import Course, Lesson, LessonCompletion, LessonText
from lms.curriculum.sync import lesson_path
from tests.curriculum import helpers


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_parsed_interface_for_other_sources():
    parsed = content.check(helpers.FIXTURES)["courses"]
    lesson = parsed["sample"].lessons["01-first-steps"]
    assert (lesson.key, lesson.slug, lesson.number, lesson.quiz) == ("01-first-steps", "first-steps", 1, "sample-01")
    assert lesson.path.name == "01-first-steps.md" and lesson.line == 2
    assert parsed["sample"].lessons["02-trade-secrets"].quiz is None


def test_sync_renders_once_resolves_links_and_skips_unchanged(tmp_path):
    changes = helpers.sync()
    assert sorted(changes.added) == [
        "sample", "sample/01-first-steps", "sample/02-trade-secrets", "sample/03-designs", "second",
        "second/01-branding",
    ]
    text = db.session.scalar(
        sa.select(LessonText).join(Lesson).where(Lesson.key == "01-first-steps", LessonText.language == "en")
    )
    assert f'href="{lesson_path("sample", "02-trade-secrets")}#keeping-secrets"' in text.html
    assert "<table>" in text.html and "footnote" in text.html and "admonition question" in text.html
    assert "<dl>" in text.html
    assert [t["id"] for t in text.toc] == ["why-this-matters"]
    assert helpers.course().title == {"en": "Sample course", "ja": "サンプル講座"}
    again = helpers.sync()
    assert (again.added, again.changed, again.removed) == ([], [], [])
    assert again.unchanged == 6


def test_changed_and_removed_lessons_keep_history(tmp_path, make_user):
    root = helpers.copy_fixtures(tmp_path)
    helpers.sync(root)
    user = make_user()
    operations.enrol(user, helpers.course(), actor_id=user.id)
    operations.complete_lesson(user.id, helpers.lesson("03-designs"), helpers.course() and db.session.scalar(
        sa.select(operations.Enrolment).where(operations.Enrolment.user_id == user.id)))
    db.session.commit()
    (root / "courses/sample/03-designs.md").unlink()
    lesson_file = root / "courses/sample/02-trade-secrets.md"
    lesson_file.write_text(lesson_file.read_text().replace("Secrecy management", "Secrecy control"))
    changes = helpers.sync(root)
    assert changes.changed == ["sample/02-trade-secrets"]
    assert changes.removed == ["sample/03-designs"]
    retired = helpers.lesson("03-designs")
    assert retired.retired is True
    assert _count(LessonCompletion) == 1
    assert helpers.lesson("02-trade-secrets").version == 2


def _problems(root):
    with pytest.raises(content.ContentInvalid) as error:
        content.sync(root)
    db.session.rollback()
    return [str(p) for p in error.value.problems]


BAD = {
    "broken front matter": (
        "01-first-steps.md", lambda t: t.replace("minutes: 10", "minutes: [10"), "01-first-steps.md:", "invalid YAML"
    ),
    "missing required field": (
        "01-first-steps.md", lambda t: t.replace("minutes: 10\n", ""), "01-first-steps.md:2", "missing required key 'minutes'"
    ),
    "unknown key": ("01-first-steps.md", lambda t: t.replace("minutes: 10", "minuets: 10"), "", "unknown key 'minuets'"),
    "dangling link": (
        "03-designs.md", lambda t: t.replace("(course.md)", "(09-nothing.md)"), "03-designs.md:12",
        "link to a lesson that does not exist: '09-nothing.md'",
    ),
    "no front matter": ("03-designs.md", lambda t: t.replace("---\n", "", 1), "03-designs.md:1", "front matter missing"),
    "bad level": ("course.md", lambda t: t.replace("foundation", "expert"), "course.md", "'level' must be one of"),
    "unknown prerequisite": ("course.md", lambda t: t.replace("prerequisites: []", "prerequisites: [nope]"), "",
                             "prerequisite 'nope' is not a course"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_content_is_reported_with_file_and_line_and_nothing_is_written(tmp_path, case):
    name, change, where, message = BAD[case]
    root = helpers.copy_fixtures(tmp_path)
    path = root / "courses/sample" / name
    path.write_text(change(path.read_text()))
    problems = _problems(root)
    assert any(where in p and message in p for p in problems), problems
    assert _count(Course) == 0 and _count(Lesson) == 0


def test_duplicate_slug_and_number_and_orphan_translation(tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    folder = root / "courses/sample"
    (folder / "04-designs.md").write_text((folder / "03-designs.md").read_text())
    (folder / "02-other.md").write_text((folder / "03-designs.md").read_text())
    (folder / "05-lonely.ja.md").write_text("---\ntitle: x\nobjectives: [y]\n---\n")
    problems = _problems(root)
    assert any("04-designs.md" in p and "duplicate lesson slug 'designs'" in p for p in problems)
    assert any("lesson number 02 is also used" in p for p in problems)
    assert any("05-lonely.ja.md" in p and "translation without an English file" in p for p in problems)


def test_too_large_lesson_is_refused(tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    path = root / "courses/sample/03-designs.md"
    path.write_text(path.read_text() + "x" * (10 * 1024 * 1024))
    problems = _problems(root)
    assert any("03-designs.md" in p and "the limit is" in p for p in problems)
    assert _count(Course) == 0


def test_raw_html_is_sanitised(tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    path = root / "courses/sample/03-designs.md"
    path.write_text(
        path.read_text()
        + '\n<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n[click](javascript:alert(3))\n'
    )
    helpers.sync(root)
    html = helpers.lesson("03-designs").texts[0].html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_export_then_sync_changes_nothing(tmp_path, make_user):
    helpers.sync()
    admin = make_user(operations.__dict__["User"] and __import__("lms.core.access", fromlist=["Role"]).Role.ADMINISTRATOR)
    course, lesson = helpers.course(), helpers.lesson("02-trade-secrets")
    source = lesson.texts[0].source.replace("usefulness", "usefulness (有用性)")
    operations.save_lesson_text(course, lesson, "en", source.replace("\n", "\r\n"), actor_id=admin.id)
    db.session.commit()
    data = operations.export_course(course)
    root = tmp_path / "export"
    zipfile.ZipFile(io.BytesIO(data)).extractall(root)
    second = operations.export_course(helpers.course("second"))
    zipfile.ZipFile(io.BytesIO(second)).extractall(root)
    changes = helpers.sync(root)
    assert (changes.added, changes.changed, changes.removed) == ([], [], [])
    assert "有用性" in (root / "courses/sample/02-trade-secrets.md").read_text()


def test_unchanged_file_linking_to_a_removed_lesson_is_an_error(tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    helpers.sync(root)
    (root / "courses/sample/02-trade-secrets.md").unlink()  # 01-first-steps (unchanged) links to it
    problems = _problems(root)
    assert any("01-first-steps.md:13" in p and "02-trade-secrets.md#keeping-secrets" in p for p in problems)
    assert any("01-first-steps.ja.md" in p and "02-trade-secrets.ja.md" in p for p in problems)
    assert helpers.lesson("02-trade-secrets").retired is False


def test_changed_translation_is_checked_against_an_unchanged_base(tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    helpers.sync(root)
    path = root / "courses/sample/01-first-steps.ja.md"
    path.write_text(path.read_text().replace("title: 最初の一歩", "title: 最初の一歩\nminutes: 11"))
    problems = _problems(root)
    assert any("01-first-steps.ja.md" in p and "'minutes' differs from the English file" in p for p in problems)
    path.write_text(path.read_text().replace("minutes: 11", "minutes: 10"))
    changes = helpers.sync(root)
    assert changes.changed == ["sample/01-first-steps"]
    assert helpers.lesson("01-first-steps").quiz_id == "sample-01"


def test_parallel_rendering_gives_the_same_result(tmp_path, monkeypatch):
    from lms.curriculum import sync as course_sync

    root = helpers.copy_fixtures(tmp_path)
    serial = {
        (c, k, t.language): t.rendered.html
        for c, course in content.check(root)["courses"].items()
        for k, lesson in course.lessons.items()
        for t in lesson.texts.values()
    }
    monkeypatch.setattr(course_sync, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(course_sync.os, "cpu_count", lambda: 2)
    parallel = {
        (c, k, t.language): t.rendered.html
        for c, course in content.check(root)["courses"].items()
        for k, lesson in course.lessons.items()
        for t in lesson.texts.values()
    }
    assert parallel == serial


def test_a_retired_lesson_returns_with_its_history(tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    helpers.sync(root)
    saved = (root / "courses/sample/03-designs.md").read_text()
    (root / "courses/sample/03-designs.md").unlink()
    helpers.sync(root)
    (root / "courses/sample/03-designs.md").write_text(saved)
    changes = helpers.sync(root)
    assert changes.changed == ["sample/03-designs"]
    assert helpers.lesson("03-designs").retired is False


def test_removed_course_is_retired_and_hidden(tmp_path, client):
    import shutil

    root = helpers.copy_fixtures(tmp_path)
    helpers.sync(root)
    shutil.rmtree(root / "courses/second")
    (root / "courses/sample/02-trade-secrets.md").write_text(
        (root / "courses/sample/02-trade-secrets.md").read_text().replace(" See also [the other course](../second/01-branding.md).", "")
    )
    changes = helpers.sync(root)
    assert sorted(changes.removed) == ["second", "second/01-branding"]
    assert helpers.course("second").retired is True
    assert client.get("/courses/second").status_code == 404
    assert "Second course" not in client.get("/courses").get_data(as_text=True)


def test_cli_check_and_sync(app, tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "check", str(root)])
    assert result.exit_code == 0, result.output
    path = root / "courses/sample/03-designs.md"
    path.write_text(path.read_text().replace("title: Designs\n", ""))
    result = runner.invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 1
    assert "03-designs.md:2: lesson front matter: missing required key 'title'" in result.output
    assert _count(Course) == 0
