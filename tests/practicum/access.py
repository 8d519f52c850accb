from tests.access_map import Route, only, public

MISSING_REPORT = {"report_id": 999_999}

ROUTES: dict[str, Route] = {
    "certification.tracks": public(),
    "certification.track": public(args=lambda world: {"track_id": "no-such-track"}, ok=404),
    "practicum.brief": public(args=lambda world: {"track_id": "no-such-track"}, ok=404),
    "practicum.index": only("trainee"),
    "practicum.edit": only(
        "trainee", methods=("GET", "POST"), args=lambda world: {"track_id": "no-such-track"}, ok=404
    ),
    "practicum.autosave": only("trainee", methods=("POST",), args=lambda world: {"track_id": "no-such-track"}),
    "practicum.upload": only("trainee", methods=("POST",), args=lambda world: {"track_id": "no-such-track"}),
    "practicum.remove_attachment": only(
        "trainee", methods=("POST",), args=lambda world: {"track_id": "no-such-track", "attachment_id": 1}
    ),
    "practicum.report": only(
        "trainee", "instructor", "partner", "administrator", args=lambda world: MISSING_REPORT, ok=404
    ),
    "practicum.compare": only(
        "trainee", "instructor", "partner", "administrator", args=lambda world: MISSING_REPORT, ok=404
    ),
    "practicum.attachment": only(
        "trainee", "instructor", "partner", "administrator", args=lambda world: {"attachment_id": 999_999}, ok=404
    ),
    "practicum.queue": only("instructor", "administrator"),
    "practicum.grade": only(
        "instructor", "administrator", methods=("GET", "POST"), args=lambda world: MISSING_REPORT, ok=404
    ),
    "practicum.graders": only("administrator"),
    "practicum.assign_grader": only("administrator", methods=("POST",)),
    "practicum.unassign_grader": only("administrator", methods=("POST",)),
}
