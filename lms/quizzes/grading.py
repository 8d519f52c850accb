"""Pure grading rules: no request, no database. Every function returns a fraction of the question's points.

The rules are the contract of ``assessments/README.md``:

- single choice, true/false: all or nothing;
- multiple response: each correct option chosen adds 1/C, each wrong option chosen subtracts 1/W (C and W the
  numbers of correct and wrong options), floored at 0;
- numeric: full if ``abs(given - answer) <= tolerance``;
- short text: full if the normalised answer equals a normalised accepted answer (NFKC, case-folded, white
  space collapsed and trimmed);
- ordering: full if every item is in place, else the share of items in the right position;
- matching: the share of prompts matched correctly.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC (folds full-width and half-width forms), case-folded, white space collapsed and trimmed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Case-folding can produce sequences NFKC would compose differently; normalise once more.
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", folded)).strip()


def single_choice(correct: str, chosen: str | None) -> float:
    return 1.0 if chosen is not None and chosen == correct else 0.0


def true_false(answer: bool, given: bool | None) -> float:
    return 1.0 if given is not None and given is answer else 0.0


def multiple_response(correct: Iterable[str], wrong: Iterable[str], chosen: Iterable[str] | None) -> float:
    correct_set, wrong_set = set(correct), set(wrong)
    picked = set(chosen or ())
    score = 0.0
    if correct_set:
        score += len(picked & correct_set) / len(correct_set)
    if wrong_set:
        score -= len(picked & wrong_set) / len(wrong_set)
    return _clamp(score)


def numeric(answer: float, tolerance: float, given: float | None) -> float:
    if given is None or not math.isfinite(given):
        return 0.0
    # A small epsilon so that 0.1 + 0.2 style float noise does not fail an answer exactly on the edge.
    return 1.0 if abs(given - answer) <= abs(tolerance) + 1e-9 * max(1.0, abs(answer)) else 0.0


def short_text(accepted: Iterable[str], given: str | None) -> float:
    if given is None:
        return 0.0
    normalised = normalise_text(given)
    if not normalised:
        return 0.0
    return 1.0 if any(normalised == normalise_text(a) for a in accepted) else 0.0


def ordering(correct: Sequence[str], given: Sequence[str] | None) -> float:
    if not given or not correct:
        return 0.0
    in_place = sum(1 for i, item in enumerate(correct) if i < len(given) and given[i] == item)
    return in_place / len(correct)


def matching(correct: Mapping[str, str], given: Mapping[str, str | None] | None) -> float:
    """``correct`` maps each prompt to its answer key; ``given`` maps prompts to the chosen answer key."""
    if not correct or not given:
        return 0.0
    right = sum(1 for prompt, answer in correct.items() if given.get(prompt) == answer)
    return right / len(correct)


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, round(value, 10)))


# ---------------------------------------------------------------------------------------------------------
# Attempts and quiz grades

GRADING_METHODS = ("highest", "last", "average")


def percent(points: float, max_points: float) -> float:
    return 0.0 if max_points <= 0 else round(100.0 * points / max_points, 4)


def quiz_grade(method: str, percents_in_order: Sequence[float]) -> float | None:
    """The quiz grade from graded attempts' percentages, oldest first; None if there is none."""
    if not percents_in_order:
        return None
    if method == "highest":
        return max(percents_in_order)
    if method == "last":
        return percents_in_order[-1]
    if method == "average":
        return round(sum(percents_in_order) / len(percents_in_order), 4)
    raise ValueError(f"unknown grading method {method!r}")


#: A grade within this of the pass mark passes (floating-point sums of partial credit); the reports' SQL uses it too.
PASS_TOLERANCE = 1e-9


def passed(grade: float | None, pass_mark: float) -> bool:
    return grade is not None and grade + PASS_TOLERANCE >= pass_mark


# ---------------------------------------------------------------------------------------------------------
# Item statistics (Moodle's definitions), from sums an SQL aggregate computes


@dataclass(frozen=True)
class ItemSums:
    """Per question, over graded attempts: x is the question's fraction, y the rest of the test's fraction."""

    n: int
    sum_x: float
    sum_x2: float
    sum_y: float
    sum_y2: float
    sum_xy: float


@dataclass(frozen=True)
class ItemStatistics:
    attempts: int
    facility: float | None  # mean fraction, 0..1
    sd: float | None  # sample standard deviation of the fraction, 0..1
    discrimination: float | None  # Pearson correlation with the rest of the test, -1..1
    flags: tuple[str, ...]


FACILITY_HIGH = 0.95
FACILITY_LOW = 0.10


def item_statistics(s: ItemSums) -> ItemStatistics:
    if s.n == 0:
        return ItemStatistics(0, None, None, None, ())
    facility = s.sum_x / s.n
    sd = None
    if s.n > 1:
        variance = (s.sum_x2 - s.sum_x * s.sum_x / s.n) / (s.n - 1)
        sd = math.sqrt(max(variance, 0.0))
    discrimination = None
    var_x = s.n * s.sum_x2 - s.sum_x**2
    var_y = s.n * s.sum_y2 - s.sum_y**2
    if s.n > 1 and var_x > 1e-12 and var_y > 1e-12:
        discrimination = (s.n * s.sum_xy - s.sum_x * s.sum_y) / math.sqrt(var_x * var_y)
        discrimination = max(-1.0, min(1.0, discrimination))
    flags: list[str] = []
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    if facility >= FACILITY_HIGH:
        flags.append("too_easy")
    if facility <= FACILITY_LOW:
        flags.append("too_hard")
    return ItemStatistics(s.n, facility, sd, discrimination, tuple(flags))
