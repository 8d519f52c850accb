"""Taking a quiz through real HTTP: start, autosave, reload, submit once, review; every bad input refused."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core.audit import AuditEntry
from lms.core.db import db, utcnow
from lms.curriculum.models import Enrolment
from lms.quizzes import operations
from lms.quizzes.models import Attempt, AttemptStatus, Quiz, Response
from tests.quizzes.conftest import start

pytestmark = pytest.mark.usefixtures("synced")


def _attempt(attempt_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def _key(response: Response):  # noqa: PLR0911
    """The right answer of a response, in the API's form (what a trainee who knows it would send)."""
    d = response.version.definition
    kind = d["type"]
    if kind == "single_choice":
        return next(o["id"] for o in d["options"] if o["correct"])
    if kind == "multiple_response":
        return [o["id"] for o in d["options"] if o["correct"]]
    if kind == "true_false":
        return d["answer"]
    if kind == "numeric":
        return d["answer"]
    if kind == "short_text":
        return "ｊｐｏ"  # full-width, lower case: normalised to JPO
    if kind == "ordering":
        return [i["id"] for i in d["items"]]
    if kind == "matching":
        return {p: response.layout["choices"].index(p) for p in response.layout["prompts"]}
    raise AssertionError(kind)


def _all_right(attempt_id: int) -> dict:
    return {r.question_id: _key(r) for r in _attempt(attempt_id).responses}


def _save(client, attempt_id, answers, **kw):
    return client.post(f"/quizzes/attempts/{attempt_id}/answers", json={"answers": answers}, **kw)


def test_start_fixes_questions_and_option_order(client, make_user, login):
    login(make_user())
    page = client.get("/quizzes/sample-01/start")
    assert page.status_code == 200
    assert "Quiz: basics" in page.get_data(as_text=True)
    attempt_id = start(client, "sample-01")
    attempt = _attempt(attempt_id)
    assert attempt.status == AttemptStatus.OPEN
    assert attempt.number == 1
    assert len(attempt.responses) == 9  # 7 questions and a case study of 2
    layout = [(r.question_id, r.layout) for r in attempt.responses]
    # The case study's questions stay together, in order.
    ids = [q for q, _ in layout]
    assert ids.index("case-brewery-2") == ids.index("case-brewery-1") + 1
    # Starting again (double click, second tab) resumes the same attempt with the same layout.
    assert start(client, "sample-01") == attempt_id
    assert [(r.question_id, r.layout) for r in _attempt(attempt_id).responses] == layout
    # Reloading the page shows the same order (the CSRF tokens carry a timestamp, so they may differ).
    def page_without_tokens() -> str:
        html = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
        return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)

    assert page_without_tokens() == page_without_tokens()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1


def test_shuffles_differ_between_attempts(client, make_user, login):
    orders = set()
    for _ in range(6):
        login(make_user())
        attempt_id = start(client, "sample-01")
        orders.add(tuple(r.question_id for r in _attempt(attempt_id).responses))
        client.post("/logout")
    assert len(orders) > 1


def test_ordering_items_are_never_shown_in_the_right_order(client, make_user, login):
    for _ in range(5):
        login(make_user())
        attempt = _attempt(start(client, "sample-01"))
        order = next(r for r in attempt.responses if r.question_id == "s-order")
        assert order.layout["items"] != ["filing", "request", "grant"]
        client.post("/logout")


def test_autosave_survives_reload_and_a_second_device(app, client, make_user, login):
    user = login(make_user())
    attempt_id = start(client, "sample-01")
    response = _save(client, attempt_id, {"s-single": "a", "s-short": "JPO", "s-multi": ["a", "c"]})
    assert response.status_code == 200
    assert response.get_json()["saved"] == 3
    html = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="a" checked' in html
    assert 'value="JPO"' in html
    # A second device: a separate client signed in as the same user sees the saved answers.
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": "Correct-Horse-Battery-42"}).status_code == 302
    html = other.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="JPO"' in html
    # It can change an answer; the first device then sees the change.
    assert _save(other, attempt_id, {"s-short": "特許庁"}).status_code == 200
    assert "特許庁" in client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    # Clearing an answer.
    assert _save(client, attempt_id, {"s-single": None}).status_code == 200
    attempt = _attempt(attempt_id)
    assert next(r for r in attempt.responses if r.question_id == "s-single").answer is None


