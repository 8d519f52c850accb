"""Practicum writes and their audit entries (never commit), object-level policy, and the eligibility query.

Graders of a track are the instructors an administrator assigned to it (``TrackGrader``); see docs/decisions.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.core import audit
from lms.core.access import Permission, Role
from lms.core.db import db, utcnow
from lms.core.markdown import render
from lms.practicum import files, rubric
from lms.practicum.models import (
    FINAL,
    UNDER_REVIEW,
    Attachment,
    Outcome,
    Practicum,
    Report,
    ReportStatus,
    ReportVersion,
    Review,
    ReviewStage,
    TrackGrader,
)

MAX_SECTION_CHARS = 50_000
MAX_ATTACHMENTS = 20


class PracticumError(Exception):
    """A refused practicum action: a translated message, an HTTP status, and per-field problems if any."""

    def __init__(self, message: str, status: int = 422, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.fields = dict(fields or {})


# ---------------------------------------------------------------------------------------------------------
# The interface certification relies on


def practicum_passed(user_id: int, track_id: str) -> bool:
    """True if the user's practicum report for the track has been passed (the final decision)."""
    return bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                Report.author_id == user_id, Report.track_id == track_id, Report.status == ReportStatus.PASSED
            )
        )
    )


# ---------------------------------------------------------------------------------------------------------
# Policy


def is_administrator(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.ADMINISTRATOR))


def graded_track_ids(user_id: int) -> set[str]:
    return set(db.session.scalars(sa.select(TrackGrader.track_id).where(TrackGrader.user_id == user_id)))


def is_track_grader(user: Any, track_id: str) -> bool:
    if not (user.is_authenticated and user.can(Permission.PRACTICUM_GRADE)):
        return False
    return db.session.get(TrackGrader, (track_id, user.id)) is not None


def may_view(user: Any, report: Report) -> bool:
    """The author, the graders of the report's track, and administrators."""
    return report.author_id == user.id or is_administrator(user) or is_track_grader(user, report.track_id)


def grading_refusal(user: Any, report: Report, graded_tracks: set[str] | None = None) -> str | None:
    """Why ``user`` may not grade ``report`` now (a translated message), or None.

    ``graded_tracks`` (the user's ``graded_track_ids``) saves a query per report on list pages."""
    if report.author_id == user.id:
        return _("Nobody grades their own report.")
    grades_track = (
        report.track_id in graded_tracks and user.can(Permission.PRACTICUM_GRADE)
        if graded_tracks is not None else is_track_grader(user, report.track_id)
    )
    if not grades_track:
        return _("You are not a grader of this track. An administrator assigns graders to tracks.")
    if report.status == ReportStatus.SECOND_REVIEW:
        first = first_review(report)
        if first is not None and first.grader_id == user.id:
            return _("This borderline pass needs a second grader: someone other than the first grader.")
    return None


def current_version(report: Report) -> ReportVersion | None:
    return report.versions[-1] if report.versions else None


def first_review(report: Report) -> Review | None:
    version = current_version(report)
    if version is None:
        return None
    return next((r for r in version.reviews if r.stage == ReviewStage.FIRST), None)


# ---------------------------------------------------------------------------------------------------------
# Trainee


def report_for(user_id: int, track_id: str) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.author_id == user_id, Report.track_id == track_id))


def start_report(user: User, practicum: Practicum) -> Report:
    report = report_for(user.id, practicum.track_id)
    if report is not None:
        return report
    if practicum.retired:
        raise PracticumError(_("This practicum is no longer offered."), 409)
    report = Report(author_id=user.id, track_id=practicum.track_id, status=ReportStatus.DRAFT, draft={})
    db.session.add(report)
    db.session.flush()
    audit.record("practicum.report_start", "practicum_report", report.id, actor_id=user.id, track=practicum.track_id)
    return report


def _editable(report: Report) -> None:
    if report.status in UNDER_REVIEW:
        raise PracticumError(_("Your report is under review; you can edit it again once the grader asks for a "
                               "resubmission."), 409)
    if report.status in FINAL:
        raise PracticumError(_("Your report has received a final decision and can no longer be changed."), 409)


