"""Bit sets of what a profile offers, so that every roster filter and the SME matching key are bit tests.

A profile's prefectures served and its terms of each kind are rows (``roster_profile_prefectures``,
``roster_profile_terms``: the record, which the reports' coverage joins) and, denormalised, one integer per
kind on the profile (``prefecture_mask`` ...): bit ``code - 1`` for a prefecture, bit ``position`` for a term,
where the position is the term's place in its list in taxonomy.yml. A filter "any of these" is then
``mask & wanted != 0``, tested in the search index (index.py) or in SQL without joining 800,000 rows, and what a
profile shows is decoded from its bit sets (``prefecture_codes``, ``term_ids``).

Positions are append-only: a new term goes at the end of its list (tests/roster/test_masks.py pins the order).
A list may hold at most 63 terms (a signed BIGINT).
"""

from __future__ import annotations

from collections.abc import Iterable

from lms.roster.taxonomy import taxonomy

#: The profile column holding the bits of each kind of term.
MASK_COLUMNS = {"specialties": "specialty_mask", "company_types": "company_type_mask", "languages": "language_mask"}
MAX_BITS = 63


def prefectures(codes: Iterable[str]) -> int:
    return sum({1 << (int(code) - 1) for code in codes})


def terms(kind: str, ids: Iterable[str]) -> int:
    ids_in_order = taxonomy().ids(kind)
    if len(ids_in_order) > MAX_BITS:  # pragma: no cover - a guard for whoever grows the taxonomy
        raise ValueError(f"taxonomy list {kind} has more than {MAX_BITS} terms: the search masks cannot hold it")
    positions = taxonomy().position(kind)
    return sum({1 << positions[term_id] for term_id in ids if term_id in positions})


def prefecture_codes(mask: int) -> list[str]:
    """The prefecture codes of a bit set, in JIS order (the inverse of ``prefectures``)."""
    return [f"{bit + 1:02d}" for bit in _bits(mask)]


def term_ids(kind: str, mask: int) -> list[str]:
    """The term ids of a bit set, in the taxonomy's order (the inverse of ``terms``)."""
    ids_in_order = taxonomy().ids(kind)
    return [ids_in_order[bit] for bit in _bits(mask) if bit < len(ids_in_order)]


def _bits(mask: int) -> list[int]:
    return [bit for bit in range(mask.bit_length()) if mask >> bit & 1]
