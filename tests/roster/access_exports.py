"""The partners' roster exports (lms/roster/exports.py); the rest of the roster is listed in access.py."""

from tests.access_map import Route, only

ROUTES: dict[str, Route] = {
    "roster_exports.export_csv": only("partner", "administrator"),
    "roster_exports.export_json": only("partner", "administrator"),
}
