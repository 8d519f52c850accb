"""The in-memory search index answers exactly as the database does: the same people in the same order for any
filters and any time, a change seen at once (by this session before it commits, and by another process after),
and nothing stale after a rollback."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import operations as accounts
from lms.accounts.models import User
from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.core.prefectures import REGIONS
from lms.roster import index, masks
from lms.roster.models import RosterProfile, RosterSearchVersion
from lms.roster.search import Filters, Paging, matching, search
from lms.roster.taxonomy import taxonomy
from tests.helpers import app_config, isolate_requests, own_database_app


def everyone(filters: Filters, now=None) -> list[int]:
    page = search(filters, Paging(1, 100), now)
    walked = [p.user_id for p in page.items]
    for number in range(2, page.pages + 1):
        walked += [p.user_id for p in search(filters, Paging(number, 100), now).items]
    assert len(walked) == page.total
    return walked


def in_database(filters: Filters, now=None) -> list[int]:
    return [p.user_id for p in db.session.scalars(matching(filters, now))]


def test_any_filters_at_any_time_list_what_the_database_lists(app, make_user, make_profile, certify):
    rng = random.Random(20261122)  # noqa: S311 - generated test data
    now = utcnow()
    kinds = {kind: taxonomy().ids(kind) for kind in masks.MASK_COLUMNS}
    codes = [f"{n:02d}" for n in range(1, 48)]
    for n in range(140):
        user = make_user(Role.TRAINEE, name_latin=rng.choice(["Abe", "Ito", "Ueda", "Sato"]) + f" {n % 7}")
        certify(user, until=now + timedelta(days=rng.choice([-3, 2, 30, 400])))
        make_profile(user, prefectures=rng.sample(codes, rng.randint(1, 4)),
                     specialties=rng.sample(kinds["specialties"], rng.randint(1, 3)),
                     company_types=rng.sample(kinds["company_types"], rng.randint(0, 2)),
                     languages=rng.sample(kinds["languages"], rng.randint(1, 2)),
                     on_site=rng.random() < 0.5, consented=rng.random() < 0.9)
        if rng.random() < 0.05:
            user.active = False
            db.session.commit()
    with app.test_request_context():
        checked = 0
        for _ in range(60):
            filters = Filters(
                prefectures=tuple(rng.sample(codes, rng.choice([0, 0, 1, 3]))),
                regions=tuple(r.code for r in rng.sample(REGIONS, rng.choice([0, 0, 1, 2]))),
                specialties=tuple(rng.sample(kinds["specialties"], rng.choice([0, 1, 2]))),
                company_types=tuple(rng.sample(kinds["company_types"], rng.choice([0, 0, 1]))),
                languages=tuple(rng.sample(kinds["languages"], rng.choice([0, 0, 1]))),
                on_site=rng.choice([None, True, False]),
            )
            for when in (now, now + timedelta(days=10), now + timedelta(days=500), now - timedelta(days=5)):
                expected = in_database(filters, when)
                assert everyone(filters, when) == expected, (filters, when)
                checked += bool(expected)
        assert checked > 60  # most combinations found someone


def _holder(name: str, **profile) -> int:
    user = accounts.register_user(email=f"{name}@example.org", password="Correct-Horse-2026!", name_latin=name,
                                  roles=(Role.TRAINEE,), prefecture_code="13")
    db.session.add(RosterProfile(user_id=user.id, display_name_latin=name, sort_name=name.casefold(),
                                 consented_at=utcnow(), certified_until=utcnow() + timedelta(days=30), **profile))
    db.session.commit()
    return user.id


@pytest.mark.no_transaction
def test_a_change_committed_by_another_process_is_seen_at_once(tmp_path_factory, database_url):
    from lms import create_app

    with own_database_app(database_url, "rosterindex", tmp_path_factory.mktemp("rosterindex")) as one:
        other = create_app(app_config(one.config["SQLALCHEMY_DATABASE_URI"]))  # a second app server
        isolate_requests(other)
        try:
            with one.app_context():
                first = _holder("Abe")
                assert everyone(Filters()) == [first]
            with other.app_context():
                assert everyone(Filters()) == [first]
                second = _holder("Baba", on_site=True)
                db.session.get(RosterProfile, first).on_site = True
                db.session.commit()
            with one.app_context():
                assert everyone(Filters(on_site=True)) == [first, second]
            with other.app_context():
                db.session.get(User, second).active = False
                db.session.commit()
            with one.app_context():
                assert everyone(Filters()) == [first]
        finally:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()


def test_this_sessions_own_changes_are_seen_before_commit_and_forgotten_on_rollback(app, make_user, make_profile,
                                                                                     certify):
    user = make_user(Role.TRAINEE, name_latin="Chiba")
    certify(user)
    make_profile(user, on_site=False)
    with app.test_request_context():
        assert everyone(Filters(on_site=True)) == []
        profile = db.session.get(RosterProfile, user.id)
        profile.on_site = True
        assert everyone(Filters(on_site=True)) == [user.id]  # flushed, not committed: an index of its own
        db.session.rollback()
        assert everyone(Filters(on_site=True)) == []  # the process's index was not replaced by it
        db.session.get(RosterProfile, user.id).on_site = True
        db.session.commit()
        assert everyone(Filters(on_site=True)) == [user.id]


def test_expiry_needs_no_change_and_unrelated_commits_keep_the_version(app, make_user, make_profile, certify):
    user = make_user(Role.TRAINEE, name_latin="Doi")
    certify(user, until=utcnow() + timedelta(hours=1))
    make_profile(user)
    with app.test_request_context():
        version = db.session.scalar(sa.select(RosterSearchVersion.version))
        built = index.current()
        assert everyone(Filters()) == [user.id]
        assert everyone(Filters(), utcnow() + timedelta(hours=2)) == []
        make_user(Role.TRAINEE)  # a new account changes nothing search reads
        user.name_ja = "土井"
        db.session.commit()
        assert db.session.scalar(sa.select(RosterSearchVersion.version)) == version
        assert index.current() is built
