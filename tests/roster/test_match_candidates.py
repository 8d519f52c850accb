"""The candidate selection gives exactly what ``matching.rank`` gives over every listed profile.

Forty-odd generated profiles (some not listed: no consent, an expired certificate, a deactivated account, no
certificate at all) on the real database; for needs in twenty-odd prefectures and limits small enough that the near
tiers run out, the first ``limit`` chosen, their order and their reasons equal ``rank`` over everyone.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.core.prefectures import CODES
from lms.roster import candidates
from lms.roster.matching import Need, rank
from lms.roster.search import Filters, matching
from lms.roster.taxonomy import taxonomy
from tests.helpers import count_statements

#: Prefectures the generated people serve: a few crowded, some shared within a region, most left empty.
SERVED = ("13", "13", "14", "27", "27", "26", "31", "34", "01", "47", "40", "23", "02", "38")


@pytest.fixture
def roster(make_user, certify, make_profile):
    rng = random.Random(20261121)  # noqa: S311 - generated test data
    specialties = taxonomy().ids("specialties")[:6]  # few, so that coverage ties are common
    company_types = taxonomy().ids("company_types")
    for n in range(44):
        user = make_user(Role.TRAINEE, name_latin=f"Generated {n:02d}")
        unlisted = n % 11
        if unlisted != 3:  # 3: never certified
            certify(user, until=utcnow() - timedelta(days=1) if unlisted == 5 else None)
        prefectures = tuple(sorted(set(rng.sample(SERVED, rng.choice((0, 1, 1, 2, 3))))))
        make_profile(
            user, prefectures=prefectures, specialties=tuple(rng.sample(specialties, rng.randint(0, 4))),
            company_types=tuple(rng.sample(company_types, rng.randint(0, 2))), on_site=rng.random() < 0.5,
            consented=unlisted != 7,
        )
        if unlisted == 9:
            user.active = False
            db.session.commit()
    return [candidates.candidate(p) for p in db.session.scalars(matching(Filters()))]


def needs(rng: random.Random):
    specialties = taxonomy().ids("specialties")[:7]
    # Every prefecture served, and others whose people are all in outer tiers.
    for code in sorted(set(SERVED) | set(rng.sample(CODES, 10))):
        yield Need(code)
        yield Need(code, frozenset(rng.sample(specialties, rng.randint(1, 4))),
                   company_type=rng.choice((None, *taxonomy().ids("company_types"))), on_site=rng.random() < 0.5)


def test_the_selection_equals_rank_over_every_listed_profile(app, roster):
    assert 25 <= len(roster) < 44  # the unlisted are left out of "everyone"
    rng = random.Random(8)  # noqa: S311 - generated test data
    checked = set()
    with app.test_request_context():
        for need in needs(rng):
            everyone = rank(need, roster)
            for limit in (1, 2, 4, 50):
                expected = everyone[:limit]
                assert candidates.top_ids(need, limit) == [m.candidate.id for m in expected], (need, limit)
                chosen = candidates.top(need, limit)
                assert [r.match for r in chosen] == expected, (need, limit)
                assert all(r.profile.user_id == r.match.candidate.id for r in chosen)
                checked.add(need.prefecture)
    assert len(checked) >= 18


def test_the_outer_tiers_are_reached_when_the_near_ones_run_short(app, roster):
    """Hokkaido's need: tier 0 and 1 are thin, so the list goes on into Tohoku and then elsewhere."""
    with app.test_request_context():
        chosen = candidates.top(Need("01"), 50)
    tiers = [r.match.proximity for r in chosen]
    assert tiers == sorted(tiers) and {0, 2, 3} <= set(tiers)
    assert len(chosen) == len(roster)


def test_statements_do_not_grow_with_the_roster(app, make_user, certify, make_profile):
    def person(prefecture: str) -> None:
        user = make_user(Role.TRAINEE)
        certify(user)
        make_profile(user, prefectures=(prefecture,))

    need = Need("27", frozenset({"patents", "designs"}), "rd", on_site=True)
    person("27")
    with app.test_request_context(), count_statements() as one_first:
        assert len(candidates.top(need)) == 1
    with app.test_request_context(), count_statements() as one:
        assert len(candidates.top(need)) == 1
    for code in ("27", "26", "34", "13", "01") * 3:
        person(code)
    with app.test_request_context():
        candidates.top(need)  # the search index is rebuilt after the changes
    with app.test_request_context(), count_statements() as sixteen:
        assert len(candidates.top(need)) == 16
    assert len(one) == len(sixteen) == 2  # the search version, the chosen profiles with their accounts
    assert len(one_first) == 4  # and, to rebuild the index, its rows and the inactive accounts


def test_no_listed_profile_is_one_statement_and_an_empty_list(app):
    with app.test_request_context():
        assert candidates.top(Need("13", frozenset({"patents"}))) == []
    with app.test_request_context(), count_statements() as statements:
        assert candidates.top(Need("13", frozenset({"patents"}))) == []
    assert len(statements) == 1
