# ruff: noqa: E501
import io

import pytest
import sqlalchemy as sa
from flask import url_for

from lms.core.access import Role
from lms.core.db import db
from lms.curriculum.models import Cohort, Enrolment, LessonCompletion, LessonVersion
from lms.curriculum.progress import choose_next, course_completed, progress_for
from tests.curriculum import helpers
from tests.helpers import count_statements


@pytest.fixture
def synced():
    helpers.sync()


@pytest.fixture
def trainee(make_user, login, synced):
    return login(make_user(Role.TRAINEE))


def test_catalogue_filters(client, synced):
    page = client.get("/courses").get_data(as_text=True)
    assert "Sample course" in page and "Second course" in page
    page = client.get("/courses?level=intermediate").get_data(as_text=True)
    assert "Sample course" not in page and "Second course" in page
    page = client.get("/courses?language=ja").get_data(as_text=True)
    assert "Sample course" in page and "Second course" not in page
    assert client.get("/courses?level=expert").status_code == 400
    assert client.get("/courses?language=fr").status_code == 400


def test_enrol_read_complete_and_progress(client, trainee):
    assert client.get("/courses/sample/01-first-steps").status_code == 302  # not enrolled yet
    assert client.post("/courses/sample/enrol").status_code == 302
    assert client.post("/courses/sample/enrol").status_code == 409
    page = client.get("/courses/sample/01-first-steps").get_data(as_text=True)
    assert "First steps" in page and "Contents" in page and "Trade secrets" in page  # TOC, next lesson
    assert "Japan Patent Office" in page  # sources
    assert client.post("/courses/sample/01-first-steps/complete").status_code == 302
    assert client.post("/courses/sample/01-first-steps/complete").status_code == 302  # a repeat changes nothing
    completion = db.session.scalar(sa.select(LessonCompletion))
    assert completion.version == 1 and len(completion.content_hash) == 64
    course = helpers.course()
    progress = progress_for(trainee.id, course.id)
    assert (progress.completed, progress.total, progress.percent) == (1, 3, 33)
    assert progress.continue_lesson_id == helpers.lesson("02-trade-secrets").id
    assert not course_completed(trainee.id, "sample")
    for key in ("02-trade-secrets", "03-designs"):
        client.post(f"/courses/sample/{key}/complete")
    assert course_completed(trainee.id, "sample")
    assert "100%" in client.get("/courses/sample").get_data(as_text=True)
    assert "Where you left off" in client.get("/my-learning").get_data(as_text=True)


def test_choose_next():
    assert choose_next([1, 2, 3], set(), None) == 1
    assert choose_next([1, 2, 3], {1}, 1) == 2
    assert choose_next([1, 2, 3], {1, 3}, 3) == 2
    assert choose_next([1, 2, 3], set(), 2) == 2
    assert choose_next([1, 2, 3], {1, 2, 3}, 2) is None
    assert choose_next([], set(), None) is None


def test_missing_translation_shows_note_and_other_text(client, trainee):
    client.post("/courses/sample/enrol")
    client.post("/language", data={"lang": "ja"})
    page = client.get("/courses/sample/02-trade-secrets").get_data(as_text=True)
    assert "Keeping secrets" in page and 'role="note"' in page
    page = client.get("/courses/sample/01-first-steps").get_data(as_text=True)
    assert "最初の一歩" in page and 'role="note"' not in page


def test_quiz_link_only_when_the_quizzes_feature_exists(client, trainee, app):
    client.post("/courses/sample/enrol")
    page = client.get("/courses/sample/01-first-steps").get_data(as_text=True)
    has_quizzes = "quizzes.start" in app.view_functions
    assert ("Take the quiz" in page) == has_quizzes


def test_lesson_page_runs_a_fixed_number_of_queries(client, trainee, tmp_path):
    """Sign-in (the user with their roles), the lesson with its course, texts, enrolment and completion, and the
    neighbours' titles: three statements whatever the course size, plus one UPDATE when the user moves on."""
    client.post("/courses/sample/enrol")
    client.get("/courses/sample/01-first-steps")

    def count(url):
        with count_statements() as statements:
            assert client.get(url).status_code == 200
        return statements

    moving = count("/courses/sample/02-trade-secrets")
    staying = count("/courses/sample/02-trade-secrets")
    assert len(staying) == 3, staying
    assert len(moving) == 4
    assert moving[-1].startswith("UPDATE enrolments")
    big_root = helpers.copy_fixtures(tmp_path)
    folder = big_root / "courses/sample"
    template = (folder / "03-designs.md").read_text()
    for n in range(4, 60):
        (folder / f"{n:02d}-extra-{n}.md").write_text(template.replace("Designs", f"Extra {n}"))
    helpers.sync(big_root)
    assert len(count("/courses/sample/30-extra-30")) == 4
    assert len(count("/courses/sample/30-extra-30")) == 3


