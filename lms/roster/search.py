"""Roster search: filters and paging parsed from a query string, and a page of listed profiles.

The HTML roster, the partners' pages, the exports and ``GET /api/v1/roster`` all parse with ``parse_filters`` and
``parse_paging``; pages come from ``search`` (through the process's search index, index.py) and exports from
``matching`` (the same rule in SQL), so they accept the same parameters, refuse the same bad input and list the
same people in the same order. Within one filter several values mean "any of"; different filters
narrow each other. The order is stable: case-folded display name, then user id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.core.prefectures import BY_CODE, PREFECTURES, REGION_BY_CODE
from lms.roster import index, masks
from lms.roster.listing import ORDER, listed
from lms.roster.models import RosterProfile
from lms.roster.taxonomy import taxonomy

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
#: Query parameters and the taxonomy kind each takes its values from.
TERM_PARAMETERS = {"specialty": "specialties", "company_type": "company_types", "language": "languages"}
PARAMETERS = ("prefecture", "region", *TERM_PARAMETERS, "on_site", "page", "per_page")
#: The words a yes/no parameter takes (``on_site`` here and on the matching form).
TRUE, FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})


class SearchError(ValueError):
    """A parameter that cannot be used: the field it concerns and a message for the reader (a 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class PageOutOfRange(SearchError):
    """A page past the last one (a 404): the search itself was fine."""


@dataclass(frozen=True)
class Filters:
    prefectures: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    company_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    on_site: bool | None = None

    def terms(self, kind: str) -> tuple[str, ...]:
        return getattr(self, kind)


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True)
class Page:
    items: list[RosterProfile]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _values(args: Mapping[str, object], name: str) -> list[str]:
    """All non-empty values of ``name`` (repeated parameters and comma-separated lists both work)."""
    raw = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)] if args.get(name) else []
    return split(str(value) for value in raw)


def split(raw: Iterable[str]) -> list[str]:
    """The non-empty values of a parameter given repeated, comma-separated or both."""
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def unknown(values: Iterable[str], known: Iterable[str]) -> str | None:
    """The unknown values, listed for a message (at most five), or None when every value is known."""
    known = set(known)
    unknown = [v for v in values if v not in known]
    return ", ".join(unknown[:5]) if unknown else None


def parse_filters(args: Mapping[str, object]) -> Filters:
    """Filters from a query string; raises ``SearchError`` naming the first bad parameter."""
    prefectures, regions = _values(args, "prefecture"), _values(args, "region")
    if bad := unknown(prefectures, BY_CODE):
        raise SearchError("prefecture", _("Unknown prefecture code: %(value)s. Use JIS codes 01 to 47.", value=bad))
    if bad := unknown(regions, REGION_BY_CODE):
        raise SearchError("region", _("Unknown region: %(value)s.", value=bad))
    terms = {}
    for name, kind in TERM_PARAMETERS.items():
        terms[kind] = tuple(dict.fromkeys(_values(args, name)))
        if bad := unknown(terms[kind], taxonomy().ids(kind)):
            raise SearchError(name, _("Unknown value for %(name)s: %(value)s.", name=name, value=bad))
    on_site = None
    if on_site_values := _values(args, "on_site"):
        value = on_site_values[-1].lower()
        if value not in TRUE | FALSE:
            raise SearchError("on_site", _("on_site must be true or false."))
        on_site = value in TRUE
    return Filters(prefectures=tuple(dict.fromkeys(prefectures)), regions=tuple(dict.fromkeys(regions)),
                   on_site=on_site, **terms)


def _positive_int(args: Mapping[str, object], name: str, default: int) -> int:
    values = _values(args, name)
    if not values:
        return default
    text = values[-1]
    # Digits only: int() would also take "+1", "1_0" (ten) and other scripts' digits.
    if not (text.isascii() and text.removeprefix("-").isdigit()):
        raise SearchError(name, _("%(name)s must be a whole number.", name=name))
    number = int(text)
    if number < 1:
        raise SearchError(name, _("%(name)s must be 1 or more.", name=name))
    return number


def parse_paging(args: Mapping[str, object], *, per_page: int = DEFAULT_PER_PAGE,
                 max_per_page: int = MAX_PER_PAGE) -> Paging:
    page = _positive_int(args, "page", 1)
    size = _positive_int(args, "per_page", per_page)
    if size > max_per_page:
        raise SearchError("per_page", _("per_page may be at most %(max)d.", max=max_per_page))
    if page > 1_000_000:
        raise PageOutOfRange("page", _("There is no page %(page)d.", page=page))
    return Paging(page, size)


def any_bits(filters: Filters) -> list[tuple[str, int]]:
    """The filters on bit sets (see masks.py), as (profile column, bits): a profile passes each when its column
    shares a bit with it. The database search and the in-memory index both read them from here."""
    found = []
    if filters.prefectures:
        found.append(("prefecture_mask", masks.prefectures(filters.prefectures)))
    if filters.regions:
        found.append(("prefecture_mask", masks.prefectures(p.code for p in PREFECTURES if p.region in filters.regions)))
    for kind, column in masks.MASK_COLUMNS.items():
        if filters.terms(kind):
            found.append((column, masks.terms(kind, filters.terms(kind))))
    return found


def conditions(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The filter conditions on ``RosterProfile``: "any of" tests on the profile's bit sets, which the search
    index holds, so no filter joins the prefecture or term rows."""
    found = [getattr(RosterProfile, column).bitwise_and(sa.literal(bits, sa.BigInteger)) != 0
             for column, bits in any_bits(filters)]
    if filters.on_site is not None:
        found.append(RosterProfile.on_site.is_(filters.on_site))
    return found


def matching(filters: Filters, now: datetime | None = None) -> sa.Select[tuple[RosterProfile]]:
    """Every listed profile that passes ``filters``, in the roster's stable order (for exports and matching)."""
    return sa.select(RosterProfile).where(listed(now or utcnow()), *conditions(filters)).order_by(*ORDER)


def search(filters: Filters, paging: Paging = Paging(), now: datetime | None = None) -> Page:
    """One page of listed profiles; ``PageOutOfRange`` for a page past the last (page 1 always exists).

    The matches are counted and the page's ids picked in the process's search index (index.py), which answers
    as the database does; then the page's profiles are read with their accounts. Two statements whatever the
    filters, the page or the roster's size (four when the index must first be rebuilt after a change).
    """
    now = now or utcnow()
    ids = index.current().matching_ids(any_bits(filters), filters.on_site, now)
    pages = max(1, math.ceil(len(ids) / paging.per_page))
    if paging.page > pages:
        raise PageOutOfRange("page", _("There is no page %(page)d: the last page is %(pages)d.",
                                       page=paging.page, pages=pages))
    offset = (paging.page - 1) * paging.per_page
    page_ids = ids[offset:offset + paging.per_page].tolist()
    items = list(db.session.scalars(
        sa.select(RosterProfile).where(RosterProfile.user_id.in_(page_ids)).order_by(*ORDER)
        .options(sa.orm.joinedload(RosterProfile.user).lazyload(User.role_rows),  # a page shows no roles
                 sa.orm.defer(RosterProfile.bio_md, raiseload=True))  # nor the bio as written (only as shown)
    )) if page_ids else []
    return Page(items, len(ids), paging.page, paging.per_page)
