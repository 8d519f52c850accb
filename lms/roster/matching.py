"""Rank professionals for an SME's need, with the reasons for each rank. Pure: no request, no DB.

Order: where they work first (same prefecture, then same region, then a neighbouring region, then elsewhere),
then how many of the needed specialties they cover, then whether they support this kind of company, then
on-site availability when the SME wants a visit; ties keep a stable order by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lms.core.prefectures import BY_CODE, NEIGHBOURS

SAME_PREFECTURE, SAME_REGION, NEIGHBOURING_REGION, ELSEWHERE = range(4)


@dataclass(frozen=True)
class Need:
    prefecture: str
    specialties: frozenset[str] = frozenset()
    company_type: str | None = None
    on_site: bool = False


@dataclass(frozen=True)
class Candidate:
    id: int
    prefectures: frozenset[str]
    specialties: frozenset[str]
    company_types: frozenset[str] = frozenset()
    on_site: bool = False


@dataclass(frozen=True)
class Reason:
    """A machine-readable reason; the page words it in the reader's language."""

    code: str
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    proximity: int
    specialties_covered: frozenset[str]
    reasons: tuple[Reason, ...]

    @property
    def sort_key(self) -> tuple[int, int, int, int, int]:
        return (
            self.proximity,
            -len(self.specialties_covered),
            0 if any(r.code == "company_type" for r in self.reasons) else 1,
            0 if any(r.code == "on_site" for r in self.reasons) else 1,
            self.candidate.id,
        )


def proximity(need_prefecture: str, served: frozenset[str]) -> int:
    if need_prefecture in served:
        return SAME_PREFECTURE
    region = BY_CODE[need_prefecture].region
    regions = {BY_CODE[code].region for code in served if code in BY_CODE}
    if region in regions:
        return SAME_REGION
    if regions & NEIGHBOURS[region]:
        return NEIGHBOURING_REGION
    return ELSEWHERE


_PROXIMITY_REASONS = {
    SAME_PREFECTURE: "same_prefecture",
    SAME_REGION: "same_region",
    NEIGHBOURING_REGION: "neighbouring_region",
    ELSEWHERE: "other_region",
}


def rank(need: Need, candidates: Iterable[Candidate]) -> list[Match]:
    if need.prefecture not in BY_CODE:
        raise ValueError(f"unknown prefecture code {need.prefecture!r}")
    matches = []
    for candidate in candidates:
        near = proximity(need.prefecture, candidate.prefectures)
        covered = need.specialties & candidate.specialties
        reasons = [Reason(_PROXIMITY_REASONS[near])]
        if covered:
            reasons.append(Reason("specialties", tuple(sorted(covered))))
        missing = need.specialties - candidate.specialties
        if missing:
            reasons.append(Reason("specialties_missing", tuple(sorted(missing))))
        if need.company_type and need.company_type in candidate.company_types:
            reasons.append(Reason("company_type", (need.company_type,)))
        if need.on_site and candidate.on_site:
            reasons.append(Reason("on_site"))
        matches.append(Match(candidate, near, covered, tuple(reasons)))
    return sorted(matches, key=lambda m: m.sort_key)
