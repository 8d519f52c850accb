"""Practicum pages: the published brief and rubric, the trainee's report, the graders' queue and grading."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.certification.models import Track
from lms.core.access import Permission, public, requires, signed_in
from lms.core.db import db, utcnow
from lms.core.errors import render_error
from lms.core.i18n import current_language
from lms.core.prefectures import BY_CODE
from lms.core.prefectures import choices as prefecture_choices
from lms.practicum import files, operations, rubric
from lms.practicum.compare import diff_sections
from lms.practicum.models import (
    UNDER_REVIEW,
    Attachment,
    Practicum,
    Report,
    ReportStatus,
    ReportVersion,
    Review,
    TrackGrader,
)
from lms.practicum.operations import PracticumError

bp = Blueprint(
    "practicum", __name__, template_folder="templates", static_folder="static",
    static_url_path="/static/practicum", url_prefix="/practicum",
)

@bp.errorhandler(StaleDataError)
@bp.errorhandler(IntegrityError)
def _concurrent_change(_error: Exception) -> Any:
    """Two writes to one report at once (a double click, two graders): the second is refused, nothing half-done."""
    db.session.rollback()
    message = _("This report was changed at the same moment by another request. Reload the page and try again.")
    if request.is_json or request.endpoint == "practicum.autosave":
        return jsonify(error=message), 409
    return render_error(409, message)


#: Queue filters on waiting time: the value is the minimum number of days waiting.
WAITING = {"": 0, "3": 3, "7": 7, "14": 14}


def _practicum_or_404(track_id: str) -> Practicum:
    row = db.session.scalar(
        sa.select(Practicum).join(Track, Track.id == Practicum.track_id)
        .where(Practicum.track_id == track_id, Practicum.retired.is_(False), Track.retired.is_(False))
    )
    if row is None:
        abort(404)
    return row


def _max_submissions() -> int:
    return int(current_app.config["LMS_PRACTICUM_MAX_SUBMISSIONS"])


def _track_names() -> dict[str, dict[str, str]]:
    return {t.id: t.name for t in db.session.scalars(sa.select(Track))}


# ---------------------------------------------------------------------------------------------------------
# Published material


@bp.get("/<track_id>/brief")
@public
def brief(track_id: str) -> str:
    practicum = _practicum_or_404(track_id)
    return render_template(
        "practicum/brief.html", practicum=practicum, track=db.session.get(Track, track_id),
        max_total=rubric.max_total(practicum.rubric), max_submissions=_max_submissions(),
    )


# ---------------------------------------------------------------------------------------------------------
# Trainee


@bp.get("/")
@requires(Permission.PRACTICUM_SUBMIT)
def index() -> str:
    practicums = db.session.scalars(
        sa.select(Practicum).join(Track, Track.id == Practicum.track_id)
        .where(Practicum.retired.is_(False), Track.retired.is_(False)).order_by(Practicum.track_id)
    ).all()
    reports = {r.track_id: r for r in db.session.scalars(sa.select(Report).where(Report.author_id == current_user.id))}
    return render_template("practicum/index.html", practicums=practicums, reports=reports, tracks=_track_names())


def _edit_page(
    practicum: Practicum,
    report: Report | None,
    *,
    texts: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    upload_error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    texts = texts if texts is not None else dict(report.draft if report else {})
    attachments = [a for a in report.attachments if not a.withdrawn] if report else []
    last_review = None
    if report is not None and report.status == ReportStatus.RESUBMIT and report.versions:
        last_review = next((r for r in reversed(report.versions[-1].reviews) if r.final), None)
    return render_template(
        "practicum/edit.html", practicum=practicum, report=report, texts=texts, errors=errors or {},
        message=message, upload_error=upload_error, attachments=attachments, last_review=last_review,
        limit=operations.human_size(current_app.config["LMS_PRACTICUM_MAX_ATTACHMENT_BYTES"]),
        accept=",".join(f".{ext}" for ext in files.ALLOWED), max_submissions=_max_submissions(),
    ), status


def _texts_from_form(practicum: Practicum) -> dict[str, str]:
    return {s["id"]: request.form.get(f"section-{s['id']}", "") for s in practicum.sections}


@bp.route("/<track_id>/report", methods=["GET", "POST"])
@requires(Permission.PRACTICUM_SUBMIT)
def edit(track_id: str) -> Any:
    practicum = _practicum_or_404(track_id)
    report = operations.report_for(current_user.id, track_id)
    if request.method == "GET":
        if report is not None and report.status not in (ReportStatus.DRAFT, ReportStatus.RESUBMIT):
            return redirect(url_for("practicum.report", report_id=report.id))
        return _edit_page(practicum, report)
    texts = _texts_from_form(practicum)
    action = request.form.get("action", "save")
    if action not in ("save", "submit"):
        abort(400, _("Unknown action."))
    try:
        report = operations.start_report(current_user, practicum)
        operations.save_draft(report, practicum, texts)
    except PracticumError as error:
        db.session.rollback()
        return _edit_page(practicum, report, texts=texts, errors=error.fields, message=error.message,
                          status=error.status)
    db.session.commit()  # the draft is kept whatever happens to the submission below
    if action == "save":
        flash(_("Draft saved."), "success")
        return redirect(url_for("practicum.edit", track_id=track_id))
    try:
        version = operations.submit(report, practicum, actor_id=current_user.id, max_submissions=_max_submissions())
    except PracticumError as error:
        db.session.rollback()
        return _edit_page(practicum, report, texts=texts, errors=error.fields,
                          message=error.message + " " + _("Your draft has been saved."), status=error.status)
    db.session.commit()
    flash(_("Version %(n)d submitted. It is now in the graders' queue.", n=version.number), "success")
    return redirect(url_for("practicum.report", report_id=report.id))


@bp.post("/<track_id>/report/autosave")
@requires(Permission.PRACTICUM_SUBMIT)
def autosave(track_id: str) -> Any:
    practicum = _practicum_or_404(track_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("sections"), dict):
        return jsonify(error=_("Send JSON: {\"sections\": {section id: text}, \"revision\": n}.")), 400
    texts = payload["sections"]
    revision = payload.get("revision")
    if not all(isinstance(v, str) for v in texts.values()) or not (revision is None or type(revision) is int):
        return jsonify(error=_("Section texts must be strings and the revision a number.")), 400
    report = operations.report_for(current_user.id, track_id)
    try:
        if report is None:
            report = operations.start_report(current_user, practicum)
            revision = None
        operations.save_draft(report, practicum, texts, base_revision=revision)
    except PracticumError as error:
        db.session.rollback()
        return jsonify(error=error.message, fields=error.fields), error.status
    db.session.commit()
    saved_at = report.draft_saved_at.isoformat() if report.draft_saved_at else None
    return jsonify(revision=report.revision, saved_at=saved_at)


@bp.post("/<track_id>/report/attachments")
@requires(Permission.PRACTICUM_SUBMIT)
def upload(track_id: str) -> Any:
    practicum = _practicum_or_404(track_id)
    report = operations.report_for(current_user.id, track_id)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _edit_page(practicum, report, upload_error=_("Choose a file to attach."), status=400)
    limit = int(current_app.config["LMS_PRACTICUM_MAX_ATTACHMENT_BYTES"])
    data = upload_file.stream.read(limit + 1)
    try:
        report = operations.start_report(current_user, practicum)
        attachment = operations.add_attachment(
            report, upload_file.filename, data, storage_dir=current_app.config["LMS_STORAGE_DIR"], limit=limit,
            actor_id=current_user.id,
        )
    except PracticumError as error:
        db.session.rollback()
        report = operations.report_for(current_user.id, track_id)
        return _edit_page(practicum, report, upload_error=error.message, status=error.status)
    db.session.commit()
    flash(_("%(name)s attached.", name=attachment.filename), "success")
    return redirect(url_for("practicum.edit", track_id=track_id) + "#attachments")


@bp.post("/<track_id>/report/attachments/<int:attachment_id>/remove")
@requires(Permission.PRACTICUM_SUBMIT)
def remove_attachment(track_id: str, attachment_id: int) -> Any:
    practicum = _practicum_or_404(track_id)
    report = operations.report_for(current_user.id, track_id)
    attachment = db.session.get(Attachment, attachment_id)
    if report is None or attachment is None or attachment.report_id != report.id:
        abort(404)
    try:
        operations.remove_attachment(report, attachment, actor_id=current_user.id)
    except PracticumError as error:
        db.session.rollback()
        return _edit_page(practicum, report, upload_error=error.message, status=error.status)
    db.session.commit()
    flash(_("Attachment removed."), "info")
    return redirect(url_for("practicum.edit", track_id=track_id) + "#attachments")


# ---------------------------------------------------------------------------------------------------------
# A report: its versions, feedback and attachments (author, graders of its track, administrators)


def _report_or_404(report_id: int) -> Report:
    report = db.session.scalar(
        sa.select(Report).where(Report.id == report_id).options(
            selectinload(Report.versions).selectinload(ReportVersion.reviews).selectinload(Review.grader),
            selectinload(Report.attachments), selectinload(Report.author), selectinload(Report.practicum),
        )
    )
    if report is None:
        abort(404)
    if not operations.may_view(current_user, report):
        abort(403, _("Only the author, the graders of this track and administrators can open this report."))
    return report


def _visible_reviews(report: Report, version: ReportVersion) -> list[Review]:
    """Authors see the reviews once the version is decided; graders and administrators see them at once."""
    if report.author_id == current_user.id and version is operations.current_version(report) \
            and report.status in UNDER_REVIEW:
        return []
    return list(version.reviews)


@bp.get("/reports/<int:report_id>")
@signed_in
def report(report_id: int) -> str:
    report = _report_or_404(report_id)
    if not report.versions:
        abort(404)
    number = request.args.get("version", type=int) or report.versions[-1].number
    version = next((v for v in report.versions if v.number == number), None)
    if version is None:
        abort(404)
    attachments = {a.id: a for a in report.attachments}
    return render_template(
        "practicum/report.html", report=report, version=version, reviews=_visible_reviews(report, version),
        attachments=[attachments[i] for i in version.attachment_ids if i in attachments],
        practicum=report.practicum, track_names=_track_names(),
        can_grade=current_user.can(Permission.PRACTICUM_GRADE) and report.status in UNDER_REVIEW
        and operations.grading_refusal(current_user, report) is None,
        levels={lvl["score"]: lvl["name"] for lvl in report.practicum.rubric["levels"]},
        max_total=rubric.max_total(report.practicum.rubric),
    )


@bp.get("/reports/<int:report_id>/compare")
@signed_in
def compare(report_id: int) -> str:
    report = _report_or_404(report_id)
    numbers = [v.number for v in report.versions]
    if len(numbers) < 2:
        abort(404, _("There is only one version: nothing to compare yet."))
    old = request.args.get("a", type=int) or numbers[-2]
    new = request.args.get("b", type=int) or numbers[-1]
    by_number = {v.number: v for v in report.versions}
    if old not in by_number or new not in by_number:
        abort(404)
    return render_template(
        "practicum/compare.html", report=report, old=by_number[old], new=by_number[new], numbers=numbers,
        diffs=diff_sections(by_number[old].sections, by_number[new].sections),
    )


@bp.get("/attachments/<int:attachment_id>")
@signed_in
def attachment(attachment_id: int) -> Any:
    row = db.session.get(Attachment, attachment_id)
    if row is None:
        abort(404)
    report = db.session.get(Report, row.report_id)
    if report is None or not operations.may_view(current_user, report):
        abort(403, _("Only the author, the graders of this track and administrators can open this file."))
    path = files.stored_path(current_app.config["LMS_STORAGE_DIR"], row.sha256)
    if not path.is_file():
        abort(404, _("The file is missing from storage. Please tell an administrator."))
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename,
                         max_age=0, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------------------
# Graders


def _cohort_filter(stmt: sa.Select[Any], cohort: str) -> sa.Select[Any]:
    """Hook: cohorts come from the curriculum feature. When it registers a filter in
    ``app.extensions["lms_practicum_cohort_filter"]`` (stmt, cohort id -> stmt, on ``Report.author_id``) the queue
    uses it; until then the cohort filter is not offered."""
    hook = current_app.extensions.get("lms_practicum_cohort_filter")
    return hook(stmt, cohort) if hook and cohort else stmt


@bp.get("/queue")
@requires(Permission.PRACTICUM_GRADE)
def queue() -> str:
    track = request.args.get("track", "")
    prefecture = request.args.get("prefecture", "")
    waiting = request.args.get("waiting", "")
    cohort = request.args.get("cohort", "").strip()[:64]
    admin = operations.is_administrator(current_user)
    mine = operations.graded_track_ids(current_user.id)
    names = _track_names()
    if track and track not in names:
        abort(400, _("Unknown track."))
    if prefecture and prefecture not in BY_CODE:
        abort(400, _("Unknown prefecture code."))
    if waiting not in WAITING:
        abort(400, _("Unknown waiting time."))
    stmt = (
        sa.select(Report, User)
        .join(User, User.id == Report.author_id)
        .where(Report.status.in_([ReportStatus.SUBMITTED, ReportStatus.SECOND_REVIEW]))
        .options(selectinload(Report.versions).selectinload(ReportVersion.reviews))
        .order_by(Report.submitted_at, Report.id)
    )
    if not admin:
        stmt = stmt.where(Report.track_id.in_(mine or {""}))
    if track:
        stmt = stmt.where(Report.track_id == track)
    if prefecture:
        stmt = stmt.where(User.prefecture_code == prefecture)
    if WAITING[waiting]:
        stmt = stmt.where(Report.submitted_at <= utcnow() - timedelta(days=WAITING[waiting]))
    stmt = _cohort_filter(stmt, cohort)
    rows = db.session.execute(stmt.limit(200)).all()
    now = utcnow()
    items = []
    for report, author in rows:
        items.append({
            "report": report, "author": author, "waiting_days": (now - report.submitted_at).days,
            "version": report.versions[-1].number if report.versions else 0,
            "refusal": operations.grading_refusal(current_user, report, mine),
        })
    return render_template(
        "practicum/queue.html", items=items, track_names=names,
        track_choices=sorted(names) if admin else sorted(mine), filters={
            "track": track, "prefecture": prefecture, "waiting": waiting, "cohort": cohort},
        prefectures=prefecture_choices(current_language(), blank=False),
        cohorts_available="lms_practicum_cohort_filter" in current_app.extensions, admin=admin, mine=mine,
    )


def _grade_page(report: Report, form: dict[str, Any], errors: dict[str, str], message: str | None,
                status: int = 200) -> tuple[str, int]:
    version = operations.current_version(report)
    return render_template(
        "practicum/grade.html", report=report, practicum=report.practicum, version=version, form=form,
        errors=errors, message=message, first=operations.first_review(report),
        max_total=rubric.max_total(report.practicum.rubric),
        attachments=[a for a in report.attachments if version and a.id in version.attachment_ids],
    ), status


@bp.route("/reports/<int:report_id>/grade", methods=["GET", "POST"])
@requires(Permission.PRACTICUM_GRADE)
def grade(report_id: int) -> Any:
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404)
    if report.status not in UNDER_REVIEW:
        if request.method == "POST":
            abort(409, _("This report is not waiting for grading."))
        flash(_("This report is not waiting for grading."), "info")
        return redirect(url_for("practicum.report", report_id=report.id))
    refusal = operations.grading_refusal(current_user, report)
    if refusal:
        abort(403, refusal)
    criteria = report.practicum.rubric["criteria"]
    if request.method == "GET":
        return _grade_page(report, {}, {}, None)
    scores: dict[str, Any] = {}
    for criterion in criteria:
        raw = request.form.get(f"score-{criterion['id']}", "")
        scores[criterion["id"]] = int(raw) if raw.strip().lstrip("-").isdigit() else None
    scores = {k: v for k, v in scores.items() if v is not None}
    comments = {c["id"]: request.form.get(f"comment-{c['id']}", "")[:5000] for c in criteria}
    feedback = request.form.get("feedback", "")[:20_000]
    second = request.form.get("second_opinion") == "yes"
    form = {"scores": scores, "comments": comments, "feedback": feedback, "second_opinion": second}
    try:
        review = operations.grade(report, report.practicum, current_user, scores=scores, comments=comments,
                                  feedback=feedback, second_opinion=second, max_submissions=_max_submissions())
    except PracticumError as error:
        db.session.rollback()
        return _grade_page(report, form, error.fields, error.message, error.status)
    db.session.commit()
    if not review.final:
        flash(_("Sent to a second grader as a borderline pass."), "success")
    else:
        flash(_("Decision recorded: %(outcome)s.", outcome=OUTCOME_LABELS[review.outcome.value]()), "success")
    return redirect(url_for("practicum.queue"))


OUTCOME_LABELS = {
    "pass": lambda: _("pass"),
    "resubmit": lambda: _("resubmit"),
    "fail": lambda: _("fail"),
}


# ---------------------------------------------------------------------------------------------------------
# Administrators: who grades which track


@bp.get("/graders")
@requires(Permission.USERS_MANAGE)
def graders() -> Any:
    return _graders_page()


def _graders_page(status: int = 200, message: str | None = None) -> Any:
    rows = db.session.execute(
        sa.select(TrackGrader, User).join(User, User.id == TrackGrader.user_id)
        .order_by(TrackGrader.track_id, User.email)
    ).all()
    tracks = db.session.scalars(sa.select(Track).where(Track.retired.is_(False)).order_by(Track.id)).all()
    return render_template("practicum/graders.html", rows=rows, tracks=tracks, message=message,
                           track_names=_track_names()), status


@bp.post("/graders")
@requires(Permission.USERS_MANAGE)
def assign_grader() -> Any:
    track_id = request.form.get("track", "")
    email = request.form.get("email", "").strip().lower()
    track = db.session.get(Track, track_id)
    user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
    if track is None or user is None:
        return _graders_page(422, _("Choose a track and give the email of an existing instructor."))
    try:
        added = operations.assign_grader(track.id, user, actor_id=current_user.id)
    except PracticumError as error:
        db.session.rollback()
        return _graders_page(error.status, error.message)
    db.session.commit()
    flash(_("%(email)s now grades %(track)s.", email=user.email, track=track.id) if added
          else _("Nothing changed: already a grader of that track."), "success" if added else "info")
    return redirect(url_for("practicum.graders"))


@bp.post("/graders/remove")
@requires(Permission.USERS_MANAGE)
def unassign_grader() -> Any:
    track_id = request.form.get("track", "")
    user_id = request.form.get("user_id", type=int)
    if not track_id or user_id is None:
        return _graders_page(400, _("Choose a grader to remove."))
    removed = operations.unassign_grader(track_id, user_id, actor_id=current_user.id)
    db.session.commit()
    flash(_("Grader removed.") if removed else _("Nothing changed: not a grader of that track."), "info")
    return redirect(url_for("practicum.graders"))
