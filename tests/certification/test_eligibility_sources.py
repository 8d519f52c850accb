"""Eligibility built from the three interfaces: curriculum completion, final-exam grades, the practicum decision."""

from __future__ import annotations

import sqlalchemy as sa

from lms.certification import operations
from lms.certification.models import Certificate, Track, TrackCourse
from lms.core import content
from lms.core.access import Role
from lms.core.db import db
from lms.curriculum.models import Course, LessonCompletion
from lms.practicum.models import Report, ReportStatus
from lms.quizzes.models import Attempt, AttemptStatus
from tests.helpers import PASSWORD
from tests.practicum.helpers import sync_sample
from tests.quizzes.conftest import CONTENT, ensure_sample_course


def test_checklist_follows_course_exam_and_practicum_and_then_allows_the_request(app, make_user):
    ensure_sample_course()
    content.sync(CONTENT)
    db.session.commit()
    sync_sample()
    track = db.session.get(Track, "sample-track")
    track.required_courses = [TrackCourse(course_slug="sample-course", final_exam="sample-final", position=0,
                                          min_score=70)]
    db.session.commit()
    user = make_user(Role.TRAINEE, name_ja="佐藤 一郎")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})

    def items():
        checklist = operations.checklist_for(user.id, db.session.get(Track, "sample-track"))
        return [(i.kind, i.done, i.score) for i in checklist.items], checklist.complete

    assert items() == ([("course", False, None), ("exam", False, None), ("practicum", False, None)], False)
    assert client.post("/certification/tracks/sample-track/request").status_code == 422

    course = db.session.scalar(sa.select(Course).where(Course.slug == "sample-course"))
    for lesson in course.lessons:
        db.session.add(LessonCompletion(user_id=user.id, lesson_id=lesson.id, version=1,
                                        content_hash=lesson.content_hash))
    db.session.add(Attempt(quiz_id="sample-final", user_id=user.id, number=1, status=AttemptStatus.GRADED, seed=1,
                           quiz_hash="0" * 64, percent=65.0, max_points=10))
    db.session.commit()
    assert items() == ([("course", True, None), ("exam", False, 65.0), ("practicum", False, None)], False)
    page = client.get("/certification/tracks/sample-track/eligibility").get_data(as_text=True)
    assert "65.0%" in page and "70%" in page and "Missing" in page

    db.session.add(Attempt(quiz_id="sample-final", user_id=user.id, number=2, status=AttemptStatus.GRADED, seed=2,
                           quiz_hash="0" * 64, percent=95.0, max_points=10))
    db.session.add(Report(track_id="sample-track", author_id=user.id, status=ReportStatus.PASSED))
    db.session.commit()
    listed, complete = items()
    assert complete and [done for _, done, _ in listed] == [True, True, True]
    assert client.post("/certification/tracks/sample-track/request").status_code == 302
    row = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user.id))
    assert row.holder_name_ja == "佐藤 一郎"