def save_draft(
    report: Report, practicum: Practicum, texts: Mapping[str, str], *, base_revision: int | None = None
) -> None:
    """Keep the working copy. ``base_revision`` (from an autosave) refuses to overwrite newer text."""
    _editable(report)
    known = {s["id"] for s in practicum.sections}
    unknown = set(texts) - known
    if unknown:
        raise PracticumError(_("Unknown report section: %(ids)s.", ids=", ".join(sorted(unknown))), 400)
    too_long = {k: _("At most %(n)d characters.", n=MAX_SECTION_CHARS) for k, v in texts.items()
                if len(v) > MAX_SECTION_CHARS}
    if too_long:
        raise PracticumError(_("A section is too long."), 422, too_long)
    if base_revision is not None and base_revision != report.revision:
        raise PracticumError(_("This report was changed in another window. Reload the page to continue from "
                               "the latest text."), 409)
    report.draft = {**report.draft, **{k: v.replace("\r\n", "\n") for k, v in texts.items()}}
    report.draft_saved_at = utcnow()  # the UPDATE bumps ``revision`` (the version counter)


def submit(report: Report, practicum: Practicum, *, actor_id: int, max_submissions: int) -> ReportVersion:
    if report.status in UNDER_REVIEW:
        raise PracticumError(_("This report is already under review: wait for the decision before submitting "
                               "again."), 409)
    if report.status in FINAL:
        raise PracticumError(_("This report has received a final decision; it cannot be submitted again."), 409)
    if len(report.versions) >= max_submissions:
        raise PracticumError(_("You have used all %(n)d submissions.", n=max_submissions), 409)
    empty = {
        s["id"]: _("This section is required.")
        for s in practicum.sections
        if s["required"] and not report.draft.get(s["id"], "").strip()
    }
    if empty:
        raise PracticumError(_("Fill in every required section before submitting."), 422, empty)
    active = [a for a in report.attachments if not a.withdrawn]
    sections = []
    for s in practicum.sections:
        text = report.draft.get(s["id"], "")
        sections.append({"id": s["id"], "title": s["title"], "markdown": text, "html": render(text).html})
    version = ReportVersion(
        report=report, number=len(report.versions) + 1, submitted_at=utcnow(), sections=sections,
        attachment_ids=[a.id for a in active], content_version=practicum.content_version,
    )
    db.session.add(version)
    for attachment in active:
        attachment.submitted = True
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = version.submitted_at
    db.session.flush()
    audit.record("practicum.submit", "practicum_report", report.id, actor_id=actor_id, version=version.number)
    return version


_REFUSALS = {
    "extension": lambda: _("Only PDF, images (PNG, JPEG, GIF, WebP) and office documents (Word, Excel, "
                           "PowerPoint, OpenDocument) can be attached."),
    "mismatch": lambda: _("The file's content does not match its extension: it is not really a %(ext)s file."),
    "empty": lambda: _("The file is empty."),
    "size": lambda: _("The file is larger than the limit of %(limit)s."),
}


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def add_attachment(
    report: Report, filename: str, data: bytes, *, storage_dir: str | Path, limit: int, actor_id: int
) -> Attachment:
    _editable(report)
    filename = Path(filename.replace("\\", "/")).name.strip()[:255]
    if not filename:
        raise PracticumError(_("Choose a file to attach."), 400)
    if sum(1 for a in report.attachments if not a.withdrawn) >= MAX_ATTACHMENTS:
        raise PracticumError(_("A report can have at most %(n)d attachments.", n=MAX_ATTACHMENTS), 409)
    try:
        checked = files.check(filename, data, limit)
    except files.FileRefused as refused:
        message = _REFUSALS[refused.reason]() % {"ext": files.extension(filename).upper(), "limit": human_size(limit)}
        raise PracticumError(message, 413 if refused.reason == "size" else 422) from None
    files.store(storage_dir, checked, data)
    attachment = Attachment(report=report, filename=filename, content_type=checked.content_type, size=checked.size,
                            sha256=checked.sha256)
    db.session.add(attachment)
    db.session.flush()
    audit.record("practicum.attachment_add", "practicum_report", report.id, actor_id=actor_id,
                 attachment=attachment.id, filename=filename, sha256=checked.sha256)
    return attachment