def test_submit_grades_on_the_server_and_reviews(client, make_user, login):
    user = login(make_user())
    attempt_id = start(client, "sample-01")
    assert _save(client, attempt_id, _all_right(attempt_id)).status_code == 200
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}/review")
    attempt = _attempt(attempt_id)
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.percent == 100.0
    assert attempt.max_points == 10.0  # s-multi is worth 2
    assert operations.quiz_grade(user.id, "sample-01") == 100.0
    assert operations.quiz_passed(user.id, "sample-01")
    review = client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "EXPLANATION-SINGLE" in review  # after_attempt: explanations shown
    assert "100.0%" in review
    entries = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.subject_type == "quiz_attempt",
                                           AuditEntry.subject_id == str(attempt_id))
    ).all()
    assert sorted(entries) == ["quiz.attempt.start", "quiz.attempt.submit"]


def test_submit_through_the_form_without_javascript(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    attempt = _attempt(attempt_id)
    form = {}
    for r in attempt.responses:
        key = _key(r)
        name = f"q-{r.question_id}"
        d = r.version.definition
        if d["type"] == "multiple_response":
            form[name] = key
        elif d["type"] == "true_false":
            form[name] = "true" if key else "false"
        elif d["type"] == "ordering":
            for position, item in enumerate(key, start=1):
                form[f"{name}.{item}"] = str(position)
        elif d["type"] == "matching":
            for prompt, index in key.items():
                form[f"{name}.{prompt}"] = str(index)
        else:
            form[name] = str(key)
    assert client.post(f"/quizzes/attempts/{attempt_id}/submit", data=form).status_code == 302
    assert _attempt(attempt_id).percent == 100.0


def test_submitted_answers_are_stored_with_their_grades_and_saved_ones_kept(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    _save(client, attempt_id, {"s-tf": True, "s-single": "a"})
    saved_at = {r.question_id: r.saved_at for r in _attempt(attempt_id).responses}
    # The form brings s-single (overriding the saved "a") and s-short; s-tf keeps its saved answer.
    form = {"q-s-single": "b", "q-s-short": "ＪＰＯ"}
    assert client.post(f"/quizzes/attempts/{attempt_id}/submit", data=form).status_code == 302
    responses = {r.question_id: r for r in _attempt(attempt_id).responses}
    assert responses["s-single"].answer == "b"
    assert responses["s-single"].saved_at > saved_at["s-single"]
    assert responses["s-short"].answer == "ＪＰＯ"
    assert responses["s-short"].saved_at is not None
    assert responses["s-tf"].answer is True
    assert responses["s-tf"].saved_at == saved_at["s-tf"]
    assert responses["s-numeric"].answer is None
    assert responses["s-numeric"].saved_at is None
    assert all(r.fraction is not None and r.points is not None for r in responses.values())
    assert responses["s-single"].summary == "b"


def test_partial_answers_score_partially(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    # s-multi (2 points): a right, c wrong -> 1/2 - 1/2 = 0; a alone -> 1/2 of 2 points.
    _save(client, attempt_id, {"s-multi": ["a"], "s-numeric": "10", "s-tf": False})
    client.post(f"/quizzes/attempts/{attempt_id}/submit")
    attempt = _attempt(attempt_id)
    scores = {r.question_id: r.points for r in attempt.responses}
    assert scores["s-multi"] == 1.0
    assert scores["s-numeric"] == 1.0
    assert scores["s-tf"] == 0.0
    assert attempt.points == 2.0
    assert attempt.percent == 20.0


def test_double_submit_and_replay_grade_once(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    _save(client, attempt_id, _all_right(attempt_id))
    first = client.post(f"/quizzes/attempts/{attempt_id}/submit")
    graded_at = _attempt(attempt_id).graded_at
    # The replay carries different (wrong) answers: nothing changes.
    replay = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"q-s-single": "a"})
    assert first.status_code == replay.status_code == 302
    attempt = _attempt(attempt_id)
    assert attempt.percent == 100.0
    assert attempt.graded_at == graded_at
    submits = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "quiz.attempt.submit")
    )
    assert submits == 1
    # The operation itself reports the second call as a no-op.
    assert operations.submit_attempt(operations.load_sheet(attempt_id), attempt.user_id) is False


