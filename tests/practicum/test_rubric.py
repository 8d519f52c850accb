"""The pure rubric rules, checked exhaustively over every grading of small rubrics."""

from __future__ import annotations

import copy
import itertools

import pytest

from lms.practicum import rubric

RUBRIC = {
    "levels": [{"score": s, "name": {"en": str(s), "ja": str(s)}} for s in (0, 1, 2, 3)],
    "pass": {"min_total": 5, "min_each": 1, "borderline_margin": 1},
    "criteria": [{"id": c, "title": {"en": c, "ja": c}, "descriptors": {str(s): {"en": "", "ja": ""} for s in range(4)}}
                 for c in ("a", "b", "c")],
}
IDS = ["a", "b", "c"]
ALL_GRADINGS = [dict(zip(IDS, combo, strict=True)) for combo in itertools.product(range(4), repeat=3)]


@pytest.mark.parametrize("scores", ALL_GRADINGS, ids=lambda s: "".join(map(str, s.values())))
@pytest.mark.parametrize(("number", "maximum"), [(1, 3), (2, 3), (3, 3), (1, 1)])
def test_decide_every_grading(scores, number, maximum):
    result = rubric.decide(RUBRIC, scores, submission_number=number, max_submissions=maximum)
    total = sum(scores.values())
    passes = total >= 5 and min(scores.values()) >= 1
    assert result.total == total
    assert result.passed is passes
    assert result.borderline is (passes and total <= 6)
    if passes:
        assert result.outcome == rubric.PASS
    elif number >= maximum:
        assert result.outcome == rubric.FAIL
    else:
        assert result.outcome == rubric.RESUBMIT


@pytest.mark.parametrize("margin", [0, 1, 2, 9])
def test_borderline_margin(margin):
    r = copy.deepcopy(RUBRIC)
    r["pass"]["borderline_margin"] = margin
    for scores in ALL_GRADINGS:
        total = sum(scores.values())
        expected = rubric.meets_pass_rule(r, scores) and total <= 5 + margin
        assert rubric.is_borderline(r, scores) is expected


def test_min_each_alone_fails_a_high_total():
    assert not rubric.meets_pass_rule(RUBRIC, {"a": 3, "b": 3, "c": 0})
    assert rubric.meets_pass_rule(RUBRIC, {"a": 3, "b": 1, "c": 1})


@pytest.mark.parametrize(
    ("scores", "problems"),
    [
        ({"a": 1, "b": 1, "c": 1}, {}),
        ({"a": 1, "b": 1}, {"c": "missing"}),
        ({"a": 1, "b": 4, "c": 1}, {"b": "invalid"}),
        ({"a": 1, "b": -1, "c": 1}, {"b": "invalid"}),
        ({"a": 1, "b": True, "c": 1}, {"b": "invalid"}),
        ({"a": 1, "b": "2", "c": 1}, {"b": "invalid"}),
        ({"a": 1, "b": 1, "c": 1, "z": 2}, {"": "unknown criteria: z"}),
        ({}, {"a": "missing", "b": "missing", "c": "missing"}),
    ],
)
def test_grading_problems(scores, problems):
    assert rubric.grading_problems(RUBRIC, scores) == problems


def test_decide_refuses_an_incomplete_grading_and_bad_numbers():
    with pytest.raises(ValueError, match="incomplete"):
        rubric.decide(RUBRIC, {"a": 1}, submission_number=1, max_submissions=3)
    with pytest.raises(ValueError, match="start at 1"):
        rubric.decide(RUBRIC, {"a": 1, "b": 1, "c": 1}, submission_number=0, max_submissions=3)


def test_max_total():
    assert rubric.max_total(RUBRIC) == 9


def _with(**pass_rule):
    r = copy.deepcopy(RUBRIC)
    r["pass"].update(pass_rule)
    return r


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (_with(min_total=10), "must be between 0 and the maximum total 9"),
        (_with(min_each=5), "must be one of the level scores"),
        (_with(borderline_margin=-1), "must not be negative"),
        ({**RUBRIC, "levels": list(reversed(RUBRIC["levels"]))}, "ascending order"),
        ({**RUBRIC, "criteria": []}, "at least one criterion"),
        ({**RUBRIC, "levels": []}, "at least one level"),
        ({**RUBRIC, "criteria": [{**RUBRIC["criteria"][0], "descriptors": {"0": {}, "1": {}}}]},
         "one descriptor per level"),
    ],
)
def test_rubric_problems(broken, message):
    assert any(message in p for p in rubric.rubric_problems(broken)), rubric.rubric_problems(broken)


def test_a_consistent_rubric_has_no_problems():
    assert rubric.rubric_problems(RUBRIC) == []