def remove_attachment(report: Report, attachment: Attachment, *, actor_id: int) -> None:
    _editable(report)
    if attachment.report_id != report.id or attachment.withdrawn:
        raise PracticumError(_("No such attachment on this report."), 404)
    audit.record("practicum.attachment_remove", "practicum_report", report.id, actor_id=actor_id,
                 attachment=attachment.id, filename=attachment.filename)
    if attachment.submitted:
        attachment.withdrawn = True  # part of an earlier version: kept with it
    else:
        report.attachments.remove(attachment)


# ---------------------------------------------------------------------------------------------------------
# Grading


def grade(
    report: Report,
    practicum: Practicum,
    grader: User,
    *,
    scores: Mapping[str, int],
    comments: Mapping[str, str],
    feedback: str,
    second_opinion: bool,
    max_submissions: int,
) -> Review:
    if report.status not in UNDER_REVIEW:
        raise PracticumError(_("This report is not waiting for grading."), 409)
    refusal = grading_refusal(grader, report)
    if refusal:
        raise PracticumError(refusal, 403)
    stage = ReviewStage.SECOND if report.status == ReportStatus.SECOND_REVIEW else ReviewStage.FIRST
    problems = rubric.grading_problems(practicum.rubric, scores)
    if problems:
        fields = {k: _("Choose a level for this criterion.") for k in problems if k}
        raise PracticumError(_("Choose a level for every criterion."), 422, fields)
    version = current_version(report)
    assert version is not None  # noqa: S101 - a report under review has a version
    result = rubric.decide(practicum.rubric, scores, submission_number=version.number, max_submissions=max_submissions)
    if second_opinion and not (stage == ReviewStage.FIRST and result.borderline):
        raise PracticumError(_("Only a borderline pass can be sent to a second grader."), 422)
    feedback = feedback.strip()
    if not result.passed and not feedback:
        raise PracticumError(_("Explain to the trainee what to improve."), 422,
                             {"feedback": _("Feedback is required when the report does not pass.")})
    review = Review(
        version=version, grader_id=grader.id, stage=stage, scores=dict(scores),
        comments={k: v.strip() for k, v in comments.items() if v.strip()}, feedback=feedback, total=result.total,
        outcome=Outcome(result.outcome), final=not second_opinion, content_version=practicum.content_version,
    )
    db.session.add(review)
    if second_opinion:
        report.status = ReportStatus.SECOND_REVIEW
        db.session.flush()
        audit.record("practicum.second_opinion", "practicum_report", report.id, actor_id=grader.id,
                     version=version.number, total=result.total)
        return review
    report.status = {
        Outcome.PASS: ReportStatus.PASSED, Outcome.RESUBMIT: ReportStatus.RESUBMIT, Outcome.FAIL: ReportStatus.FAILED,
    }[Outcome(result.outcome)]
    report.decided_at = utcnow()
    db.session.flush()
    audit.record("practicum.decision", "practicum_report", report.id, actor_id=grader.id, outcome=result.outcome,
                 total=result.total, stage=stage.value, version=version.number, review=review.id)
    return review


# ---------------------------------------------------------------------------------------------------------
# Graders of a track (administrators)


def assign_grader(track_id: str, user: User, *, actor_id: int) -> bool:
    if not user.can(Permission.PRACTICUM_GRADE):
        raise PracticumError(_("Only instructors can grade practicum reports."), 422,
                             {"email": _("Not an instructor.")})
    if db.session.get(TrackGrader, (track_id, user.id)) is not None:
        return False
    db.session.add(TrackGrader(track_id=track_id, user_id=user.id, assigned_by=actor_id))
    audit.record("practicum.grader_assign", "user", user.id, actor_id=actor_id, track=track_id)
    return True


def unassign_grader(track_id: str, user_id: int, *, actor_id: int) -> bool:
    row = db.session.get(TrackGrader, (track_id, user_id))
    if row is None:
        return False
    db.session.delete(row)
    audit.record("practicum.grader_unassign", "user", user_id, actor_id=actor_id, track=track_id)
    return True
