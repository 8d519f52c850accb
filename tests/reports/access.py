from tests.access_map import only

NO_COURSE = {"course_id": 2**31 - 1}

ROUTES = {
    # Administrators and instructors (instructors see the courses they own)
    "reports.index": only("instructor", "administrator"),
    "reports.courses_page": only("instructor", "administrator"),
    "reports.courses_csv": only("instructor", "administrator"),
    "reports.course_page": only("instructor", "administrator", args=lambda world: NO_COURSE, ok=404),
    "reports.course_csv": only("instructor", "administrator", args=lambda world: NO_COURSE, ok=404),
    "reports.refresh": only("instructor", "administrator", methods=("POST",)),
    # Administrators only
    "reports.pipeline_page": only("administrator"),
    "reports.pipeline_csv": only("administrator"),
    "reports.coverage_page": only("administrator"),
    "reports.coverage_csv": only("administrator"),
}
