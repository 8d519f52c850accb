"""The roster's controlled vocabularies (``taxonomy.yml``): specialties, company types, organisations, languages.

Ids are stored in the database and used in URLs and the API, so they never change; labels are bilingual and
may be reworded. Filters and forms accept only ids listed here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

KINDS = ("specialties", "company_types", "organisations", "languages")


@dataclass(frozen=True)
class Term:
    id: str
    name: dict[str, str]
    description: dict[str, str] | None = None


@dataclass(frozen=True)
class Taxonomy:
    specialties: tuple[Term, ...]
    company_types: tuple[Term, ...]
    organisations: tuple[Term, ...]
    languages: tuple[Term, ...]

    def terms(self, kind: str) -> tuple[Term, ...]:
        return getattr(self, kind)

    def ids(self, kind: str) -> tuple[str, ...]:
        return self._ids[kind]

    def term(self, kind: str, term_id: str) -> Term | None:
        return self._by_id[kind].get(term_id)

    def position(self, kind: str) -> dict[str, int]:
        """Each id's place in its list (the bit of masks.py)."""
        return self._positions[kind]

    # Built once (the taxonomy is loaded once): search, exports and matching ask for these per row.
    @functools.cached_property
    def _ids(self) -> dict[str, tuple[str, ...]]:
        return {kind: tuple(term.id for term in self.terms(kind)) for kind in KINDS}

    @functools.cached_property
    def _by_id(self) -> dict[str, dict[str, Term]]:
        return {kind: {term.id: term for term in self.terms(kind)} for kind in KINDS}

    @functools.cached_property
    def _positions(self) -> dict[str, dict[str, int]]:
        return {kind: {term_id: n for n, term_id in enumerate(self._ids[kind])} for kind in KINDS}


@functools.cache
def taxonomy() -> Taxonomy:
    raw = yaml.safe_load((Path(__file__).parent / "taxonomy.yml").read_text(encoding="utf-8"))
    return Taxonomy(**{
        kind: tuple(Term(t["id"], dict(t["name"]), dict(t["description"]) if "description" in t else None)
                    for t in raw[kind])
        for kind in KINDS
    })
