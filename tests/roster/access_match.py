"""Endpoints of SME matching (lms/roster/match_views.py); the rest of the roster lists its own in access.py."""

from tests.access_map import only

ROUTES = {
    # An empty form for partners and administrators (ROSTER_CONTACTS); the results need a prefecture.
    "roster_match.match": only("partner", "administrator"),
}
