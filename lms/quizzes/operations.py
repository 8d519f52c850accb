"""Quiz operations: start an attempt, save answers, submit (exactly once), regrade; and the grade interface
other features use (``quiz_grade``, ``quiz_passed``). Nothing here commits: the caller commits once.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql

from lms.accounts.models import User
from lms.core import audit
from lms.core.db import db, utcnow
from lms.curriculum import operations as curriculum
from lms.curriculum.models import Enrolment
from lms.quizzes import grading, types
from lms.quizzes.models import (
    Attempt,
    AttemptStatus,
    CaseStudy,
    Question,
    QuestionVersion,
    Quiz,
    Response,
    ReviewPolicy,
)

#: Answers saved this long after the deadline still count (network latency); never longer.
GRACE = timedelta(seconds=5)


class QuizError(Exception):
    """A refused quiz action; ``status`` is the HTTP status a view answers with, ``message`` is user-facing."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# ---------------------------------------------------------------------------------------------------------
# Reading


def get_quiz(quiz_id: str) -> Quiz | None:
    quiz = db.session.get(Quiz, quiz_id)
    return None if quiz is None or quiz.retired else quiz


def attempts_of(user_id: int, quiz_id: str) -> list[Attempt]:
    return list(
        db.session.scalars(
            sa.select(Attempt).where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id).order_by(Attempt.number)
        )
    )


def availability_problem(quiz: Quiz, now: datetime) -> str | None:
    if quiz.available_from and now < quiz.available_from:
        return _("This quiz opens on %(date)s.", date=quiz.available_from.strftime("%Y-%m-%d %H:%M UTC"))
    if quiz.available_until and now >= quiz.available_until:
        return _("This quiz closed on %(date)s.", date=quiz.available_until.strftime("%Y-%m-%d %H:%M UTC"))
    return None


def review_allowed(quiz: Quiz, attempt: Attempt, now: datetime) -> bool:
    """Whether correctness, feedback and explanations may be shown for a graded attempt."""
    if attempt.status != AttemptStatus.GRADED or quiz.review == ReviewPolicy.NEVER:
        return False
    if quiz.review == ReviewPolicy.AFTER_CLOSE:
        return quiz.available_until is not None and now >= quiz.available_until
    return True


def quiz_grade(user_id: int, quiz_id: str) -> float | None:
    """The user's grade on the quiz in percent, by the quiz's grading method; None without a graded attempt."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        return None
    percents = db.session.scalars(
        sa.select(Attempt.percent)
        .where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, Attempt.status == AttemptStatus.GRADED)
        .order_by(Attempt.number)
    ).all()
    return grading.quiz_grade(quiz.grading.value, [p for p in percents if p is not None])


def quiz_passed(user_id: int, quiz_id: str) -> bool:
    quiz = db.session.get(Quiz, quiz_id)
    return quiz is not None and grading.passed(quiz_grade(user_id, quiz_id), quiz.pass_mark)


# ---------------------------------------------------------------------------------------------------------
# Starting


def _draw(quiz: Quiz, rng: random.Random) -> list[tuple[Question, str | None]]:
    """The questions of a new attempt, in order, with the case study each belongs to."""
    bank_ids = {p["bank"] for p in quiz.pools}
    questions = list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.bank_id.in_(bank_ids), Question.retired.is_(False))
            .order_by(Question.bank_id, Question.position)
        )
    )
    by_bank: dict[str, list[Question]] = {}
    for q in questions:
        by_bank.setdefault(q.bank_id, []).append(q)
    units: list[list[Question]] = []
    used: set[str] = set()
    for pool in quiz.pools:
        bank_questions = by_bank.get(pool["bank"], [])
        bank_units: dict[str, list[Question]] = {}
        for q in bank_questions:
            bank_units.setdefault(q.case_study_id or q.id, []).append(q)
        if pool.get("units"):
            names = [u for u in pool["units"] if u in bank_units]
        else:
            names = list(bank_units)
            if pool.get("tags"):
                wanted = set(pool["tags"])
                names = [u for u in names if any(wanted & set(q.tags) for q in bank_units[u])]
        names = [u for u in names if u not in used]
        draw = pool.get("draw")
        if draw is not None:
            if draw > len(names):
                raise QuizError(_("This quiz cannot be started: its question pools are short of questions."))
            names = rng.sample(names, draw)
        used.update(names)
        units += [bank_units[u] for u in names]
    if not units:
        raise QuizError(_("This quiz cannot be started: it has no questions."))
    if quiz.shuffle_questions:
        rng.shuffle(units)
    return [(q, q.case_study_id) for unit in units for q in unit]


def _ensure_enrolled(user_id: int, quiz: Quiz) -> None:
    """Taking a course's quiz enrols the trainee in the course (self-enrolment is open to every trainee), so
    the attempt counts in course progress, cohort results and reports like any enrolled learner's."""
    def enrolled() -> bool:
        return db.session.scalar(
            sa.select(Enrolment.id).where(Enrolment.user_id == user_id, Enrolment.course_id == quiz.course_id)
        ) is not None

    if enrolled():
        return
    try:
        curriculum.enrol(db.session.get(User, user_id), quiz.course, actor_id=user_id)
    except curriculum.CurriculumError as error:
        if enrolled():  # a concurrent start (second tab, double click) enrolled the trainee a moment ago
            return
        raise QuizError(error.message, error.status) from error


