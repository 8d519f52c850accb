"""Pick, in SQL, the listed professionals that can reach the top of an SME's ranking; rank them with reasons.

``matching.rank`` orders by (proximity tier, specialties covered, company-type fit, on-site fit, id): a total
order, so its first ``limit`` over all listed profiles are its first ``limit`` over any subset holding them.
Two statements find that subset without loading the roster, whatever its size:

1. Counts, each stopping at ``limit``: the people of each proximity tier (serves the SME's prefecture; else its
   region; else a neighbouring region), each counted only if the better tiers hold fewer than ``limit``; and, for
   a few needs, the complete fits (every need, the company type, on site) among the first tier's lowest ids.
2. The rows: for each tier still needed, its best people. In the first tier, when enough fit completely,
   they are simply the first complete fits by id (found by walking the tier in id order, stopping early);
   otherwise the whole tier with the full key computed on the database and sorted there, as in the outer
   tiers (which a crowded roster never reaches).

The chosen profiles are then loaded with their prefectures and terms (three statements) and ranked by
``matching.rank``, which also gives the reasons. ``tests/roster/test_match_candidates.py`` proves the result
equal to ``rank`` over every listed profile. (The two statements may see different snapshots under READ
COMMITTED; a profile changing between them can at worst shorten or shift that one page.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defaultload

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.core.prefectures import BY_CODE, NEIGHBOURS, PREFECTURES
from lms.roster.listing import listed
from lms.roster.matching import Candidate, Match, Need, rank
from lms.roster.models import RosterPrefecture, RosterProfile, RosterTerm

#: How many professionals a matching page lists.
DEFAULT_LIMIT = 50
#: How many of the first tier's people (by id) are searched for complete fits before the full key is computed.
HEAD = 2000
#: Up to this many needs, complete fits are searched first and the full key tests each need by membership in a
#: hash of its holders. Beyond, complete fits are rare and each need a join the planner must order (PostgreSQL
#: spent longer planning fifteen than running them), and hashing every holder of every need costs more than
#: counting the needs covered person by person.
FEW_NEEDS = 3
_KEY = ("missing", "company", "on_site_miss")


@dataclass(frozen=True)
class Result:
    match: Match
    profile: RosterProfile


def tiers(prefecture: str) -> tuple[tuple[str, ...], ...]:
    """The prefecture codes of each proximity tier but the last ("elsewhere" is whatever is left)."""
    region = BY_CODE[prefecture].region
    same_region = tuple(p.code for p in PREFECTURES if p.region == region and p.code != prefecture)
    neighbouring = tuple(p.code for p in PREFECTURES if p.region in NEIGHBOURS[region])
    return ((prefecture,), same_region, neighbouring)


def _serves(codes: tuple[str, ...]) -> sa.ColumnElement[bool]:
    return RosterProfile.user_id.in_(
        sa.select(RosterPrefecture.user_id).where(RosterPrefecture.prefecture_code.in_(codes))
    )


def _has(kind: str, term: str) -> sa.Exists:
    return sa.exists().where(RosterTerm.user_id == RosterProfile.user_id, RosterTerm.kind == kind,
                             RosterTerm.term == term)


def _in_tier(need: Need, tier: int, now: datetime) -> list[sa.ColumnElement[bool]]:
    near = tiers(need.prefecture)
    where = [listed(now)]
    if tier < len(near):
        where.append(_serves(near[tier]))
    if better := tuple(code for codes in near[:tier] for code in codes):
        where.append(~_serves(better))
    return where


def _covers_all(need: Need) -> list[sa.ColumnElement[bool]]:
    return [_has("specialties", s) for s in sorted(need.specialties)]


def _fits(need: Need) -> list[sa.ColumnElement[bool]]:
    fit: list[sa.ColumnElement[bool]] = [_has("company_types", need.company_type)] if need.company_type else []
    if need.on_site:
        fit.append(RosterProfile.on_site.is_(True))
    return fit


def _fit_key(need: Need) -> list[sa.ColumnElement[int]]:
    """The company-type and on-site parts of ``Match.sort_key`` (0 fits, 1 does not)."""
    company = (sa.case((_holders("company_types", need.company_type), 0), else_=1) if need.company_type
               else sa.literal(1))
    on_site = sa.case((RosterProfile.on_site.is_(True), 0), else_=1) if need.on_site else sa.literal(1)
    return [company, on_site]


def _holders(kind: str, term: str) -> sa.ColumnElement[bool]:
    """Whether a profile holds ``term``, as a membership test the databases evaluate once for all rows (a hash of
    the term's index entries), where a correlated lookup would cost an index search per row of a crowded tier."""
    return RosterProfile.user_id.in_(
        sa.select(RosterTerm.user_id).where(RosterTerm.kind == kind, RosterTerm.term == term)
    )


def _missing(need: Need) -> sa.ColumnElement[int]:
    """How many needed specialties a profile lacks (``-len(specialties_covered)`` shifted to start at 0).

    A few needs are tested by membership (a hash of each term's holders, built once); for more, hashing every
    holder of every need would cost more than one lookup per person, so the covered needs are counted per person.
    """
    if len(need.specialties) <= FEW_NEEDS:
        return sum((sa.case((_holders("specialties", s), 0), else_=1) for s in sorted(need.specialties)),
                   start=sa.literal(0))
    covered = (
        sa.select(sa.func.count())
        .where(RosterTerm.user_id == RosterProfile.user_id, RosterTerm.kind == "specialties",
               RosterTerm.term.in_(sorted(need.specialties)))
        .scalar_subquery()
    )
    return sa.literal(len(need.specialties)) - covered


def _count(where: list[sa.ColumnElement[bool]], limit: int) -> sa.ScalarSelect[int]:
    """How many profiles meet ``where``, counting no further than ``limit`` (the database stops there)."""
    return _count_of(sa.select(RosterProfile.user_id).where(*where).limit(limit))


def _count_of(select: sa.Select[Any]) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(select.subquery()).scalar_subquery()


def _complete_fits(need: Need, limit: int, now: datetime, head: int) -> sa.Select[tuple[int]]:
    """The first ``limit`` complete fits, by id, among the first tier's ``head`` lowest ids.

    If ``limit`` are found, they are the first ``limit`` complete fits of the whole tier (the ids up to the bound
    are a prefix of the tier in id order), hence its best ``limit``. The database walks the tier in id order and
    stops at ``limit``: on a crowded tier that is a few hundred rows, and never more than ``head``.
    """
    bound = (
        sa.select(RosterPrefecture.user_id)
        .where(RosterPrefecture.prefecture_code == need.prefecture)
        .order_by(RosterPrefecture.user_id)
        .offset(head - 1)
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.select(RosterProfile.user_id)
        .where(*_in_tier(need, 0, now), *_covers_all(need), *_fits(need),
               sa.or_(bound.is_(None), RosterProfile.user_id <= bound))
        .order_by(RosterProfile.user_id)
        .limit(limit)
    )


def _counts(need: Need, limit: int, now: datetime, head: int) -> sa.Select[Any]:
    """One row of capped counts: the people of each tier, and the complete fits in the first tier's head.

    Each count is computed only when it can make a difference: a chain of one-row CTEs, each reading the one
    before, puts it in the branch of a CASE that is reached only when the earlier counts leave it open.
    """

    def step(name: str, previous: sa.CTE, **columns: sa.ColumnElement[Any]) -> sa.CTE:
        select = sa.select(*previous.c, *(value.label(column) for column, value in columns.items()))
        return select.select_from(previous).cte(name).prefix_with("MATERIALIZED")

    first = sa.select(_count(_in_tier(need, 0, now), limit).label("tier0")).cte("first").prefix_with("MATERIALIZED")
    c = first.c
    second = step("second", first, tier1=sa.case((c.tier0 < limit, _count(_in_tier(need, 1, now), limit)), else_=0),
                  fit=sa.case((c.tier0 >= limit, _count_of(_complete_fits(need, limit, now, head))), else_=0)
                  if len(need.specialties) <= FEW_NEEDS else sa.literal(0))
    c = second.c
    third = step("third", second,
                 tier2=sa.case((c.tier0 + c.tier1 < limit, _count(_in_tier(need, 2, now), limit)), else_=0))
    return sa.select(third)


def _best(need: Need, tier: int, take: int, *, counts: dict[str, int], now: datetime, head: int) -> sa.Subquery:
    """The best ``take`` of ``tier`` with their key: the complete fits of the head when enough, else the full key."""
    if tier == 0 and counts["fit"] >= take:
        fits = _complete_fits(need, take, now, head).subquery("fits")
        key = [sa.literal(0), sa.literal(0 if need.company_type else 1), sa.literal(0 if need.on_site else 1)]
        return sa.select(sa.literal(tier).label("tier"), fits.c.user_id,
                         *(k.label(name) for k, name in zip(key, _KEY, strict=True))).subquery(f"tier{tier}")
    key = [_missing(need), *_fit_key(need)]
    return (
        sa.select(sa.literal(tier).label("tier"), RosterProfile.user_id.label("user_id"),
                  *(k.label(name) for k, name in zip(key, _KEY, strict=True)))
        .where(*_in_tier(need, tier, now))
        .order_by(*(sa.literal_column(name) for name in _KEY), RosterProfile.user_id)
        .limit(take)
        .subquery(f"tier{tier}")
    )


def top_ids(need: Need, limit: int = DEFAULT_LIMIT, now: datetime | None = None, head: int = HEAD) -> list[int]:
    """The user ids of the first ``limit`` listed professionals in ``rank``'s order, in that order (two statements)."""
    now = now or utcnow()
    counts = db.session.execute(_counts(need, limit, now, head)).one()._asdict()
    wanted, remaining = [], limit
    for tier in range(len(tiers(need.prefecture)) + 1):
        wanted.append(_best(need, tier, remaining, counts=counts, now=now, head=head))
        remaining -= counts.get(f"tier{tier}", limit)
        if remaining <= 0:
            break
    rows = sa.union_all(*(sa.select(*best.c) for best in wanted)).subquery("chosen")
    ordered = sa.select(rows.c.user_id).order_by(rows.c.tier, *(rows.c[name] for name in _KEY), rows.c.user_id)
    return list(db.session.scalars(ordered))


def candidate(profile: RosterProfile) -> Candidate:
    return Candidate(
        id=profile.user_id,
        prefectures=frozenset(profile.prefectures),
        specialties=frozenset(profile.terms("specialties")),
        company_types=frozenset(profile.terms("company_types")),
        on_site=profile.on_site,
    )


def top(need: Need, limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> list[Result]:
    """The first ``limit`` listed professionals for ``need``, ranked with reasons (three statements in all)."""
    ids = top_ids(need, limit, now)
    if not ids:
        return []
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(RosterProfile)
            .where(RosterProfile.user_id.in_(ids))
            .options(defaultload(RosterProfile.user).lazyload(User.role_rows))  # the email is all we show
        )
    }
    return [Result(match, profiles[match.candidate.id])
            for match in rank(need, (candidate(profiles[i]) for i in ids))]
