"""SME matching for partners: an SME's prefecture and needs in, a ranked list of professionals with reasons out.

A GET form, so a result can be bookmarked or sent to a colleague. The page records nothing about the SME: no
audit entry and no log line carries the need (it may describe a company's plans).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from lms.core import navigation
from lms.core.access import Permission, requires
from lms.core.i18n import current_language, pick
from lms.core.navigation import NavItem
from lms.core.prefectures import BY_CODE, NEIGHBOURS, REGION_BY_CODE, Region, region_name
from lms.core.prefectures import name as prefecture_name
from lms.roster import candidates
from lms.roster.match_forms import MatchForm
from lms.roster.matching import Candidate, Need, Reason
from lms.roster.taxonomy import taxonomy

bp = Blueprint(
    "roster_match", __name__, template_folder="templates", static_folder="static",
    static_url_path="/static/roster-match", url_prefix="/roster",
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    navigation.add(app, NavItem("roster_match.match", _l("SME matching"), permission=Permission.ROSTER_CONTACTS,
                                order=61))


@bp.get("/match")
@requires(Permission.ROSTER_CONTACTS)
def match() -> Any:
    lang = current_language()
    if not request.args:
        return render_template("roster/match.html", form=MatchForm(lang), results=None)
    form = MatchForm(lang, formdata=request.args)
    if not form.validate():
        return render_template("roster/match.html", form=form, results=None), 422
    need = form.need()
    results = candidates.top(need)
    return render_template(
        "roster/match.html", form=form, need=need, results=results, limit=candidates.DEFAULT_LIMIT,
        reasons=lambda result: [(r.code, describe(r, need, result.match.candidate)) for r in result.match.reasons],
        term=term_name, summary=summary(need),
    )


def term_name(kind: str, term_id: str) -> str:
    term = taxonomy().term(kind, term_id)
    return pick(term.name) if term else term_id


def _region_name(region: Region) -> str:
    return region_name(region.code, current_language())


def _regions(codes: frozenset[str], among: frozenset[str] | None = None) -> str:
    """The names of the regions of ``codes`` (only those in ``among``), in the usual north-to-south order."""
    found = {BY_CODE[c].region for c in codes if c in BY_CODE}
    return _(", ").join(_region_name(r) for r in REGION_BY_CODE.values()
                         if r.code in found and (among is None or r.code in among))


def describe(reason: Reason, need: Need, candidate: Candidate) -> str:  # noqa: PLR0911 - one wording per code
    """One reason of a rank, worded for the reader."""
    names = _(", ").join(term_name("specialties", s) for s in reason.detail)
    region = BY_CODE[need.prefecture].region
    match reason.code:
        case "same_prefecture":
            return _("Serves %(prefecture)s (same prefecture)",
                     prefecture=prefecture_name(need.prefecture, current_language()))
        case "same_region":
            return _("Same region: %(region)s", region=_region_name(REGION_BY_CODE[region]))
        case "neighbouring_region":
            return _("Neighbouring region: %(regions)s",
                     regions=_regions(candidate.prefectures, NEIGHBOURS[region]))
        case "other_region":
            if not candidate.prefectures:
                return _("No prefecture listed")
            return _("Other region: %(regions)s", regions=_regions(candidate.prefectures))
        case "specialties":
            return ngettext("Covers %(covered)d of %(num)d need: %(names)s",
                            "Covers %(covered)d of %(num)d needs: %(names)s",
                            len(need.specialties), covered=len(reason.detail), names=names)
        case "specialties_missing":
            return _("Missing: %(names)s", names=names)
        case "company_type":
            return _("Supports %(company_type)s", company_type=term_name("company_types", reason.detail[0]))
        case "on_site":
            return _("Available on site")
    return reason.code


def summary(need: Need) -> str:
    """The need in one line, as the results' caption."""
    parts = [prefecture_name(need.prefecture, current_language())]
    parts += [term_name("specialties", s) for s in sorted(need.specialties)]
    if need.company_type:
        parts.append(term_name("company_types", need.company_type))
    if need.on_site:
        parts.append(_("on-site visit"))
    return _(", ").join(parts)