def test_the_guard_writes_nothing_for_a_sheet_read_before_another_submission(client, make_user, login):
    user = login(make_user())
    attempt_id = start(client, "sample-01")
    _save(client, attempt_id, {"s-single": "b"})
    stale = operations.load_sheet(attempt_id)  # read while open, as by a second tab or server
    assert operations.submit_attempt(operations.load_sheet(attempt_id), user.id) is True
    db.session.commit()
    graded = {r.question_id: (r.answer, r.fraction, r.summary) for r in _attempt(attempt_id).responses}
    assert operations.submit_attempt(stale, user.id, {"s-single": "a"}) is False
    db.session.commit()
    attempt = _attempt(attempt_id)
    assert {r.question_id: (r.answer, r.fraction, r.summary) for r in attempt.responses} == graded
    submits = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "quiz.attempt.submit")
    )
    assert submits == 1


def test_an_answer_saved_after_the_sheet_was_read_still_counts(client, make_user, login):
    user = login(make_user())
    attempt_id = start(client, "sample-01")
    _save(client, attempt_id, {"s-single": "a"})
    sheet = operations.load_sheet(attempt_id)
    # An autosave from another tab lands between the submission's read and its guarded write.
    assert _save(client, attempt_id, {"s-single": "b"}).status_code == 200
    assert operations.submit_attempt(sheet, user.id) is True
    db.session.commit()
    single = next(r for r in _attempt(attempt_id).responses if r.question_id == "s-single")
    assert (single.answer, single.fraction) == ("b", 1.0)


