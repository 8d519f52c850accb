"""Pure rubric rules: validate a grading, total it, apply the pass rule, spot a borderline pass.

No request, no database: a rubric is the plain mapping stored in ``Practicum.rubric``.

Outcome rule (documented in docs/decisions.md):
- pass when the total reaches ``min_total`` and no criterion is below ``min_each``;
- otherwise resubmit, unless this was the trainee's last allowed submission, in which case fail.
A pass whose total is at most ``min_total + borderline_margin`` is borderline and may go to a second grader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PASS = "pass"  # noqa: S105 - an outcome, not a password
RESUBMIT = "resubmit"
FAIL = "fail"


@dataclass(frozen=True)
class Result:
    total: int
    passed: bool
    borderline: bool
    outcome: str


def level_scores(rubric: Mapping[str, Any]) -> list[int]:
    return [level["score"] for level in rubric["levels"]]


def criterion_ids(rubric: Mapping[str, Any]) -> list[str]:
    return [criterion["id"] for criterion in rubric["criteria"]]


def max_total(rubric: Mapping[str, Any]) -> int:
    return max(level_scores(rubric)) * len(rubric["criteria"])


def grading_problems(rubric: Mapping[str, Any], scores: Mapping[str, Any]) -> dict[str, str]:
    """Problems by criterion id ('' for the grading as a whole); empty when every criterion has a valid level."""
    problems: dict[str, str] = {}
    allowed = set(level_scores(rubric))
    for criterion_id in criterion_ids(rubric):
        score = scores.get(criterion_id)
        if score is None:
            problems[criterion_id] = "missing"
        elif isinstance(score, bool) or not isinstance(score, int) or score not in allowed:
            problems[criterion_id] = "invalid"
    unknown = set(scores) - set(criterion_ids(rubric))
    if unknown:
        problems[""] = "unknown criteria: " + ", ".join(sorted(map(str, unknown)))
    return problems


def total(scores: Mapping[str, int]) -> int:
    return sum(scores.values())


def meets_pass_rule(rubric: Mapping[str, Any], scores: Mapping[str, int]) -> bool:
    rule = rubric["pass"]
    return total(scores) >= rule["min_total"] and all(s >= rule["min_each"] for s in scores.values())


def is_borderline(rubric: Mapping[str, Any], scores: Mapping[str, int]) -> bool:
    """A pass within ``borderline_margin`` of ``min_total`` (a margin of 0 means an exact-minimum pass)."""
    rule = rubric["pass"]
    margin = rule.get("borderline_margin", 0) or 0
    return meets_pass_rule(rubric, scores) and total(scores) <= rule["min_total"] + margin and margin >= 0


def decide(
    rubric: Mapping[str, Any], scores: Mapping[str, int], *, submission_number: int, max_submissions: int
) -> Result:
    """The outcome of grading one version. ``scores`` must have no ``grading_problems``."""
    if grading_problems(rubric, scores):
        raise ValueError("the grading is incomplete or uses unknown levels")
    if submission_number < 1 or max_submissions < 1:
        raise ValueError("submission numbers start at 1")
    passed = meets_pass_rule(rubric, scores)
    if passed:
        outcome = PASS
    elif submission_number >= max_submissions:
        outcome = FAIL
    else:
        outcome = RESUBMIT
    return Result(total(scores), passed, passed and is_borderline(rubric, scores), outcome)


def rubric_problems(rubric: Mapping[str, Any]) -> list[str]:
    """Inconsistencies in a rubric's numbers (its shape is checked by the content source)."""
    problems: list[str] = []
    scores = level_scores(rubric)
    if not scores:
        return ["a rubric needs at least one level"]
    if scores != sorted(set(scores)):
        problems.append("levels must be listed in ascending order of score, each score once")
    if not rubric["criteria"]:
        problems.append("a rubric needs at least one criterion")
        return problems
    rule = rubric["pass"]
    if rule["min_each"] not in scores:
        problems.append(f"pass.min_each ({rule['min_each']}) must be one of the level scores {scores}")
    highest = max_total(rubric)
    if not 0 <= rule["min_total"] <= highest:
        problems.append(f"pass.min_total ({rule['min_total']}) must be between 0 and the maximum total {highest}")
    if rule["min_each"] * len(rubric["criteria"]) > highest:
        problems.append("pass.min_each can never be met")
    if rule.get("borderline_margin", 0) < 0:
        problems.append("pass.borderline_margin must not be negative")
    for criterion in rubric["criteria"]:
        given = {int(k) for k in criterion["descriptors"]}
        if given != set(scores):
            problems.append(
                f"criterion '{criterion['id']}' needs one descriptor per level score {scores}, has {sorted(given)}"
            )
    return problems
