"""The OpenAPI 3.1 document: ``openapi.yml`` with its vocabularies filled in from the taxonomy and prefectures.

Schemas marked ``x-vocabulary`` get an ``enum`` of the ids the API accepts, and their labels in the description,
so a value the document does not list is one the API refuses (a 400), and the document never falls behind
``taxonomy.yml``.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from lms.core.prefectures import PREFECTURES, REGIONS
from lms.roster.taxonomy import taxonomy

SOURCE = Path(__file__).with_name("openapi.yml")


def vocabularies() -> dict[str, list[tuple[str, str, str]]]:
    """Each vocabulary as (id, English label, Japanese label), in the order the site lists them."""
    found = {
        "prefectures": [(p.code, p.name_en, p.name_ja) for p in PREFECTURES],
        "regions": [(r.code, r.name_en, r.name_ja) for r in REGIONS],
    }
    for kind in ("specialties", "company_types", "languages", "organisations"):
        found[kind] = [(t.id, t.name["en"], t.name["ja"]) for t in taxonomy().terms(kind)]
    return found


@functools.cache
def _document() -> dict[str, Any]:
    document = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    terms = vocabularies()
    for schema in document["components"]["schemas"].values():
        kind = schema.pop("x-vocabulary", None)
        if kind:
            schema["enum"] = [term_id for term_id, _en, _ja in terms[kind]]
            labels = "\n".join(f"- `{term_id}`: {en} ({ja})" for term_id, en, ja in terms[kind])
            schema["description"] = f"{schema['description']}\n\n{labels}"
    return document


def document() -> dict[str, Any]:
    """A copy of the document (callers may not change the cached one)."""
    return copy.deepcopy(_document())
