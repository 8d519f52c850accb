import pytest

from lms.core.prefectures import BY_CODE, NEIGHBOURS, REGIONS
from lms.roster.matching import (
    ELSEWHERE,
    NEIGHBOURING_REGION,
    SAME_PREFECTURE,
    SAME_REGION,
    Candidate,
    Need,
    proximity,
    rank,
)

AICHI, GIFU, OSAKA, TOKYO, OKINAWA, HOKKAIDO = "23", "21", "27", "13", "47", "01"


def person(id_, *prefs, specialties=(), company_types=(), on_site=False):
    return Candidate(id_, frozenset(prefs), frozenset(specialties), frozenset(company_types), on_site)


def test_neighbours_are_symmetric_and_cover_every_region():
    assert set(NEIGHBOURS) == {r.code for r in REGIONS}
    for region, neighbours in NEIGHBOURS.items():
        assert region not in neighbours
        for other in neighbours:
            assert region in NEIGHBOURS[other]


@pytest.mark.parametrize(
    ("need", "served", "expected"),
    [
        (AICHI, {AICHI, TOKYO}, SAME_PREFECTURE),
        (AICHI, {GIFU}, SAME_REGION),  # both Chubu
        (AICHI, {OSAKA}, NEIGHBOURING_REGION),  # Kinki borders Chubu
        (AICHI, {OKINAWA}, ELSEWHERE),
        (HOKKAIDO, {"04"}, NEIGHBOURING_REGION),  # Miyagi, Tohoku
        (OKINAWA, {"40"}, SAME_REGION),  # Fukuoka: Kyushu and Okinawa
        (AICHI, set(), ELSEWHERE),
    ],
)
def test_proximity(need, served, expected):
    assert proximity(need, frozenset(served)) == expected


def test_location_first_then_specialty_then_company_type_then_on_site():
    need = Need(AICHI, frozenset({"patents", "designs"}), company_type="rd", on_site=True)
    candidates = [
        person(1, OKINAWA, specialties={"patents", "designs"}, company_types={"rd"}, on_site=True),
        person(2, GIFU, specialties={"patents"}),
        person(3, GIFU, specialties={"patents", "designs"}),
        person(4, AICHI),
        person(5, GIFU, specialties={"patents", "designs"}, company_types={"rd"}),
        person(6, GIFU, specialties={"patents", "designs"}, company_types={"rd"}, on_site=True),
        person(7, OSAKA, specialties={"patents", "designs"}, company_types={"rd"}, on_site=True),
    ]
    assert [m.candidate.id for m in rank(need, candidates)] == [4, 6, 5, 3, 2, 7, 1]


def test_reasons_explain_each_rank():
    need = Need(AICHI, frozenset({"patents", "trademarks"}), company_type="startup", on_site=True)
    (match,) = rank(need, [person(9, GIFU, specialties={"patents"}, company_types={"startup"}, on_site=True)])
    assert [(r.code, r.detail) for r in match.reasons] == [
        ("same_region", ()),
        ("specialties", ("patents",)),
        ("specialties_missing", ("trademarks",)),
        ("company_type", ("startup",)),
        ("on_site", ()),
    ]


def test_ties_keep_a_stable_order_by_id():
    need = Need(TOKYO)
    assert [m.candidate.id for m in rank(need, [person(3, TOKYO), person(1, TOKYO), person(2, TOKYO)])] == [1, 2, 3]


def test_unknown_prefecture_is_refused():
    with pytest.raises(ValueError, match="unknown prefecture"):
        rank(Need("48"), [])


def test_every_prefecture_ranks_a_local_first():
    for code in BY_CODE:
        ranked = rank(Need(code), [person(1, OKINAWA if code != OKINAWA else HOKKAIDO), person(2, code)])
        assert ranked[0].candidate.id == 2
