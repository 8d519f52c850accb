"""The pure grading rules, exhaustively."""

from __future__ import annotations

import math

import pytest

from lms.quizzes import grading


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        # C = 2 correct (a, b), W = 2 wrong (c, d): +1/2 per correct chosen, -1/2 per wrong chosen, floored at 0.
        ([], 0.0),
        (["a"], 0.5),
        (["a", "b"], 1.0),
        (["a", "b", "c"], 0.5),
        (["a", "b", "c", "d"], 0.0),
        (["a", "c"], 0.0),
        (["c"], 0.0),
        (["c", "d"], 0.0),
        (None, 0.0),
    ],
)
def test_multiple_response_partial_credit(chosen, expected):
    assert grading.multiple_response(["a", "b"], ["c", "d"], chosen) == pytest.approx(expected)


def test_multiple_response_uneven_counts():
    # C = 3, W = 1: two right and the wrong one -> 2/3 - 1 = floored at 0; three right -> 1.
    assert grading.multiple_response(["a", "b", "c"], ["d"], ["a", "b", "d"]) == 0.0
    assert grading.multiple_response(["a", "b", "c"], ["d"], ["a", "b"]) == pytest.approx(2 / 3)
    assert grading.multiple_response(["a", "b", "c"], ["d"], ["a", "b", "c"]) == 1.0
    # C = 1, W = 3: the right one and one wrong -> 1 - 1/3.
    assert grading.multiple_response(["a"], ["b", "c", "d"], ["a", "b"]) == pytest.approx(2 / 3)
    # Every option correct (W = 0): no penalty term.
    assert grading.multiple_response(["a", "b"], [], ["a"]) == 0.5
    # Choosing the same option twice counts once.
    assert grading.multiple_response(["a", "b"], ["c"], ["a", "a"]) == 0.5


def test_single_choice_and_true_false():
    assert grading.single_choice("b", "b") == 1.0
    assert grading.single_choice("b", "a") == 0.0
    assert grading.single_choice("b", None) == 0.0
    assert grading.true_false(True, True) == 1.0
    assert grading.true_false(True, False) == 0.0
    assert grading.true_false(False, False) == 1.0
    assert grading.true_false(False, None) == 0.0


@pytest.mark.parametrize(
    ("answer", "tolerance", "given", "expected"),
    [
        (10, 0, 10, 1.0),
        (10, 0, 10.0000001, 0.0),
        (10, 0, 9, 0.0),
        (3.14, 0.01, 3.15, 1.0),  # exactly on the edge counts
        (3.14, 0.01, 3.13, 1.0),
        (3.14, 0.01, 3.1501, 0.0),
        (0.3, 0, 0.1 + 0.2, 1.0),  # float noise does not fail an exact answer
        (-5, 1, -6, 1.0),
        (-5, 1, -4.5, 1.0),
        (-5, 1, -3.9, 0.0),
        (100, 0, None, 0.0),
        (100, 0, math.nan, 0.0),
        (100, 0, math.inf, 0.0),
    ],
)
def test_numeric_tolerance(answer, tolerance, given, expected):
    assert grading.numeric(answer, tolerance, given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("JPO", 1.0),
        ("jpo", 1.0),
        ("  JPO  ", 1.0),
        ("ＪＰＯ", 1.0),  # full-width Latin letters
        ("ｊｐｏ", 1.0),
        ("Japan   Patent\tOffice", 1.0),  # white space collapsed
        ("japan patent office\n", 1.0),
        ("特許庁", 1.0),
        ("JP0", 0.0),
        ("", 0.0),
        ("   ", 0.0),
        (None, 0.0),
    ],
)
def test_short_text_normalisation(given, expected):
    assert grading.short_text(["JPO", "Japan Patent Office", "特許庁"], given) == expected


def test_normalise_text_folds_widths_and_case():
    assert grading.normalise_text("ｶﾀｶﾅ") == "カタカナ"  # half-width katakana -> full-width
    assert grading.normalise_text("１２３") == "123"
    assert grading.normalise_text("Straße") == grading.normalise_text("STRASSE")  # case-folding, not lower()
    assert grading.normalise_text("\u3000全角\u3000スペース\u3000") == "全角 スペース"  # ideographic space


def test_short_text_accepted_answers_are_normalised_too():
    assert grading.short_text(["  Ｔｒａｄｅ　Ｍａｒｋ "], "trade mark") == 1.0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["a", "b", "c", "d"], 1.0),
        (["a", "b", "d", "c"], 0.5),
        (["b", "a", "c", "d"], 0.5),
        (["d", "c", "b", "a"], 0.0),
        (["b", "c", "d", "a"], 0.0),
        (["a", "c", "b", "d"], 0.5),
        ([], 0.0),
        (None, 0.0),
        (["a"], 0.25),
    ],
)
def test_ordering_share_in_place(given, expected):
    assert grading.ordering(["a", "b", "c", "d"], given) == expected


