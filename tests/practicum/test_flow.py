"""The practicum end to end over HTTP: draft, autosave, submit, queue, grade, feedback, resubmit, compare, pass."""

from __future__ import annotations

import json

import sqlalchemy as sa

from lms.core.audit import AuditEntry
from lms.core.db import db
from lms.practicum.models import Report, ReportStatus, ReportVersion, Review
from lms.practicum.operations import practicum_passed
from tests.helpers import count_statements, csrf_token
from tests.practicum.helpers import GOOD_TEXTS, form_data

EDIT = "/practicum/sample-track/report"


def _report(user_id: int) -> Report:
    return db.session.scalar(sa.select(Report).where(Report.author_id == user_id))


def _switch(client, login, user):
    client.post("/logout")
    login(user)


def _scores(diagnosis: int, strategy: int, plan: int, **extra: str) -> dict[str, str]:
    return {"score-diagnosis": str(diagnosis), "score-strategy": str(strategy), "score-action-plan": str(plan),
            "comment-diagnosis": "Good questions.", **extra}


def _actions(report_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.subject_type == "practicum_report",
                                           AuditEntry.subject_id == str(report_id)).order_by(AuditEntry.id)))


def test_submit_grade_resubmit_and_pass(client, login, sample):
    login(sample.trainee)
    page = client.get(EDIT)
    assert page.status_code == 200
    assert "Anonymised SME profile" in page.get_data(as_text=True)

    response = client.post(EDIT, data=form_data({**GOOD_TEXTS, "reflection": ""}))
    assert response.status_code == 302
    report = _report(sample.trainee.id)
    assert report.status == ReportStatus.DRAFT and report.draft["profile"] == GOOD_TEXTS["profile"]

    response = client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    assert response.status_code == 302
    report = _report(sample.trainee.id)
    assert report.status == ReportStatus.SUBMITTED
    assert len(report.versions) == 1
    version = report.versions[0]
    assert "<strong>second generation</strong>" in version.sections[0]["html"]  # rendered once, at submission
    # The author sees the report but no grading yet.
    page = client.get(f"/practicum/reports/{report.id}").get_data(as_text=True)
    assert "waiting for grading" in page

    _switch(client, login, sample.grader)
    queue = client.get("/practicum/queue").get_data(as_text=True)
    assert "Hanako Sato" in queue
    response = client.post(f"/practicum/reports/{report.id}/grade",
                           data=_scores(1, 1, 0, feedback="Add an action plan with owners and dates."))
    assert response.status_code == 302
    report = _report(sample.trainee.id)
    assert report.status == ReportStatus.RESUBMIT

    _switch(client, login, sample.trainee)
    page = client.get(f"/practicum/reports/{report.id}").get_data(as_text=True)
    assert "Add an action plan with owners and dates." in page and "Good questions." in page
    edit = client.get(EDIT).get_data(as_text=True)
    assert "Add an action plan with owners and dates." in edit
    revised = {**GOOD_TEXTS, "diagnosis": GOOD_TEXTS["diagnosis"] + "\nAction: file a patent by March (owner: CTO)."}
    assert client.post(EDIT, data=form_data(revised, "submit")).status_code == 302
    report = _report(sample.trainee.id)
    assert [v.number for v in report.versions] == [1, 2]
    assert report.versions[0].sections[1]["markdown"] == GOOD_TEXTS["diagnosis"]  # version 1 kept as it was

    compare = client.get(f"/practicum/reports/{report.id}/compare")
    assert compare.status_code == 200
    text = compare.get_data(as_text=True)
    assert "<ins><span class=\"diff-mark\">+ </span>Action: file a patent by March (owner: CTO).</ins>" in text
    assert client.get(f"/practicum/reports/{report.id}/compare?a=1&b=9").status_code == 404

    _switch(client, login, sample.grader)
    assert client.post(f"/practicum/reports/{report.id}/grade", data=_scores(3, 2, 2)).status_code == 302
    report = _report(sample.trainee.id)
    assert report.status == ReportStatus.PASSED
    assert practicum_passed(sample.trainee.id, "sample-track") is True
    assert practicum_passed(sample.other.id, "sample-track") is False
    assert _actions(report.id) == ["practicum.report_start", "practicum.submit", "practicum.decision",
                                   "practicum.submit", "practicum.decision"]
    decision = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "practicum.decision")
                                 .order_by(AuditEntry.id.desc()))
    assert decision.actor_id == sample.grader.id and decision.details["outcome"] == "pass"
    assert decision.details["total"] == 7