def start_attempt(user_id: int, quiz_id: str, now: datetime | None = None) -> Attempt:
    """Start a new attempt, or return the open one: questions, their versions and option order are fixed here."""
    now = now or utcnow()
    quiz = get_quiz(quiz_id)
    if quiz is None:
        raise QuizError(_("There is no such quiz."), 404)
    close_expired(user_id, quiz_id, now)
    attempts = attempts_of(user_id, quiz_id)
    open_attempt = next((a for a in attempts if a.status == AttemptStatus.OPEN), None)
    if open_attempt is not None:
        return open_attempt
    problem = availability_problem(quiz, now)
    if problem:
        raise QuizError(problem, 409)
    if quiz.attempts_allowed is not None and len(attempts) >= quiz.attempts_allowed:
        raise QuizError(_("You have used all %(n)d attempts allowed for this quiz.", n=quiz.attempts_allowed))
    _ensure_enrolled(user_id, quiz)
    seed = secrets.randbits(62)
    rng = random.Random(seed)  # noqa: S311 - shuffling, not cryptography
    drawn = _draw(quiz, rng)
    versions = {
        (v.question_id, v.version): v
        for v in db.session.scalars(
            sa.select(QuestionVersion).where(QuestionVersion.question_id.in_([q.id for q, _c in drawn]))
        )
    }
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.available_until and (deadline is None or quiz.available_until < deadline):
        deadline = quiz.available_until
    attempt = Attempt(
        quiz_id=quiz.id, user_id=user_id, number=len(attempts) + 1, status=AttemptStatus.OPEN, seed=seed,
        quiz_hash=quiz.content_hash, started_at=now, deadline=deadline, max_points=0.0,
    )
    db.session.add(attempt)
    total = 0.0
    for position, (question, case_id) in enumerate(drawn, start=1):
        version = versions[(question.id, question.current_version)]
        qtype = types.get(question.type)
        layout = qtype.layout(version.definition, rng, quiz.shuffle_options)
        points = float(version.definition.get("points", question.points))
        total += points
        attempt.responses.append(
            Response(position=position, question_id=question.id, version_id=version.id, case_study_id=case_id,
                     layout=layout, max_points=points)
        )
    attempt.max_points = total
    db.session.flush()
    audit.record("quiz.attempt.start", "quiz_attempt", attempt.id, actor_id=user_id, quiz=quiz.id,
                 number=attempt.number)
    return attempt


# ---------------------------------------------------------------------------------------------------------
# Answering


