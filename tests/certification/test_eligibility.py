import itertools

import pytest

from lms.certification.eligibility import Criteria, Record, RequiredCourse, evaluate

FOUNDATION = Criteria(
    required_courses=(
        RequiredCourse("ip-systems", "ip-systems-final", 80),
        RequiredCourse("ip-strategy", "ip-strategy-final", 80),
        RequiredCourse("sme-coaching", "sme-coaching-final", 80),
    ),
    practicum_required=True,
)
ALL_COURSES = frozenset({"ip-systems", "ip-strategy", "sme-coaching"})
PASSING = {"ip-systems-final": 80.0, "ip-strategy-final": 92.5, "sme-coaching-final": 100.0}


def test_everything_done_is_complete():
    checklist = evaluate(FOUNDATION, Record(ALL_COURSES, PASSING, practicum_passed=True))
    assert checklist.complete
    assert checklist.missing == ()
    assert [i.kind for i in checklist.items] == ["course", "exam"] * 3 + ["practicum"]


def test_a_score_exactly_at_the_minimum_passes_and_just_below_fails():
    below = {**PASSING, "ip-systems-final": 79.99}
    checklist = evaluate(FOUNDATION, Record(ALL_COURSES, below, practicum_passed=True))
    assert not checklist.complete
    (missing,) = checklist.missing
    assert (missing.kind, missing.subject, missing.score, missing.needed) == ("exam", "ip-systems-final", 79.99, 80)


def test_an_exam_never_taken_is_missing_with_no_score():
    grades = {k: v for k, v in PASSING.items() if k != "sme-coaching-final"}
    checklist = evaluate(FOUNDATION, Record(ALL_COURSES, grades, practicum_passed=True))
    (missing,) = checklist.missing
    assert missing.subject == "sme-coaching-final"
    assert missing.score is None


@pytest.mark.parametrize(
    ("courses", "practicum"),
    [
        (frozenset(combo), practicum)
        for n in range(4)
        for combo in itertools.combinations(sorted(ALL_COURSES), n)
        for practicum in (False, True)
    ],
)
def test_complete_exactly_when_every_requirement_is_met(courses, practicum):
    checklist = evaluate(FOUNDATION, Record(courses, PASSING, practicum_passed=practicum))
    assert checklist.complete == (courses == ALL_COURSES and practicum)
    missing_courses = {i.subject for i in checklist.missing if i.kind == "course"}
    assert missing_courses == ALL_COURSES - courses


def test_a_track_without_practicum_ignores_it():
    criteria = Criteria(
        required_courses=(RequiredCourse("ip-systems", "ip-systems-final", 60),), practicum_required=False
    )
    checklist = evaluate(criteria, Record(frozenset({"ip-systems"}), {"ip-systems-final": 60}))
    assert checklist.complete
    assert all(i.kind != "practicum" for i in checklist.items)
