"""Reading the reports' filters from a query string (pure): a bad value is a ``FilterError`` with a message the
page shows with a 400, never a guess and never a server error."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from flask_babel import gettext as _

from lms.reports.stages import Scope

#: Dates before this or after the end of ``MAX_YEAR`` are refused as out of range.
MIN_YEAR = 2000
MAX_YEAR = 2100


class FilterError(ValueError):
    """A filter value that cannot be used; ``str(error)`` is the message for the user."""


def _date(text: str, label: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise FilterError(_("%(field)s must be a date written YYYY-MM-DD.", field=label)) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise FilterError(_("%(field)s must be between %(low)s and %(high)s.", field=label, low=MIN_YEAR,
                            high=MAX_YEAR))
    return value


def choice(args: Mapping[str, str], name: str, allowed: Collection[str], default: str) -> str:
    value = args.get(name, "").strip() or default
    if value not in allowed:
        raise FilterError(_("Unknown value for %(name)s: choose one of %(values)s.", name=name,
                            values=", ".join(allowed)))
    return value


def scope(args: Mapping[str, str], track_ids: Collection[str], cohort_ids: Collection[int]) -> Scope:
    """The Scope named by ``track``, ``cohort``, ``from`` and ``to``; unknown ids and bad dates are refused."""
    track = args.get("track", "").strip() or None
    if track is not None and track not in track_ids:
        raise FilterError(_("There is no certification track %(track)s.", track=track[:64]))
    cohort_text = args.get("cohort", "").strip()
    cohort = None
    if cohort_text:
        if not cohort_text.isascii() or not cohort_text.isdigit() or len(cohort_text) > 10:
            raise FilterError(_("The cohort must be given by its number."))
        cohort = int(cohort_text)
        if cohort not in cohort_ids:
            raise FilterError(_("There is no cohort %(cohort)s.", cohort=cohort))
    start = _date(args["from"].strip(), _("The start date")) if args.get("from", "").strip() else None
    end = _date(args["to"].strip(), _("The end date")) if args.get("to", "").strip() else None
    if start and end and end < start:
        raise FilterError(_("The end date must not be before the start date."))
    return Scope(track_id=track, cohort_id=cohort, enrolled_from=start, enrolled_to=end)