def clean_answers(attempt: Attempt | Sheet, answers: Any) -> dict[int, Any]:
    """Check every answer against the attempt's questions; {response id: cleaned answer}. Raises QuizError 400."""
    if not isinstance(answers, Mapping):
        raise QuizError(_("Answers must be an object mapping question ids to answers."), 400)
    by_question = {r.question_id: r for r in attempt.responses}
    cleaned: dict[int, Any] = {}
    for question_id, raw in answers.items():
        response = by_question.get(question_id)
        if response is None:
            raise QuizError(_("Question %(id)s is not part of this attempt.", id=str(question_id)[:100]), 400)
        try:
            cleaned[response.id] = types.get(response.definition["type"]).clean(
                response.definition, response.layout, raw
            )
        except types.ResponseError as error:
            raise QuizError(_("Question %(id)s: %(problem)s", id=question_id, problem=str(error)), 400) from None
    return cleaned


def _check_owner(attempt: Attempt | Sheet, user_id: int) -> None:
    if attempt.user_id != user_id:
        raise QuizError(_("There is no such attempt."), 404)


def _touch_open(attempt: Attempt, now: datetime) -> bool:
    """Lock the attempt row if it is still open (the guard autosave and submission share)."""
    result = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
        .values(last_saved_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def save_answers(attempt: Attempt, user_id: int, answers: Any, now: datetime | None = None) -> int:
    """Save some or all answers of an open attempt (autosave); returns how many were saved."""
    now = now or utcnow()
    _check_owner(attempt, user_id)
    cleaned = clean_answers(attempt, answers)
    if attempt.status != AttemptStatus.OPEN or not _touch_open(attempt, now):
        raise QuizError(_("This attempt has been submitted; answers can no longer be changed."))
    if attempt.deadline is not None and now > attempt.deadline + GRACE:
        raise QuizError(_("Time is up: answers given after the deadline are not saved."))
    for response in attempt.responses:
        if response.id in cleaned:
            response.answer = cleaned[response.id]
            response.saved_at = now
    return len(cleaned)


@dataclass(frozen=True, slots=True)
class SheetResponse:
    id: int
    question_id: str
    layout: dict[str, Any]
    answer: Any
    max_points: float
    #: The definition of the question version shown, answer key included: never sent to the browser.
    definition: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Sheet:
    """What submitting needs of an attempt: its state, and its questions with their keys and saved answers.

    Plain rows read in one query (no ORM objects to load, track and flush): submission is the hot path when a
    whole cohort hands in an exam at once.
    """

    id: int
    user_id: int
    quiz_id: str
    status: AttemptStatus
    deadline: datetime | None
    max_points: float
    #: When answers were last saved: the guard claims the attempt only if no save came after this read.
    last_saved_at: datetime | None
    responses: tuple[SheetResponse, ...]


_SHEET = (
    sa.select(
        Attempt.user_id, Attempt.quiz_id, Attempt.status, Attempt.deadline, Attempt.max_points, Attempt.last_saved_at,
        Response.id, Response.question_id, Response.layout, Response.answer, Response.max_points,
        Response.version_id, QuestionVersion.content_hash,
    )
    .select_from(Attempt)
    .outerjoin(Response, Response.attempt_id == Attempt.id)
    .outerjoin(QuestionVersion, QuestionVersion.id == Response.version_id)
    .where(Attempt.id == sa.bindparam("attempt_id"))
    .order_by(Response.position)
)

#: Definitions of question versions by (id, content hash). A version never changes once written (a correction is
#: a new version), so each process decodes a definition once instead of on every submission; the hash guards
#: against an id that a rolled-back transaction (tests on SQLite) handed out again for other content.
_definitions: dict[tuple[int, str], dict[str, Any]] = {}
_DEFINITIONS_KEPT = 20_000


def _version_definitions(keys: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
    missing = keys - _definitions.keys()
    if missing:
        if len(_definitions) + len(missing) > _DEFINITIONS_KEPT:
            _definitions.clear()
        rows = db.session.execute(
            sa.select(QuestionVersion.id, QuestionVersion.content_hash, QuestionVersion.definition)
            .where(QuestionVersion.id.in_([version_id for version_id, _hash in missing]))
        )
        for version_id, content_hash, definition in rows:
            _definitions[(version_id, content_hash)] = definition
    return {key: _definitions[key] for key in keys}


def load_sheet(attempt_id: int) -> Sheet | None:
    """The attempt's submission sheet, or None for an unknown attempt."""
    rows = db.session.execute(_SHEET, {"attempt_id": attempt_id}).all()
    if not rows:
        return None
    first = rows[0]
    questions = [row for row in rows if row[6] is not None]
    definitions = _version_definitions({(row[11], row[12]) for row in questions})
    return Sheet(
        id=attempt_id, user_id=first[0], quiz_id=first[1], status=first[2], deadline=first[3], max_points=first[4],
        last_saved_at=first[5],
        responses=tuple(SheetResponse(*row[6:11], definitions[(row[11], row[12])]) for row in questions),
    )


# Parameters are prefixed: an UPDATE would also SET any column that a parameter of the same name matches.
_CLAIM = (
    sa.update(Attempt.__table__)
    .where(
        Attempt.__table__.c.id == sa.bindparam("claim_id"),
        Attempt.__table__.c.status == AttemptStatus.OPEN,
        Attempt.__table__.c.last_saved_at.is_not_distinct_from(sa.bindparam("claim_last_saved_at")),
    )
    .values(status=AttemptStatus.GRADED, submitted_at=sa.bindparam("claim_submitted_at"),
            graded_at=sa.bindparam("claim_graded_at"), points=sa.bindparam("claim_points"),
            percent=sa.bindparam("claim_percent"))
)
_responses = Response.__table__.c
_GRADE_RESPONSE = (
    sa.update(Response.__table__)
    .where(_responses.id == sa.bindparam("response_id"))
    .values(fraction=sa.bindparam("fraction"), points=sa.bindparam("points"), summary=sa.bindparam("summary"))
)
_ANSWER_AND_GRADE_RESPONSE = _GRADE_RESPONSE.values(answer=sa.bindparam("answer"), saved_at=sa.bindparam("saved_at"))
#: PostgreSQL: every response of the attempt in one statement, from arrays (a null answer text: keep the saved one).
_grades = sa.func.unnest(
    sa.bindparam("response_ids", type_=postgresql.ARRAY(sa.Integer)),
    sa.bindparam("response_fractions", type_=postgresql.ARRAY(sa.Float)),
    sa.bindparam("response_points", type_=postgresql.ARRAY(sa.Float)),
    sa.bindparam("response_summaries", type_=postgresql.ARRAY(sa.Text)),
    sa.bindparam("response_answers", type_=postgresql.ARRAY(sa.Text)),
).table_valued("id", "fraction", "points", "summary", "answer").render_derived()
_GRADE_RESPONSES_FROM_ARRAYS = (
    sa.update(Response.__table__)
    .where(_responses.id == _grades.c.id)
    .values(
        fraction=_grades.c.fraction, points=_grades.c.points, summary=_grades.c.summary,
        answer=sa.case((_grades.c.answer.is_(None), _responses.answer), else_=sa.cast(_grades.c.answer, sa.JSON)),
        saved_at=sa.case((_grades.c.answer.is_(None), _responses.saved_at),
                         else_=sa.bindparam("response_saved_at", type_=_responses.saved_at.type)),
    )
)


_claimed = _CLAIM.returning(Attempt.__table__.c.id).cte("claimed")
#: PostgreSQL: the guard, the responses' grades and the audit entry in one statement. The grades and the entry
#: are written only if the guard claimed the attempt (the statement's row count, 0 or 1, says whether it did).
_SUBMIT = (
    audit.insert_for_each(_claimed)
    .add_cte(_GRADE_RESPONSES_FROM_ARRAYS.where(sa.exists(sa.select(_claimed.c.id))).cte("graded"))
    .execution_options(preserve_rowcount=True)  # an INSERT's row count is otherwise not kept
)


def _write_submission(claim: dict[str, Any], rows: list[dict[str, Any]], audit_entry: dict[str, Any],
                      now: datetime) -> bool:
    """Claim the attempt and write the grades, answers and audit entry; False if it was no longer open.

    ``rows`` holds each response's grade, and its answer where the submission brought one (key ``answer``).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        arrays = {
            "response_ids": [row["response_id"] for row in rows],
            "response_fractions": [row["fraction"] for row in rows],
            "response_points": [row["points"] for row in rows],
            "response_summaries": [row["summary"] for row in rows],
            "response_answers": [json.dumps(row["answer"]) if "answer" in row else None for row in rows],
        }
        params = {**claim, **arrays, "response_saved_at": now, **audit.bound_values(**audit_entry)}
        return db.session.execute(_SUBMIT, params).rowcount == 1
    if db.session.execute(_CLAIM, claim).rowcount != 1:
        return False
    graded = [row for row in rows if "answer" not in row]
    answered = [{**row, "saved_at": now} for row in rows if "answer" in row]
    for statement, batch in ((_GRADE_RESPONSE, graded), (_ANSWER_AND_GRADE_RESPONSE, answered)):
        if batch:
            db.session.execute(statement, batch)
    audit.record_now(**audit_entry)
    return True


def submit_attempt(sheet: Sheet, user_id: int, answers: Any = None, now: datetime | None = None) -> bool:
    """Submit and grade, exactly once. True if this call graded it; False if it had already been submitted.

    The guard is one conditional UPDATE ... WHERE status = 'open' that also writes the grade: of two concurrent
    submissions (double click, two tabs, two servers) the database lets exactly one change the row; the other
    sees it graded and writes nothing. The responses' grades and the audit entry follow, on PostgreSQL in the
    same statement: no re-reading, and one write whatever the number of questions. The guard also requires
    ``last_saved_at`` as the sheet read it: an autosave that landed in between makes it re-read and grade again,
    so every answer a save accepted counts.
    """
    now = now or utcnow()
    _check_owner(sheet, user_id)
    late = sheet.deadline is not None and now > sheet.deadline + GRACE
    cleaned = clean_answers(sheet, answers) if answers else {}
    # A late submission is graded as of the deadline: what was saved in time counts, what arrived late does not.
    if late:
        cleaned = {}
    for _try in range(_SUBMIT_TRIES):
        if sheet.status != AttemptStatus.OPEN:
            return False
        if _grade_and_claim(sheet, user_id, cleaned, late, now):
            _forget(sheet.id)
            return True
        sheet = load_sheet(sheet.id) or sheet
    raise QuizError(_("Your answers are being saved from elsewhere; submit again in a moment."), 409)


#: Re-reads allowed when autosaves keep landing between reading the sheet and claiming the attempt.
_SUBMIT_TRIES = 3


def _grade_and_claim(sheet: Sheet, user_id: int, cleaned: dict[int, Any], late: bool, now: datetime) -> bool:
    rows, total = [], 0.0
    for response in sheet.responses:
        answer = cleaned.get(response.id, response.answer)
        fraction, points, summary = _score(response.definition, response.layout, answer, response.max_points)
        total += points
        row = {"response_id": response.id, "fraction": fraction, "points": points, "summary": summary}
        if response.id in cleaned:
            row["answer"] = answer
        rows.append(row)
    percent = grading.percent(total, sheet.max_points)
    claim = {"claim_id": sheet.id, "claim_last_saved_at": sheet.last_saved_at,
             "claim_submitted_at": min(now, sheet.deadline) if sheet.deadline is not None else now,
             "claim_graded_at": now, "claim_points": round(total, 6), "claim_percent": percent}
    entry = {"action": "quiz.attempt.submit", "subject_type": "quiz_attempt", "subject_id": sheet.id,
             "actor_id": user_id, "quiz": sheet.quiz_id, "percent": percent, "late": late}
    return _write_submission(claim, rows, entry, now)


def _forget(attempt_id: int) -> None:
    """ORM copies of the attempt and its responses in this session are stale after the writes above."""
    for obj in list(db.session.identity_map.values()):
        if (isinstance(obj, Attempt) and obj.__dict__.get("id") == attempt_id) or (
            isinstance(obj, Response) and obj.__dict__.get("attempt_id") == attempt_id
        ):
            db.session.expire(obj)


def _score(definition: dict[str, Any], layout: dict[str, Any], answer: Any,
           max_points: float) -> tuple[float, float, str | None]:
    """(fraction, points, summary) of one response."""
    qtype = types.get(definition["type"])
    fraction = qtype.grade(definition, layout, answer)
    return fraction, round(fraction * max_points, 6), qtype.summarise(definition, layout, answer)


def _grade(attempt: Attempt) -> None:
    total = 0.0
    for response in attempt.responses:
        response.fraction, response.points, response.summary = _score(
            response.definition, response.layout, response.answer, response.max_points
        )
        total += response.points
    attempt.points = round(total, 6)
    attempt.percent = grading.percent(total, attempt.max_points)


def close_expired(user_id: int, quiz_id: str, now: datetime | None = None) -> int:
    """Grade this user's open attempts whose deadline has passed, as of their deadline."""
    now = now or utcnow()
    expired = db.session.scalars(
        sa.select(Attempt.id).where(
            Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, Attempt.status == AttemptStatus.OPEN,
            Attempt.deadline.is_not(None), Attempt.deadline < now - GRACE,
        )
    ).all()
    return sum(1 for attempt_id in expired if _submit_expired(attempt_id, now))


def close_all_expired(now: datetime | None = None) -> int:
    now = now or utcnow()
    expired = db.session.scalars(
        sa.select(Attempt.id).where(Attempt.status == AttemptStatus.OPEN, Attempt.deadline.is_not(None),
                                    Attempt.deadline < now - GRACE)
    ).all()
    return sum(1 for attempt_id in expired if _submit_expired(attempt_id, now))


def _submit_expired(attempt_id: int, now: datetime) -> bool:
    sheet = load_sheet(attempt_id)
    return sheet is not None and submit_attempt(sheet, sheet.user_id, None, now)


# ---------------------------------------------------------------------------------------------------------
# Regrading


def regrade(quiz_id: str, actor_id: int, reason: str) -> dict[str, int]:
    """Regrade every graded attempt of the quiz with the current version of each question (after a key
    correction): responses move to the current version when its type is unchanged. Audited per attempt."""
    reason = (reason or "").strip()
    if not reason:
        raise QuizError(_("Say why the quiz is regraded (for example, which key was corrected)."), 422)
    if get_quiz(quiz_id) is None:
        raise QuizError(_("There is no such quiz."), 404)
    current = dict(db.session.execute(
            sa.select(QuestionVersion.question_id, QuestionVersion)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(QuestionVersion.version == Question.current_version)
        ).all())
    attempts = db.session.scalars(
        sa.select(Attempt)
        .where(Attempt.quiz_id == quiz_id, Attempt.status == AttemptStatus.GRADED)
        .options(sa.orm.selectinload(Attempt.responses).joinedload(Response.version))
    ).all()
    changed = 0
    for attempt in attempts:
        before = attempt.percent
        for response in attempt.responses:
            latest = current.get(response.question_id)
            if (
                latest is not None
                and latest.id != response.version_id
                and latest.definition_type == response.version.definition_type
                and _same_layout(latest, response)
            ):
                response.version_id = latest.id
                response.version = latest
        _grade(attempt)
        if attempt.percent != before:
            changed += 1
            audit.record("quiz.attempt.regrade", "quiz_attempt", attempt.id, actor_id=actor_id, reason=reason,
                         quiz=quiz_id, before=before, after=attempt.percent)
    audit.record("quiz.regrade", "quiz", quiz_id, actor_id=actor_id, reason=reason, attempts=len(attempts),
                 changed=changed)
    return {"attempts": len(attempts), "changed": changed}


def _same_layout(version: QuestionVersion, response: Response) -> bool:
    """The corrected version must still have the options/items the attempt showed (else the answer is moot)."""
    definition = version.definition
    layout = response.layout
    if "options" in layout:
        return sorted(o["id"] for o in definition.get("options", [])) == sorted(layout["options"])
    if "items" in layout:
        return sorted(i["id"] for i in definition.get("items", [])) == sorted(layout["items"])
    if "prompts" in layout:
        return sorted(p["id"] for p in definition.get("pairs", [])) == sorted(layout["prompts"]) and len(
            definition.get("pairs", [])
        ) + len(definition.get("distractors", [])) == len(layout["choices"])
    return True


def case_studies(ids: set[str]) -> dict[str, CaseStudy]:
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(CaseStudy).where(CaseStudy.id.in_(ids)))}
