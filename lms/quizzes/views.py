"""Taking quizzes (start, answer with autosave, submit, review) and the instructors' results, item statistics,
CSV export and regrade. Views parse, authorise, call one operation, commit, render.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import User
from lms.core import spreadsheet
from lms.core.access import Permission, requires
from lms.core.db import db, utcnow
from lms.core.i18n import current_language, pick
from lms.quizzes import operations, policy, stats, types
from lms.quizzes.models import Attempt, AttemptStatus, Quiz
from lms.quizzes.models import Response as QuizResponse

bp = Blueprint(
    "quizzes", __name__, url_prefix="/quizzes", template_folder="templates", static_folder="static",
    static_url_path="/static",
)

#: An autosave carries a few kilobytes; anything far larger is refused before it is parsed.
MAX_ANSWERS_BYTES = 64 * 1024
RESULTS_PAGE_SIZE = 100


def _quiz_or_404(quiz_id: str) -> Quiz:
    quiz = operations.get_quiz(quiz_id)
    if quiz is None:
        abort(404)
    return quiz


def _own_attempt(attempt_id: int, *, with_quiz: bool = True) -> Attempt:
    options = [sa.orm.selectinload(Attempt.responses).joinedload(QuizResponse.version)]
    if with_quiz:
        options.append(sa.orm.joinedload(Attempt.quiz))
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.id == attempt_id).options(*options))
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


# ---------------------------------------------------------------------------------------------------------
# Trainees


@bp.route("/<quiz_id>/start", methods=["GET", "POST"])
@requires(Permission.QUIZ_TAKE)
def start(quiz_id: str) -> Any:
    quiz = _quiz_or_404(quiz_id)
    now = utcnow()
    if operations.close_expired(current_user.id, quiz.id, now):
        db.session.commit()
    error = None
    if request.method == "POST":
        try:
            attempt = operations.start_attempt(current_user.id, quiz.id, now)
            db.session.commit()
        except operations.QuizError as exc:
            db.session.rollback()
            error = exc
        except sa.exc.IntegrityError:
            # A concurrent start (double click, second tab) created this attempt number first: resume it.
            db.session.rollback()
            attempts = operations.attempts_of(current_user.id, quiz.id)
            attempt = next(a for a in attempts if a.status == AttemptStatus.OPEN)
        if error is None:
            return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    attempts = operations.attempts_of(current_user.id, quiz.id)
    grade = operations.quiz_grade(current_user.id, quiz.id)
    return render_template(
        "quizzes/start.html", quiz=quiz, attempts=attempts, grade=grade,
        passed=operations.quiz_passed(current_user.id, quiz.id),
        open_attempt=next((a for a in attempts if a.status == AttemptStatus.OPEN), None),
        availability=operations.availability_problem(quiz, now), error=error and error.message,
        attempts_left=None if quiz.attempts_allowed is None else max(0, quiz.attempts_allowed - len(attempts)),
    ), (error.status if error else 200)


def _questions(attempt: Attempt, lang: str) -> list[dict[str, Any]]:
    cases = operations.case_studies({r.case_study_id for r in attempt.responses if r.case_study_id})
    shown: list[dict[str, Any]] = []
    previous_case = None
    for response in attempt.responses:
        definition = response.version.definition
        qtype = types.get(definition["type"])
        item = {
            "id": response.question_id,
            "position": response.position,
            "type": definition["type"],
            "stem": pick(definition["stem"], lang),
            "points": response.max_points,
            "answer": response.answer,
            "case": cases.get(response.case_study_id) if response.case_study_id != previous_case else None,
            **qtype.public(definition, response.layout, lang),
        }
        previous_case = response.case_study_id
        shown.append(item)
    return shown


@bp.get("/attempts/<int:attempt_id>")
@requires(Permission.QUIZ_TAKE)
def attempt(attempt_id: int) -> Any:
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    if attempt.status == AttemptStatus.OPEN and attempt.deadline and now > attempt.deadline + operations.GRACE:
        operations.submit_attempt(operations.load_sheet(attempt.id), current_user.id, None, now)
        db.session.commit()
        flash(_("Time was up: the attempt was graded as of its deadline."), "info")
    if attempt.status != AttemptStatus.OPEN:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    return _render_attempt(attempt)


def _render_attempt(attempt: Attempt, error: str | None = None, status: int = 200) -> Any:
    return render_template(
        "quizzes/attempt.html", attempt=attempt, quiz=attempt.quiz, error=error,
        questions=_questions(attempt, current_language()),
    ), status


def _json_error(message: str, status: int) -> Any:
    return jsonify(error={"status": status, "message": message}), status


@bp.post("/attempts/<int:attempt_id>/answers")
@requires(Permission.QUIZ_TAKE)
def save(attempt_id: int) -> Any:
    """Autosave: JSON ``{"answers": {question id: answer}}``; the CSRF token comes in the X-CSRFToken header."""
    if (request.content_length or 0) > MAX_ANSWERS_BYTES:
        return _json_error(_("Too much data for one save."), 413)
    attempt = _own_attempt(attempt_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or set(payload) != {"answers"}:
        return _json_error(_('Send JSON of the form {"answers": {"question-id": answer}}.'), 400)
    try:
        saved = operations.save_answers(attempt, current_user.id, payload["answers"])
    except operations.QuizError as error:
        db.session.rollback()
        return _json_error(error.message, error.status)
    db.session.commit()
    return jsonify(saved=saved, saved_at=utcnow().isoformat(timespec="seconds"))


def _form_answers(sheet: operations.Sheet) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for response in sheet.responses:
        definition = response.definition
        value = types.get(definition["type"]).from_form(
            definition, response.layout, request.form, f"q-{response.question_id}"
        )
        # A field the form did not send leaves the saved answer alone (autosave clears answers explicitly).
        if value is not None and value != []:
            answers[response.question_id] = value
    return answers


@bp.post("/attempts/<int:attempt_id>/submit")
@requires(Permission.QUIZ_TAKE)
def submit(attempt_id: int) -> Any:
    """The hot path when a cohort hands in an exam at once: one read (the sheet), three writes, one commit."""
    if (request.content_length or 0) > MAX_ANSWERS_BYTES:
        abort(413)
    review_url = url_for("quizzes.review", attempt_id=attempt_id)
    sheet = operations.load_sheet(attempt_id)
    if sheet is None or sheet.user_id != current_user.id:
        abort(404)
    try:
        graded = operations.submit_attempt(sheet, current_user.id, _form_answers(sheet))
    except types.ResponseError as error:
        db.session.rollback()
        return _render_attempt(_own_attempt(attempt_id), str(error), 400)
    except operations.QuizError as error:
        db.session.rollback()
        return _render_attempt(_own_attempt(attempt_id), error.message, error.status)
    # Nothing is read after this commit but the signed-in user: keep it loaded rather than query it again.
    db.session().expire_on_commit = False
    db.session.commit()
    if not graded:
        flash(_("This attempt had already been submitted; it was graded once."), "info")
    return redirect(review_url)


@bp.get("/attempts/<int:attempt_id>/review")
@requires(Permission.QUIZ_TAKE)
def review(attempt_id: int) -> Any:
    attempt = _own_attempt(attempt_id)
    if attempt.status == AttemptStatus.OPEN:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    lang = current_language()
    allowed = operations.review_allowed(attempt.quiz, attempt, utcnow())
    questions = _questions(attempt, lang)
    if allowed:
        for item, response in zip(questions, attempt.responses, strict=True):
            definition = response.version.definition
            item["review"] = types.get(definition["type"]).review(definition, response.layout, response.answer, lang)
            item["explanation"] = pick(definition["explanation"], lang)
            item["fraction"] = response.fraction
            item["scored"] = response.points
    return render_template(
        "quizzes/review.html", attempt=attempt, quiz=attempt.quiz, questions=questions, allowed=allowed,
        grade=operations.quiz_grade(current_user.id, attempt.quiz_id),
        passed=operations.quiz_passed(current_user.id, attempt.quiz_id),
    )


# ---------------------------------------------------------------------------------------------------------
# Instructors


def _managed_quiz(quiz_id: str) -> Quiz:
    quiz = _quiz_or_404(quiz_id)
    if not policy.may_see_results(current_user, quiz):
        abort(403)
    return quiz


@bp.get("/manage")
@requires(Permission.QUIZ_RESULTS)
def manage() -> Any:
    quizzes = policy.visible_quizzes(current_user)
    counts = stats.attempt_counts([q.id for q in quizzes])
    return render_template("quizzes/manage.html", quizzes=quizzes, counts=counts)


def _cohort() -> str:
    return request.args.get("cohort", "").strip()[:100]


@bp.get("/<quiz_id>/results")
@requires(Permission.QUIZ_RESULTS)
def results(quiz_id: str) -> Any:
    quiz = _managed_quiz(quiz_id)
    cohort = _cohort()
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        abort(400, _("The page must be a positive whole number."))
    page_number = int(page)
    total = stats.count_results(quiz, cohort or None)
    pages = max(1, -(-total // RESULTS_PAGE_SIZE))
    if page_number > pages:
        abort(404)
    rows = stats.results(quiz, cohort or None, limit=RESULTS_PAGE_SIZE, offset=(page_number - 1) * RESULTS_PAGE_SIZE)
    return render_template("quizzes/results.html", quiz=quiz, rows=rows, cohort=cohort, total=total,
                           page=page_number, pages=pages, cohorts=stats.cohorts(quiz))


@bp.get("/<quiz_id>/results.csv")
@requires(Permission.QUIZ_RESULTS)
def results_csv(quiz_id: str) -> Any:
    quiz = _managed_quiz(quiz_id)
    rows = stats.results(quiz, _cohort() or None)
    header = ["user_id", "email", "name", "cohort", "attempts", "grade_percent", "passed", "last_submitted_at"]
    return spreadsheet.download(f"{quiz.id}-results.csv", header, (
        [row.user_id, row.email, row.name, row.cohort or "", row.attempts,
         "" if row.grade is None else f"{row.grade:.2f}", "yes" if row.passed else "no",
         row.last_submitted_at.isoformat() if row.last_submitted_at else ""]
        for row in rows
    ))


@bp.get("/<quiz_id>/statistics")
@requires(Permission.QUIZ_RESULTS)
def statistics(quiz_id: str) -> Any:
    quiz = _managed_quiz(quiz_id)
    return render_template("quizzes/statistics.html", quiz=quiz, items=stats.item_statistics(quiz.id))


@bp.post("/<quiz_id>/regrade")
@requires(Permission.QUIZ_RESULTS)
def regrade(quiz_id: str) -> Any:
    quiz = _managed_quiz(quiz_id)
    try:
        outcome = operations.regrade(quiz.id, current_user.id, request.form.get("reason", "")[:1000])
    except operations.QuizError as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("quizzes/statistics.html", quiz=quiz, items=stats.item_statistics(quiz.id),
                               regrade_error=error.message), error.status
    db.session.commit()
    flash(_("Regraded %(n)d attempt(s); %(c)d grade(s) changed.", n=outcome["attempts"], c=outcome["changed"]),
          "success")
    return redirect(url_for("quizzes.statistics", quiz_id=quiz.id))


def user_name(user: User) -> str:
    return user.display_name(current_language())