def test_search_in_both_languages(client, synced):
    page = client.get("/search?q=存続期間").get_data(as_text=True)
    assert "最初の一歩" in page and "<mark>存続期間</mark>" in page
    page = client.get("/search?q=特許").get_data(as_text=True)  # two characters: the fallback path
    assert "最初の一歩" in page and "<mark>特許</mark>" in page
    page = client.get("/search?q=secrecy").get_data(as_text=True)
    assert "Trade secrets" in page and "<mark>Secrecy</mark>" in page
    page = client.get("/search?q=<script>").get_data(as_text=True)
    assert "<script>" not in page.split("<main", 1)[1]
    assert client.get("/search?q=" + "x" * 101).status_code == 400
    assert "No lesson contains" in client.get("/search?q=zzzqqq").get_data(as_text=True)


def _csv(text):
    return {"file": (io.BytesIO(text.encode()), "users.csv")}


def test_bulk_enrolment_all_or_nothing(client, make_user, login, synced):
    instructor = make_user(Role.INSTRUCTOR, email="owner@example.org")
    first = make_user(email="first@example.org")
    make_user(email="second@example.org")
    login(instructor)
    bad = "email\nfirst@example.org\nnot-an-email\nnobody@example.org\nfirst@example.org\n"
    response = client.post("/courses/sample/enrolments", data=_csv(bad), content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a valid email address" in page and "no account with this email" in page and "duplicate of line 2" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0
    no_header = client.post("/courses/sample/enrolments", data=_csv("first@example.org\n"),
                            content_type="multipart/form-data")
    assert no_header.status_code == 422 and "header" in no_header.get_data(as_text=True)
    client.post("/cohorts", data={"name": "2026 spring", "starts_on": "2026-04-01", "ends_on": "2026-09-30"})
    cohort = db.session.scalar(sa.select(Cohort))
    good = "email\nfirst@example.org\nSECOND@example.org\n"
    response = client.post("/courses/sample/enrolments", data={**_csv(good), "cohort": str(cohort.id)},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    rows = db.session.scalars(sa.select(Enrolment)).all()
    assert len(rows) == 2 and {r.cohort_id for r in rows} == {cohort.id}
    again = client.post("/courses/sample/enrolments", data=_csv(good), content_type="multipart/form-data")
    assert "already enrolled" in again.get_data(as_text=True)
    assert first.id in {r.user_id for r in rows}


def test_cohort_bad_dates(client, make_user, login):
    login(make_user(Role.ADMINISTRATOR))
    response = client.post("/cohorts", data={"name": "x", "starts_on": "2026-04-01", "ends_on": "2026-03-01"})
    assert response.status_code == 422 and "end date" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 0


def test_instructor_who_does_not_own_the_course_cannot_edit(client, make_user, login, synced):
    login(make_user(Role.INSTRUCTOR))
    assert client.get("/courses/sample/01-first-steps/edit").status_code == 403
    assert client.get("/courses/sample/export.zip").status_code == 403


def test_edit_preview_history_restore(client, make_user, login, synced):
    login(make_user(Role.INSTRUCTOR, email="owner@example.org"))
    lesson = helpers.lesson("03-designs")
    original = lesson.texts[0].source
    preview = client.post("/courses/sample/03-designs/preview?lang=en",
                          data={"source": original + "\n<script>x</script>**bold**"})
    assert preview.status_code == 200 and "<strong>bold</strong>" in preview.json["html"]
    assert "<script" not in preview.json["html"]
    broken = client.post("/courses/sample/03-designs/preview?lang=en", data={"source": "no front matter"})
    assert broken.status_code == 422 and "front matter missing" in broken.json["problems"][0]
    bad_save = client.post("/courses/sample/03-designs/edit?lang=en",
                           data={"source": original.replace("(course.md)", "(77-gone.md)")})
    assert bad_save.status_code == 422 and "77-gone.md" in bad_save.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonVersion).where(
        LessonVersion.lesson_id == lesson.id)) == 1
    saved = client.post("/courses/sample/03-designs/edit?lang=en", data={"source": original.replace("appearance", "look")})
    assert saved.status_code == 302
    versions = db.session.scalars(sa.select(LessonVersion).where(LessonVersion.lesson_id == lesson.id)
                                  .order_by(LessonVersion.version)).all()
    assert [v.origin for v in versions] == ["sync", "edit"]
    diff = client.get(f"/courses/sample/03-designs/history/{versions[1].id}").get_data(as_text=True)
    assert "-A design right protects the appearance" in diff and "+A design right protects the look" in diff
    assert client.post(f"/courses/sample/03-designs/history/{versions[0].id}/restore").status_code == 302
    assert helpers.lesson("03-designs").texts[0].source == original
    ja = client.post("/courses/sample/03-designs/edit?lang=ja",
                     data={"source": "---\ntitle: 意匠\nobjectives: [意匠権を説明できる。]\nminutes: 99\n---\n## 意匠\n"})
    assert ja.status_code == 422 and "differs from the English file" in ja.get_data(as_text=True)
    assert client.get("/courses/sample/03-designs/edit?lang=fr").status_code == 400
    with client.application.test_request_context():
        assert url_for("curriculum.lesson", slug="sample", key="03-designs") == "/courses/sample/03-designs"