def test_matching_share_of_prompts():
    correct = {"p1": "p1", "p2": "p2", "p3": "p3"}
    assert grading.matching(correct, {"p1": "p1", "p2": "p2", "p3": "p3"}) == 1.0
    assert grading.matching(correct, {"p1": "p1", "p2": "p3", "p3": "p2"}) == pytest.approx(1 / 3)
    assert grading.matching(correct, {"p1": "~0"}) == 0.0  # a distractor
    assert grading.matching(correct, {"p1": "p1"}) == pytest.approx(1 / 3)  # unanswered prompts score nothing
    assert grading.matching(correct, {}) == 0.0
    assert grading.matching(correct, None) == 0.0


@pytest.mark.parametrize(
    ("method", "percents", "expected"),
    [
        ("highest", [40, 90, 70], 90),
        ("last", [40, 90, 70], 70),
        ("average", [40, 90, 70], pytest.approx(66.6667, abs=1e-3)),
        ("highest", [], None),
        ("last", [], None),
        ("average", [], None),
        ("average", [55.5], 55.5),
    ],
)
def test_quiz_grade_methods(method, percents, expected):
    assert grading.quiz_grade(method, percents) == expected


def test_unknown_grading_method_is_refused():
    with pytest.raises(ValueError, match="unknown grading method"):
        grading.quiz_grade("median", [1])


def test_percent_and_passed():
    assert grading.percent(3, 4) == 75.0
    assert grading.percent(0, 0) == 0.0
    assert grading.passed(80.0, 80)
    assert grading.passed(79.99999999999, 80)  # float noise at the mark
    assert not grading.passed(79.9, 80)
    assert not grading.passed(None, 0)


def _sums(pairs):
    n = len(pairs)
    return grading.ItemSums(
        n=n,
        sum_x=sum(x for x, _ in pairs),
        sum_x2=sum(x * x for x, _ in pairs),
        sum_y=sum(y for _, y in pairs),
        sum_y2=sum(y * y for _, y in pairs),
        sum_xy=sum(x * y for x, y in pairs),
    )


def test_item_statistics_match_direct_computation():
    pairs = [(1, 0.9), (1, 0.8), (0, 0.3), (1, 0.7), (0, 0.5), (0.5, 0.6)]
    stats = grading.item_statistics(_sums(pairs))
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    mean_x, mean_y = sum(xs) / 6, sum(ys) / 6
    sd = math.sqrt(sum((x - mean_x) ** 2 for x in xs) / 5)
    r = sum((x - mean_x) * (y - mean_y) for x, y in pairs) / math.sqrt(
        sum((x - mean_x) ** 2 for x in xs) * sum((y - mean_y) ** 2 for y in ys)
    )
    assert stats.attempts == 6
    assert stats.facility == pytest.approx(mean_x)
    assert stats.sd == pytest.approx(sd)
    assert stats.discrimination == pytest.approx(r)
    assert stats.flags == ()


def test_item_statistics_flags():
    # The strong students get it wrong: negative discrimination.
    negative = grading.item_statistics(_sums([(0, 0.9), (0, 0.8), (1, 0.2), (1, 0.3), (0, 0.7)]))
    assert negative.discrimination < 0
    assert "negative_discrimination" in negative.flags
    easy = grading.item_statistics(_sums([(1, 0.5)] * 19 + [(0, 0.4)]))
    assert easy.facility == 0.95
    assert "too_easy" in easy.flags
    hard = grading.item_statistics(_sums([(0, 0.5)] * 9 + [(1, 0.9)]))
    assert hard.facility == pytest.approx(0.10)
    assert "too_hard" in hard.flags
    middling = grading.item_statistics(_sums([(1, 0.9), (0, 0.1), (1, 0.8), (0, 0.2)]))
    assert middling.flags == ()


def test_item_statistics_degenerate_cases():
    empty = grading.item_statistics(grading.ItemSums(0, 0, 0, 0, 0, 0))
    assert empty.facility is None
    assert empty.discrimination is None
    assert empty.flags == ()
    one = grading.item_statistics(_sums([(1, 0.5)]))
    assert one.facility == 1.0
    assert one.sd is None
    assert one.discrimination is None
    # Everyone scored the same: no variance, no discrimination index (Moodle shows none either).
    same = grading.item_statistics(_sums([(1, 0.5), (1, 0.7)]))
    assert same.discrimination is None
    assert same.sd == 0.0