def test_answers_after_submission_are_refused(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    client.post(f"/quizzes/attempts/{attempt_id}/submit")
    response = _save(client, attempt_id, {"s-single": "b"})
    assert response.status_code == 409
    assert "submitted" in response.get_json()["error"]["message"]
    assert next(r for r in _attempt(attempt_id).responses if r.question_id == "s-single").answer is None


def test_attempt_limit(client, make_user, login):
    login(make_user())
    for _ in range(2):
        attempt_id = start(client, "sample-01")
        client.post(f"/quizzes/attempts/{attempt_id}/submit")
    response = client.post("/quizzes/sample-01/start")
    assert response.status_code == 409
    assert "all 2 attempts" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 2


def test_grading_method_average_and_review_never(client, make_user, login):
    user = login(make_user())
    percents = []
    for answer_right in (True, False):
        attempt_id = start(client, "sample-final")
        if answer_right:
            _save(client, attempt_id, _all_right(attempt_id))
        client.post(f"/quizzes/attempts/{attempt_id}/submit")
        percents.append(_attempt(attempt_id).percent)
        review = client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(as_text=True)
        assert "are not shown" in review
        assert "EXPLANATION" not in review
        assert "FEEDBACK" not in review
    assert percents == [100.0, 0.0]
    assert operations.quiz_grade(user.id, "sample-final") == 50.0
    assert not operations.quiz_passed(user.id, "sample-final")
    assert operations.quiz_grade(user.id, "sample-01") is None
    assert operations.quiz_grade(user.id, "no-such-quiz") is None
    assert operations.quiz_passed(user.id, "no-such-quiz") is False


def test_grading_method_last(client, make_user, login):
    user = login(make_user())
    quiz = db.session.get(Quiz, "sample-01")
    quiz.grading = "last"
    db.session.commit()
    first = start(client, "sample-01")
    _save(client, first, _all_right(first))
    client.post(f"/quizzes/attempts/{first}/submit")
    second = start(client, "sample-01")
    client.post(f"/quizzes/attempts/{second}/submit")
    assert operations.quiz_grade(user.id, "sample-01") == 0.0


def test_pool_draws_the_stated_number(client, make_user, login):
    login(make_user())
    attempt = _attempt(start(client, "sample-final"))
    ids = [r.question_id for r in attempt.responses]
    assert len(ids) == len(set(ids))
    patent = {"s-single", "s-multi", "s-short", "s-order", "s-match"}
    assert len([i for i in ids if i in patent]) >= 3


# ---------------------------------------------------------------------------------------------------------
# Time limit and availability, enforced on the server


def test_late_submission_is_graded_as_of_the_deadline(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-final")
    attempt = _attempt(attempt_id)
    assert attempt.deadline is not None
    right = _all_right(attempt_id)
    first_id = next(iter(right))
    _save(client, attempt_id, {first_id: right[first_id]})  # saved in time
    # The clock moves past the deadline (the attempt started 11 minutes ago with a 10-minute limit).
    attempt.started_at -= timedelta(minutes=11)
    attempt.deadline -= timedelta(minutes=11)
    db.session.commit()
    late = _save(client, attempt_id, right)
    assert late.status_code == 409
    assert "Time is up" in late.get_json()["error"]["message"]
    client.post(f"/quizzes/attempts/{attempt_id}/submit", data={})
    attempt = _attempt(attempt_id)
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.submitted_at == attempt.deadline
    scored = {r.question_id: r.points for r in attempt.responses}
    assert scored[first_id] > 0
    assert sum(scored.values()) == scored[first_id]


def test_an_expired_attempt_is_closed_when_reopened(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-final")
    attempt = _attempt(attempt_id)
    attempt.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/quizzes/attempts/{attempt_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review")
    assert _attempt(attempt_id).status == AttemptStatus.GRADED


def test_availability_window(client, make_user, login):
    login(make_user())
    quiz = db.session.get(Quiz, "sample-01")
    quiz.available_from = utcnow() + timedelta(days=1)
    db.session.commit()
    response = client.post("/quizzes/sample-01/start")
    assert response.status_code == 409
    assert "opens on" in response.get_data(as_text=True)
    quiz = db.session.get(Quiz, "sample-01")
    quiz.available_from = None
    quiz.available_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post("/quizzes/sample-01/start")
    assert response.status_code == 409
    assert "closed on" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def test_window_end_caps_the_deadline(client, make_user, login):
    login(make_user())
    quiz = db.session.get(Quiz, "sample-01")
    quiz.available_until = utcnow() + timedelta(minutes=3)
    db.session.commit()
    attempt = _attempt(start(client, "sample-01"))
    assert attempt.deadline == db.session.get(Quiz, "sample-01").available_until


def test_review_after_close(client, make_user, login):
    login(make_user())
    quiz = db.session.get(Quiz, "sample-01")
    quiz.review = "after_close"
    quiz.available_until = utcnow() + timedelta(hours=1)
    db.session.commit()
    attempt_id = start(client, "sample-01")
    client.post(f"/quizzes/attempts/{attempt_id}/submit")
    html = client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "EXPLANATION" not in html
    assert "once the quiz has closed" in html
    quiz = db.session.get(Quiz, "sample-01")
    quiz.available_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "EXPLANATION-SINGLE" in client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(as_text=True)


# ---------------------------------------------------------------------------------------------------------
# Keys never reach the browser while the attempt is open


def _secrets_of(attempt: Attempt) -> list[str]:
    found = ["correct", "EXPLANATION", "FEEDBACK", "explanation", "feedback", "Patent Act Art. 67(1)"]
    for r in attempt.responses:
        d = r.version.definition
        if d["type"] == "short_text":
            found += [a for answers in d["accept"].values() for a in answers]
        if d["type"] == "matching":
            found += [f'value="{p}"' for p in r.layout["choices"]]
            found += ['"choices"', "~0"]
        if d["type"] == "ordering":
            found.append(">".join(i["id"] for i in d["items"]))
    return found


def test_answer_keys_never_in_the_html_or_json_of_an_open_attempt(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    attempt = _attempt(attempt_id)
    pages = [
        client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True),
        client.get("/quizzes/sample-01/start").get_data(as_text=True),
        _save(client, attempt_id, {"s-single": "a"}).get_data(as_text=True),
        _save(client, attempt_id, {"s-single": "zzz"}).get_data(as_text=True),
        client.get(f"/quizzes/attempts/{attempt_id}/review", follow_redirects=True).get_data(as_text=True),
    ]
    for text in pages:
        for secret in _secrets_of(attempt):
            assert secret not in text, secret
    # The numeric key (10) and the true/false key are not in the page as data either.
    html = pages[0]
    assert 'data-answer' not in html
    assert "tolerance" not in html


# ---------------------------------------------------------------------------------------------------------
# Bad input: a clear 4xx and the attempt unchanged


def _snapshot(attempt_id):
    attempt = _attempt(attempt_id)
    return [(r.question_id, json.dumps(r.answer), r.saved_at) for r in attempt.responses], attempt.status


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"answers": {"no-such-question": "a"}}, 400, "not part of this attempt"),
        ({"answers": {"s-single": "z"}}, 400, "not one of this question"),  # tampered option id
        ({"answers": {"s-single": ["a"]}}, 400, "not one of this question"),  # wrong type
        ({"answers": {"s-multi": "a"}}, 400, "list of option ids"),
        ({"answers": {"s-multi": ["a", "evil"]}}, 400, "not one of this question"),
        ({"answers": {"s-tf": "yes"}}, 400, "true or false"),
        ({"answers": {"s-numeric": "ten"}}, 400, "Enter a number"),
        ({"answers": {"s-numeric": True}}, 400, "Enter a number"),
        ({"answers": {"s-numeric": "1e400"}}, 400, "Enter a number"),
        ({"answers": {"s-short": 42}}, 400, "must be text"),
        ({"answers": {"s-short": "x" * 501}}, 400, "at most 500"),
        ({"answers": {"s-order": ["filing", "grant"]}}, 400, "every item"),
        ({"answers": {"s-order": ["filing", "grant", "grant"]}}, 400, "every item"),
        ({"answers": {"s-match": {"patent": 99}}}, 400, "listed answers"),
        ({"answers": {"s-match": {"nope": 0}}}, 400, "prompt"),
        ({"answers": {"s-match": ["patent"]}}, 400, "map each prompt"),
        ({"answers": ["s-single"]}, 400, "object"),
        ({"answers": {"s-single": "b"}, "extra": 1}, 400, "JSON of the form"),
        ({}, 400, "JSON of the form"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(  # noqa: PLR0917
    client, make_user, login, payload, status, message
):
    login(make_user())
    attempt_id = start(client, "sample-01")
    _save(client, attempt_id, {"s-single": "b"})
    before = _snapshot(attempt_id)
    # A valid answer alongside the bad one is not saved either: all or nothing.
    if isinstance(payload.get("answers"), dict) and "s-single" not in payload["answers"]:
        payload = {**payload, "answers": {"s-single": "c", **payload["answers"]}}
    response = client.post(f"/quizzes/attempts/{attempt_id}/answers", json=payload)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]
    assert _snapshot(attempt_id) == before


def test_malformed_json_and_huge_payloads(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    before = _snapshot(attempt_id)
    response = client.post(f"/quizzes/attempts/{attempt_id}/answers", data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    huge = json.dumps({"answers": {"s-short": "x" * 200_000}})
    response = client.post(f"/quizzes/attempts/{attempt_id}/answers", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert "Too much data" in response.get_json()["error"]["message"]
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"q-s-short": "x" * 200_000})
    assert response.status_code == 413
    assert _snapshot(attempt_id) == before


def test_bad_form_submission_is_refused_and_the_attempt_stays_open(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"q-s-single": "tampered"})
    assert response.status_code == 400
    assert "not one of this question" in response.get_data(as_text=True)
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"q-s-order.filing": "first"})
    assert response.status_code == 400
    assert _attempt(attempt_id).status == AttemptStatus.OPEN


