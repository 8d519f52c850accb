"""Report fixtures: a small world of tracks, courses, quizzes, cohorts and trainees at every stage.

Rows are written directly (no content sync, no signing) so that tests can build many trainees quickly; what each
row means is what the owning feature's own interface reads (``course_completed``, ``quiz_grade``,
``practicum_passed``, certificates, ``listed_user_ids``), which test_pipeline.py checks trainee by trainee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from lms.accounts.models import User
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, Track, TrackCourse
from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.curriculum.models import Cohort, Course, Enrolment, Lesson, LessonCompletion, Level
from lms.practicum.models import Practicum, Report, ReportStatus
from lms.quizzes.models import Attempt, AttemptStatus, GradingMethod, Quiz, QuizKind, ReviewPolicy
from lms.reports import operations
from lms.roster import listing
from lms.roster.models import RosterPrefecture, RosterProfile

HASH = "0" * 64


@dataclass
class World:
    """Named objects of the fixture world; ``trainee(...)`` adds a trainee at the stages asked for."""

    courses: dict[str, Course] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    cohorts: dict[str, Cohort] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)
    counter: int = 0

    def course(self, slug: str, owners: list[str], lessons: int = 2) -> Course:
        course = Course(slug=slug, title={"en": f"Course {slug}", "ja": f"講座 {slug}"}, level=Level.FOUNDATION,
                        estimated_hours=1, owners=owners, content_hash=HASH)
        for n in range(1, lessons + 1):
            course.lessons.append(Lesson(key=f"{n:02d}-l{n}", slug=f"l{n}", number=n, minutes=5, content_hash=HASH))
        # A retired lesson: never needed for completion.
        course.lessons.append(Lesson(key="99-old", slug="old", number=99, minutes=5, content_hash=HASH,
                                     retired=True))
        db.session.add(course)
        db.session.flush()
        self.courses[slug] = course
        return course

    def quiz(self, quiz_id: str, course: str, kind: QuizKind = QuizKind.FINAL,
             grading: GradingMethod = GradingMethod.HIGHEST, pass_mark: float = 60) -> Quiz:
        c = self.courses[course]
        quiz = Quiz(id=quiz_id, course_id=c.id, lesson_id=c.lessons[0].id if kind == QuizKind.LESSON else None,
                    kind=kind, title={"en": f"Quiz {quiz_id}", "ja": f"小テスト {quiz_id}"}, pools=[],
                    grading=grading, pass_mark=pass_mark, review=ReviewPolicy.AFTER_ATTEMPT, content_hash=HASH,
                    time_limit_minutes=None, attempts_allowed=None)
        db.session.add(quiz)
        db.session.flush()
        self.quizzes[quiz_id] = quiz
        return quiz

    def track(self, track_id: str, required: list[tuple[str, str, int]], practicum: bool = True) -> Track:
        track = Track(id=track_id, name_en=f"Track {track_id}", name_ja=f"区分 {track_id}",
                      summary_html_en="<p>x</p>", summary_html_ja="<p>x</p>", serial_prefix=track_id.upper()[:16],
                      validity_years=3, renewal_ce_hours=None, renewal_refresher_course=None,
                      practicum_required=practicum, content_hash=HASH)
        track.required_courses = [TrackCourse(course_slug=slug, final_exam=exam, min_score=score, position=i)
                                  for i, (slug, exam, score) in enumerate(required)]
        db.session.add(track)
        db.session.add(Practicum(track_id=track_id, title_en="P", title_ja="P", brief_html_en="", brief_html_ja="",
                                 sections=[], rubric={}, content_hash=HASH))
        db.session.flush()
        self.tracks[track_id] = track
        return track

    def cohort(self, name: str) -> Cohort:
        cohort = Cohort(name=name, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
        db.session.add(cohort)
        db.session.flush()
        self.cohorts[name] = cohort
        return cohort

    def trainee(self, *, prefecture: str | None = "13", organisation: str | None = "Bank A",
                enrol: tuple[str, ...] = (), cohort: str | None = None, enrolled_on: date | None = None,
                complete: tuple[str, ...] = (), partly: tuple[str, ...] = (),
                attempts: dict[str, list[float]] | None = None, practicum: tuple[str, ...] = (),
                practicum_status: ReportStatus = ReportStatus.PASSED, certified: tuple[str, ...] = (),
                expired: tuple[str, ...] = (), roster: tuple[str, ...] | None = None,
                consented: bool = True) -> User:
        self.counter += 1
        user = User(email=f"trainee{self.counter}@reports.example.org", name_latin=f"Trainee {self.counter}",
                    prefecture_code=prefecture, organisation=organisation, password_hash="x")
        db.session.add(user)
        db.session.flush()
        when = utcnow() if enrolled_on is None else _at(enrolled_on)
        for slug in enrol:
            db.session.add(Enrolment(user_id=user.id, course_id=self.courses[slug].id, enrolled_at=when,
                                     cohort_id=self.cohorts[cohort].id if cohort else None))
        for slug in sorted(set(complete) | set(partly)):
            lessons = [lesson for lesson in self.courses[slug].lessons if not lesson.retired]
            for lesson in lessons if slug in complete else lessons[:1]:
                db.session.add(LessonCompletion(user_id=user.id, lesson_id=lesson.id, version=1, content_hash=HASH))
        for quiz_id, percents in (attempts or {}).items():
            for n, percent in enumerate(percents, start=1):
                db.session.add(Attempt(quiz_id=quiz_id, user_id=user.id, number=n, status=AttemptStatus.GRADED,
                                       seed=n, quiz_hash=HASH, max_points=10, points=percent / 10,
                                       percent=percent, submitted_at=utcnow(), graded_at=utcnow()))
        for track_id in practicum:
            db.session.add(Report(track_id=track_id, author_id=user.id, status=practicum_status))
        now = utcnow()
        for track_id in certified:
            db.session.add(Certificate(user_id=user.id, track_id=track_id, holder_name_latin=user.name_latin,
                                       state=Stored.ISSUED, issued_at=now, valid_from=now,
                                       valid_until=now + timedelta(days=365)))
        for track_id in expired:
            db.session.add(Certificate(user_id=user.id, track_id=track_id, holder_name_latin=user.name_latin,
                                       state=Stored.ISSUED, issued_at=now - timedelta(days=800),
                                       valid_from=now - timedelta(days=800), valid_until=now - timedelta(days=1)))
        if roster is not None:
            profile = RosterProfile(user_id=user.id, display_name_latin=user.name_latin,
                                    sort_name=user.name_latin.casefold(), consented_at=now if consented else None)
            profile.prefecture_rows = [RosterPrefecture(prefecture_code=code) for code in roster]
            db.session.add(profile)
            db.session.flush()
            listing.refresh_certification(user_id=user.id)
        db.session.flush()
        self.users.append(user)
        return user


def _at(day: date) -> Any:
    from datetime import UTC, datetime, time

    return datetime.combine(day, time(12), tzinfo=UTC)


@pytest.fixture
def world(app) -> World:
    """Two tracks: ``fnd`` requires courses c1 and c2 (final exams f1 at 70 and f2 at 60) and a practicum;
    ``adv`` requires c3 (final f3 at 80), no practicum. Instructor one@ owns c1 and c2, two@ owns c3."""
    w = World()
    w.course("c1", ["one@reports.example.org"])
    w.course("c2", ["One@Reports.example.org"])
    w.course("c3", ["two@reports.example.org"])
    w.quiz("f1", "c1", grading=GradingMethod.HIGHEST, pass_mark=60)
    w.quiz("l1", "c1", kind=QuizKind.LESSON, grading=GradingMethod.LAST, pass_mark=50)
    w.quiz("f2", "c2", grading=GradingMethod.AVERAGE, pass_mark=60)
    w.quiz("f3", "c3", grading=GradingMethod.LAST, pass_mark=80)
    w.track("fnd", [("c1", "f1", 70), ("c2", "f2", 60)])
    w.track("adv", [("c3", "f3", 80)], practicum=False)
    w.cohort("Spring 2026")
    w.cohort("Autumn 2026")
    db.session.commit()
    return w


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR, email="admin@reports.example.org")


@pytest.fixture
def instructors(make_user):
    return (make_user(Role.INSTRUCTOR, email="one@reports.example.org"),
            make_user(Role.INSTRUCTOR, email="two@reports.example.org"))


def refresh() -> None:
    """Take the reports' snapshot, as ``lms reports refresh`` does."""
    operations.refresh(utcnow())
    db.session.commit()