def test_autosave_json_with_csrf_header(app, client, login, sample):
    login(sample.trainee)
    app.config["WTF_CSRF_ENABLED"] = True  # after signing in: the JSON endpoint must check the header
    try:
        _autosave_checks(client, sample)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _autosave_checks(client, sample):
    token = csrf_token(client, EDIT)
    url = "/practicum/sample-track/report/autosave"
    body = {"sections": {"profile": "Typing…"}, "revision": None}
    refused = client.post(url, data=json.dumps(body), content_type="application/json")
    assert refused.status_code == 400  # no CSRF token
    assert _report(sample.trainee.id) is None
    saved = client.post(url, data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    revision = saved.get_json()["revision"]
    assert _report(sample.trainee.id).draft == {"profile": "Typing…"}
    again = client.post(url, data=json.dumps({"sections": {"diagnosis": "More"}, "revision": revision}),
                        content_type="application/json", headers={"X-CSRFToken": token})
    assert again.status_code == 200
    assert _report(sample.trainee.id).draft == {"profile": "Typing…", "diagnosis": "More"}
    # A stale tab (old revision) cannot overwrite newer text.
    stale = client.post(url, data=json.dumps({"sections": {"profile": "old"}, "revision": revision}),
                        content_type="application/json", headers={"X-CSRFToken": token})
    assert stale.status_code == 409 and "another window" in stale.get_json()["error"]
    assert _report(sample.trainee.id).draft["profile"] == "Typing…"


def test_autosave_rejects_malformed_json(client, login, sample):
    login(sample.trainee)
    url = "/practicum/sample-track/report/autosave"
    assert client.post(url, data="nonsense", content_type="application/json").status_code == 400
    bad = client.post(url, json={"sections": {"profile": 3}})
    assert bad.status_code == 400
    unknown = client.post(url, json={"sections": {"nope": "x"}})
    assert unknown.status_code == 400 and "Unknown report section" in unknown.get_json()["error"]
    assert _report(sample.trainee.id) is None  # nothing written


def test_empty_required_section_is_refused_and_the_draft_kept(client, login, sample):
    login(sample.trainee)
    response = client.post(EDIT, data=form_data({"profile": "Only the profile", "diagnosis": "   "}, "submit"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Fill in every required section before submitting." in text
    assert 'id="section-diagnosis-error">This section is required.' in text
    report = _report(sample.trainee.id)
    assert report.status == ReportStatus.DRAFT
    assert report.versions == []
    assert report.draft["profile"] == "Only the profile"  # nothing lost


def test_second_submission_while_under_review_is_refused(client, login, sample):
    login(sample.trainee)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    response = client.post(EDIT, data=form_data({**GOOD_TEXTS, "profile": "changed"}, "submit"))
    assert response.status_code == 409
    assert "under review" in response.get_data(as_text=True)
    report = _report(sample.trainee.id)
    assert len(report.versions) == 1 and report.draft["profile"] == GOOD_TEXTS["profile"]
    autosave = client.post("/practicum/sample-track/report/autosave", json={"sections": {"profile": "x"}})
    assert autosave.status_code == 409
    assert client.get(EDIT).status_code == 302  # the form sends them to the report


def _submitted(client, login, sample) -> Report:
    login(sample.trainee)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    report = _report(sample.trainee.id)
    _switch(client, login, sample.grader)
    return report


def test_resubmission_after_a_final_decision_is_refused(client, login, sample):
    report = _submitted(client, login, sample)
    client.post(f"/practicum/reports/{report.id}/grade", data=_scores(3, 3, 3))
    assert _report(sample.trainee.id).status == ReportStatus.PASSED
    _switch(client, login, sample.trainee)
    response = client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    assert response.status_code == 409
    assert "final decision" in response.get_data(as_text=True)
    assert len(_report(sample.trainee.id).versions) == 1


def test_last_submission_that_does_not_pass_fails(app, client, login, sample):
    app.config["LMS_PRACTICUM_MAX_SUBMISSIONS"] = 1
    try:
        report = _submitted(client, login, sample)
        client.post(f"/practicum/reports/{report.id}/grade", data=_scores(0, 1, 1, feedback="Not enough."))
        assert _report(sample.trainee.id).status == ReportStatus.FAILED
        _switch(client, login, sample.trainee)
        assert client.post(EDIT, data=form_data(GOOD_TEXTS, "submit")).status_code == 409
    finally:
        app.config["LMS_PRACTICUM_MAX_SUBMISSIONS"] = 3


def test_a_grader_outside_the_track_cannot_grade(client, login, sample):
    report = _submitted(client, login, sample)
    _switch(client, login, sample.outsider)
    assert "Hanako Sato" not in client.get("/practicum/queue").get_data(as_text=True)
    response = client.post(f"/practicum/reports/{report.id}/grade", data=_scores(3, 3, 3))
    assert response.status_code == 403
    assert "not a grader of this track" in response.get_data(as_text=True)
    assert client.get(f"/practicum/reports/{report.id}").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0
    assert _report(sample.trainee.id).status == ReportStatus.SUBMITTED


def test_nobody_grades_their_own_report(client, login, sample, make_user):
    from lms.core.access import Role
    from lms.practicum import operations

    both = make_user(Role.TRAINEE, Role.INSTRUCTOR, email="both@practicum.example.org")
    operations.assign_grader("sample-track", both, actor_id=sample.admin.id)
    db.session.commit()
    login(both)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    report = _report(both.id)
    response = client.post(f"/practicum/reports/{report.id}/grade", data=_scores(3, 3, 3))
    assert response.status_code == 403 and "Nobody grades their own report." in response.get_data(as_text=True)
    assert "Nobody grades their own report." in client.get("/practicum/queue").get_data(as_text=True)
    assert _report(both.id).status == ReportStatus.SUBMITTED


def test_incomplete_grading_is_refused(client, login, sample):
    report = _submitted(client, login, sample)
    response = client.post(f"/practicum/reports/{report.id}/grade",
                           data={"score-diagnosis": "2", "score-strategy": "9"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose a level for every criterion." in text
    no_feedback = client.post(f"/practicum/reports/{report.id}/grade", data=_scores(0, 0, 0))
    assert no_feedback.status_code == 422 and "Feedback is required" in no_feedback.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0


def test_borderline_pass_goes_to_a_second_grader(client, login, sample):
    report = _submitted(client, login, sample)
    not_borderline = client.post(f"/practicum/reports/{report.id}/grade",
                                 data=_scores(3, 3, 3, second_opinion="yes"))
    assert not_borderline.status_code == 422
    assert client.post(f"/practicum/reports/{report.id}/grade",
                       data=_scores(2, 2, 1, second_opinion="yes")).status_code == 302
    report = _report(sample.trainee.id)
    assert report.status == ReportStatus.SECOND_REVIEW
    assert not practicum_passed(sample.trainee.id, "sample-track")
    # The first grader cannot decide it alone.
    again = client.post(f"/practicum/reports/{report.id}/grade", data=_scores(2, 2, 1))
    assert again.status_code == 403
    _switch(client, login, sample.second)
    assert "Second grader needed" in client.get("/practicum/queue").get_data(as_text=True)
    assert client.post(f"/practicum/reports/{report.id}/grade",
                       data=_scores(1, 1, 1, feedback="Below the bar on reflection.")).status_code == 302
    report = _report(sample.trainee.id)
    assert report.status == ReportStatus.RESUBMIT
    reviews = db.session.scalars(sa.select(Review).order_by(Review.id)).all()
    assert [(r.stage.value, r.final, r.outcome.value) for r in reviews] == [
        ("first", False, "pass"), ("second", True, "resubmit")]
    assert _actions(report.id)[-2:] == ["practicum.second_opinion", "practicum.decision"]


def test_queue_filters(client, login, sample):
    login(sample.trainee)  # Aichi (23)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    _switch(client, login, sample.other)  # Tokyo (13)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    _switch(client, login, sample.grader)
    both = client.get("/practicum/queue").get_data(as_text=True)
    assert "Hanako Sato" in both and sample.other.name_latin in both
    aichi = client.get("/practicum/queue?prefecture=23").get_data(as_text=True)
    assert "Hanako Sato" in aichi and sample.other.name_latin not in aichi
    week = client.get("/practicum/queue?waiting=7").get_data(as_text=True)
    assert "Hanako Sato" not in week and "No report is waiting" in week
    assert "Hanako Sato" in client.get("/practicum/queue?track=sample-track").get_data(as_text=True)
    assert client.get("/practicum/queue?prefecture=99").status_code == 400
    assert client.get("/practicum/queue?waiting=5").status_code == 400
    assert client.get("/practicum/queue?track=nope").status_code == 400


def test_versions_are_immutable_records(client, login, sample):
    report = _submitted(client, login, sample)
    version = db.session.scalar(sa.select(ReportVersion).where(ReportVersion.report_id == report.id))
    page = client.get(f"/practicum/reports/{report.id}?version=1")
    assert page.status_code == 200
    assert client.get(f"/practicum/reports/{report.id}?version=7").status_code == 404
    assert version.number == 1


def test_administrators_manage_graders(client, login, sample):
    login(sample.admin)
    page = client.get("/practicum/graders").get_data(as_text=True)
    assert "grader@practicum.example.org" in page
    response = client.post("/practicum/graders", data={"track": "sample-track", "email": sample.outsider.email})
    assert response.status_code == 302
    trainee = client.post("/practicum/graders", data={"track": "sample-track", "email": sample.trainee.email})
    assert trainee.status_code == 422 and "Only instructors" in trainee.get_data(as_text=True)
    unknown = client.post("/practicum/graders", data={"track": "sample-track", "email": "nobody@example.org"})
    assert unknown.status_code == 422
    removed = client.post("/practicum/graders/remove", data={"track": "sample-track", "user_id": sample.outsider.id})
    assert removed.status_code == 302
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("practicum.grader%"))))
    assert actions.count("practicum.grader_assign") == 3 and actions.count("practicum.grader_unassign") == 1


def test_trainee_index_lists_the_practicum(client, login, sample):
    login(sample.trainee)
    page = client.get("/practicum/").get_data(as_text=True)
    assert "Sample coaching practicum" in page and "Start my report" in page
    brief = client.get("/practicum/sample-track/brief").get_data(as_text=True)
    assert "Coach one small or medium enterprise" in brief and "A structured interview." in brief


def test_public_brief_in_japanese(client, sample):
    client.post("/language", data={"lang": "ja", "next": "/"})
    brief = client.get("/practicum/sample-track/brief").get_data(as_text=True)
    assert "サンプル実地支援演習" in brief and "構造化されたヒアリング。" in brief


def test_queue_page_queries_do_not_grow_with_the_number_of_reports(app, client, login, sample, make_user):
    """Measured: the queue page issues the same number of SQL statements for 1 report as for 8."""
    from lms.core.access import Role

    def queue_statements() -> int:
        with count_statements() as statements:
            assert client.get("/practicum/queue").status_code == 200
        return len(statements)

    trainees = [sample.trainee] + [make_user(Role.TRAINEE) for _ in range(7)]
    login(trainees[0])
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    _switch(client, login, sample.admin)  # not a grader of the track: every row is checked
    one = queue_statements()
    for trainee in trainees[1:]:
        _switch(client, login, trainee)
        client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    _switch(client, login, sample.admin)
    assert queue_statements() == one


def test_a_concurrent_write_to_the_same_report_is_refused(client, login, sample):
    """Another request bumped the report (a double click on Submit, a second grader): this one fails whole."""
    import pytest
    from sqlalchemy.orm.exc import StaleDataError

    from lms.practicum import operations
    from lms.practicum.models import Practicum

    login(sample.trainee)
    client.post(EDIT, data=form_data(GOOD_TEXTS))
    report = _report(sample.trainee.id)
    practicum = db.session.get(Practicum, "sample-track")
    db.session.execute(sa.text("UPDATE practicum_reports SET revision = revision + 1 WHERE id = :id"),
                       {"id": report.id})
    with pytest.raises(StaleDataError):
        operations.submit(report, practicum, actor_id=sample.trainee.id, max_submissions=3)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportVersion)) == 0


def test_queue_filters_by_cohort(client, login, sample):
    from datetime import date

    from lms.curriculum.models import Cohort, Course, Enrolment, Level

    course = Course(slug="cohort-course", level=Level.FOUNDATION, estimated_hours=1, content_hash="x")
    cohort = Cohort(name="Niigata spring 2027", starts_on=date(2027, 4, 1), ends_on=date(2027, 9, 30))
    db.session.add_all([course, cohort])
    db.session.flush()
    db.session.add(Enrolment(user_id=sample.trainee.id, course_id=course.id, cohort_id=cohort.id))
    db.session.commit()
    login(sample.trainee)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    _switch(client, login, sample.other)
    client.post(EDIT, data=form_data(GOOD_TEXTS, "submit"))
    _switch(client, login, sample.grader)
    page = client.get(f"/practicum/queue?cohort={cohort.id}").get_data(as_text=True)
    assert "Niigata spring 2027" in page
    assert "Hanako Sato" in page and sample.other.name_latin not in page
    assert client.get("/practicum/queue?cohort=abc").status_code == 400
    assert client.get("/practicum/queue?cohort=999999").status_code == 400