def test_someone_elses_attempt_is_not_found(app, client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    client.post("/logout")
    login(make_user())
    assert client.get(f"/quizzes/attempts/{attempt_id}").status_code == 404
    assert client.get(f"/quizzes/attempts/{attempt_id}/review").status_code == 404
    assert _save(client, attempt_id, {"s-single": "a"}).status_code == 404
    assert client.post(f"/quizzes/attempts/{attempt_id}/submit").status_code == 404
    assert _attempt(attempt_id).status == AttemptStatus.OPEN


def test_unknown_quiz(client, make_user, login):
    login(make_user())
    assert client.get("/quizzes/nope/start").status_code == 404
    assert client.post("/quizzes/nope/start").status_code == 404


def test_autosave_needs_the_csrf_header(app, client, make_user, login):
    login(make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/quizzes/sample-01/start").get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post("/quizzes/sample-01/start", data={"csrf_token": token})
        assert response.status_code == 302
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
        refused = _save(client, attempt_id, {"s-single": "a"})
        assert refused.status_code == 400
        assert next(r for r in _attempt(attempt_id).responses if r.question_id == "s-single").answer is None
        ok = _save(client, attempt_id, {"s-single": "a"}, headers={"X-CSRFToken": token})
        assert ok.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_pages_speak_japanese(client, make_user, login):
    login(make_user())
    page = client.get("/quizzes/sample-01/start", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "受験を始める" in page
    assert "確認テスト：基礎" in page
    attempt_id = start(client, "sample-01")
    page = client.get(f"/quizzes/attempts/{attempt_id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "解答を提出する" in page
    assert "日本の特許権の存続期間はどれか。" in page
    refused = client.post(f"/quizzes/attempts/{attempt_id}/answers", json={"answers": {"s-single": "z"}},
                          headers={"Accept-Language": "ja"})
    assert "この問題の選択肢ではありません" in refused.get_json()["error"]["message"]


def test_numeric_answers_accept_full_width_digits_and_separators(client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-01")
    assert _save(client, attempt_id, {"s-numeric": "１０"}).status_code == 200
    assert next(r for r in _attempt(attempt_id).responses if r.question_id == "s-numeric").answer == 10.0
    assert _save(client, attempt_id, {"s-numeric": " 1,000 "}).status_code == 200
    assert next(r for r in _attempt(attempt_id).responses if r.question_id == "s-numeric").answer == 1000.0


def test_close_expired_command_grades_as_of_the_deadline(app, client, make_user, login):
    login(make_user())
    attempt_id = start(client, "sample-final")
    attempt = _attempt(attempt_id)
    attempt.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["assessments", "close-expired"])
    assert result.exit_code == 0, result.output
    assert "graded 1 expired attempt(s)" in result.output
    attempt = _attempt(attempt_id)
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.submitted_at == attempt.deadline


def test_starting_a_quiz_enrols_the_trainee_in_its_course_once(client, make_user, login):
    user = login(make_user())
    first = start(client, "sample-01")
    client.post(f"/quizzes/attempts/{first}/submit")
    start(client, "sample-01")
    enrolments = db.session.scalars(sa.select(Enrolment).where(Enrolment.user_id == user.id)).all()
    assert [e.course.slug for e in enrolments] == ["sample-course"]
    audited = sa.select(AuditEntry).where(AuditEntry.action == "enrolment.create", AuditEntry.actor_id == user.id)
    assert len(db.session.scalars(audited).all()) == 1
