"""The one serialisation of a listed profile, for ``GET /api/v1/roster`` (JSON) and the partners' exports.

Pure: given a profile (or its fields, ``Listed``), whether contact details may be shown, and its page's URL, so
the API, the JSON export and the CSV export cannot drift apart. Ids (taxonomy ids, JIS codes, region codes) are
the stable part; labels are given in both languages and may be reworded. Contact details (email, phone) are
added only when the caller says the reader holds ``Permission.ROSTER_CONTACTS`` and asked for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for

from lms.core import spreadsheet
from lms.core.prefectures import BY_CODE, REGION_BY_CODE
from lms.roster.models import TERM_KINDS, RosterProfile
from lms.roster.search import Filters
from lms.roster.taxonomy import taxonomy

Record = dict[str, Any]
#: The HTML roster's page of one person, which ``profile_url`` points to.
PERSON_ENDPOINT = "roster.person"

#: CSV columns, in order: English ids, stable like the JSON field names they come from.
PUBLIC_COLUMNS = (
    "id", "display_name_ja", "display_name_latin", "organisation", "organisation_en", "organisation_ja",
    "organisation_name", "prefectures", "prefectures_en", "prefectures_ja", "regions", "specialties",
    "company_types", "languages", "on_site", "profile_url",
)
CONTACT_COLUMNS = ("email", "phone")
#: A spreadsheet would run a cell starting with one of these as a formula (CSV injection).
def _label(kind: str, term_id: str) -> dict[str, str]:
    term = taxonomy().term(kind, term_id)
    # A retired id stays readable: its id stands in for the label.
    return dict(term.name) if term else {"en": term_id, "ja": term_id}


def _terms(kind: str, ids: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"id": term_id, "label": _label(kind, term_id)} for term_id in ids]


@dataclass(frozen=True)
class Listed:
    """The published fields of a profile, from the ORM object (``of``) or from plain rows (the exports)."""

    user_id: int
    display_name_ja: str | None
    display_name_latin: str | None
    organisation: str
    organisation_name: str | None
    on_site: bool
    bio_html: str
    phone: str | None
    email: str
    prefectures: tuple[str, ...]
    #: Term ids by kind (``models.TERM_KINDS``).
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, profile: RosterProfile) -> Listed:
        return cls(
            user_id=profile.user_id, display_name_ja=profile.display_name_ja,
            display_name_latin=profile.display_name_latin, organisation=profile.organisation,
            organisation_name=profile.organisation_name, on_site=profile.on_site, bio_html=profile.bio_html,
            phone=profile.phone, email=profile.user.email, prefectures=tuple(profile.prefectures),
            terms={kind: tuple(profile.terms(kind)) for kind in TERM_KINDS},
        )


def record(profile: RosterProfile | Listed, *, contacts: bool = False, profile_url: str | None = None) -> Record:
    """The profile as published. ``contacts`` adds ``contact`` (email, phone): partners only, by the caller."""
    listed: Listed = profile if isinstance(profile, Listed) else Listed.of(profile)
    codes = listed.prefectures
    regions = list(dict.fromkeys(BY_CODE[code].region for code in codes))
    found: Record = {
        "id": listed.user_id,
        "display_name": {"ja": listed.display_name_ja, "latin": listed.display_name_latin},
        "organisation": {
            "id": listed.organisation,
            "label": _label("organisations", listed.organisation),
            "name": listed.organisation_name,
        },
        "prefectures": [
            {"code": code, "name": {"en": BY_CODE[code].name_en, "ja": BY_CODE[code].name_ja},
             "region": BY_CODE[code].region}
            for code in codes
        ],
        "regions": [
            {"code": code, "name": {"en": REGION_BY_CODE[code].name_en, "ja": REGION_BY_CODE[code].name_ja}}
            for code in regions
        ],
        **{kind: _terms(kind, listed.terms.get(kind, ())) for kind in TERM_KINDS},
        "on_site": listed.on_site,
        "bio_html": listed.bio_html,
        "profile_url": profile_url,
    }
    if contacts:
        found["contact"] = {"email": listed.email, "phone": listed.phone}
    return found


def described(filters: Filters) -> dict[str, Any]:
    """The filters as query parameters (non-empty ones only), for audit entries."""
    found: dict[str, Any] = {
        name: list(values) for name, values in (
            ("prefecture", filters.prefectures), ("region", filters.regions), ("specialty", filters.specialties),
            ("company_type", filters.company_types), ("language", filters.languages),
        ) if values
    }
    if filters.on_site is not None:
        found["on_site"] = filters.on_site
    return found


def person_url(user_id: int) -> str:
    """The person's public page on the HTML roster (``roster.person``), as a full URL.

    Not pure like the rest of this module: it needs a request (or app) context to build the URL.
    """
    return url_for(PERSON_ENDPOINT, user_id=user_id, _external=True)


def csv_header(*, contacts: bool) -> tuple[str, ...]:
    return PUBLIC_COLUMNS + (CONTACT_COLUMNS if contacts else ())


def csv_row(found: Record) -> list[str]:
    """One CSV row of a ``record`` (lists joined with "; "), its columns those of ``csv_header``."""
    cells: list[object] = [
        found["id"], found["display_name"]["ja"], found["display_name"]["latin"],
        found["organisation"]["id"], found["organisation"]["label"]["en"], found["organisation"]["label"]["ja"],
        found["organisation"]["name"],
        _joined(p["code"] for p in found["prefectures"]),
        _joined(p["name"]["en"] for p in found["prefectures"]),
        _joined(p["name"]["ja"] for p in found["prefectures"]),
        _joined(r["code"] for r in found["regions"]),
        *(_joined(t["id"] for t in found[kind]) for kind in TERM_KINDS),
        "true" if found["on_site"] else "false",
        found["profile_url"],
    ]
    if "contact" in found:
        cells += [found["contact"]["email"], found["contact"]["phone"]]
    return [_cell(value) for value in cells]


def _joined(values: Any) -> str:
    return "; ".join(values)


def _cell(value: object) -> str:
    return spreadsheet.cell("" if value is None else str(value))