def test_track_filter_uses_the_certification_hook(client, synced, app, monkeypatch):
    class Provider:
        def tracks(self):
            return [("ip-basic", "IP basics")]

        def course_slugs(self, track):
            return {"second"} if track == "ip-basic" else None

    monkeypatch.setitem(app.extensions, "lms_track_provider", Provider())
    page = client.get("/courses?track=ip-basic").get_data(as_text=True)
    assert "IP basics" in page and "Second course" in page and "Sample course" not in page
    assert client.get("/courses?track=nope").status_code == 400


def test_enrol_needs_a_csrf_token(client, trainee, csrf):
    assert client.post("/courses/sample/enrol").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_author_adds_a_missing_translation_and_it_exports(client, make_user, login, synced):
    login(make_user(Role.ADMINISTRATOR))
    source = "---\ntitle: 意匠\nobjectives:\n  - 意匠権を説明できる。\n---\n## 意匠\n\n意匠権は製品の外観を保護します。[講座](course.ja.md)\n"
    assert client.get("/courses/sample/03-designs/edit?lang=ja").status_code == 200
    assert client.post("/courses/sample/03-designs/edit?lang=ja", data={"source": source}).status_code == 302
    client.post("/language", data={"lang": "ja"})
    page = client.get("/courses/sample/03-designs").get_data(as_text=True)
    assert "意匠権は製品の外観を保護します" in page and 'href="/courses/sample"' in page
    assert "<mark>外観</mark>" in client.get("/search?q=外観").get_data(as_text=True)
    response = client.get("/courses/sample/export.zip")
    assert response.mimetype == "application/zip"
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "courses/sample/03-designs.ja.md" in names and "courses/sample/course.ja.md" in names


def test_a_10_mb_lesson_is_refused_in_the_browser_too(client, make_user, login, synced):
    login(make_user(Role.ADMINISTRATOR))
    lesson = helpers.lesson("03-designs")
    huge = lesson.texts[0].source + "x" * (10 * 1024 * 1024)
    response = client.post("/courses/sample/03-designs/edit?lang=en", data={"source": huge})
    assert response.status_code == 422
    assert "too long" in response.get_data(as_text=True)
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(LessonVersion).where(LessonVersion.lesson_id == lesson.id)
    ) == 1


def test_an_oversized_or_non_utf8_csv_is_refused(client, make_user, login, synced):
    login(make_user(Role.ADMINISTRATOR))
    # A hand-built multipart body (bytes): the test client would otherwise spool it to a file it never closes.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="users.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\nemail\r\n" + b"a@b.co\r\n" * 200_000 + b"\r\n--B--\r\n"
    )
    big = client.post("/courses/sample/enrolments", data=body, content_type="multipart/form-data; boundary=B")
    assert big.status_code == 422 and "larger than 1 MiB" in big.get_data(as_text=True)
    latin = {"file": (io.BytesIO("email\nmüller@example.org\n".encode("latin-1")), "users.csv")}
    bad = client.post("/courses/sample/enrolments", data=latin, content_type="multipart/form-data")
    assert bad.status_code == 422 and "not UTF-8" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0
