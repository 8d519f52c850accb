"""Pick the listed professionals that reach the top of an SME's ranking, then rank them with reasons.

``matching.rank`` orders by (proximity tier, specialties covered, company-type fit, on-site fit, id): a total
order. The process's search index (index.py) holds every consenting profile's bit sets, so that key is computed
for everyone listed at once, as one integer per profile (numpy), and the ``limit`` smallest are picked without
sorting the rest: a few milliseconds at 100,000 profiles whatever the need. Only those are read from the
database, and ``matching.rank`` orders them and gives the reasons. ``tests/roster/test_match_candidates.py``
proves the result equal to ``rank`` over every listed profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import defaultload

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.core.prefectures import BY_CODE, NEIGHBOURS, PREFECTURES
from lms.roster import index, masks
from lms.roster.matching import (
    ELSEWHERE,
    NEIGHBOURING_REGION,
    SAME_PREFECTURE,
    SAME_REGION,
    Candidate,
    Match,
    Need,
    rank,
)
from lms.roster.models import RosterProfile

#: How many professionals a matching page lists.
DEFAULT_LIMIT = 50
#: Where each part of ``Match.sort_key`` sits in the one integer (the id takes the low 50 bits).
_PROXIMITY, _MISSING, _COMPANY, _ON_SITE = 58, 52, 51, 50


@dataclass(frozen=True)
class Result:
    match: Match
    profile: RosterProfile


def top_ids(need: Need, limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> list[int]:
    """The user ids of the first ``limit`` listed professionals in ``rank``'s order, in that order."""
    built = index.current()
    listed = built.listed(now or utcnow())
    ids = built.user_ids[listed]
    served = built.masks["prefecture_mask"][listed]
    region = BY_CODE[need.prefecture].region
    proximity = np.full(len(ids), ELSEWHERE, np.int64)
    for tier, codes in ((NEIGHBOURING_REGION, [p.code for p in PREFECTURES if p.region in NEIGHBOURS[region]]),
                        (SAME_REGION, [p.code for p in PREFECTURES if p.region == region]),
                        (SAME_PREFECTURE, [need.prefecture])):  # the nearest last, so that it wins
        proximity[(served & masks.prefectures(codes)) != 0] = tier
    wanted = np.int64(masks.terms("specialties", need.specialties))
    missing = len(need.specialties) - np.bitwise_count(built.masks["specialty_mask"][listed] & wanted)
    company = np.ones(len(ids), np.int64)
    if need.company_type:
        fits = (built.masks["company_type_mask"][listed] & masks.terms("company_types", [need.company_type])) != 0
        company[fits] = 0
    on_site = np.where(built.on_site[listed], 0, 1) if need.on_site else np.ones(len(ids), np.int64)
    keys = (proximity << _PROXIMITY | missing.astype(np.int64) << _MISSING | company << _COMPANY
            | on_site.astype(np.int64) << _ON_SITE | ids)
    if len(keys) > limit:
        keys = keys[np.argpartition(keys, limit - 1)[:limit]]
    return (np.sort(keys) & ((1 << _ON_SITE) - 1)).tolist()


def candidate(profile: RosterProfile) -> Candidate:
    return Candidate(
        id=profile.user_id,
        prefectures=frozenset(profile.prefectures),
        specialties=frozenset(profile.terms("specialties")),
        company_types=frozenset(profile.terms("company_types")),
        on_site=profile.on_site,
    )


def top(need: Need, limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> list[Result]:
    """The first ``limit`` listed professionals for ``need``, ranked with reasons (two statements in all: the
    search version and the chosen profiles)."""
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
