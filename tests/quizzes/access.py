from tests.access_map import Route, only

_QUIZ = {"quiz_id": "no-such-quiz"}
_ATTEMPT = {"attempt_id": 999_999}

ROUTES: dict[str, Route] = {
    # The walk has no quiz in the database: allowed users get 404 for every quiz and attempt URL.
    "quizzes.start": only("trainee", args=lambda world: _QUIZ, ok=404, methods=("GET", "POST")),
    "quizzes.attempt": only("trainee", args=lambda world: _ATTEMPT, ok=404),
    "quizzes.save": only("trainee", args=lambda world: _ATTEMPT, methods=("POST",)),
    "quizzes.submit": only("trainee", args=lambda world: _ATTEMPT, methods=("POST",)),
    "quizzes.review": only("trainee", args=lambda world: _ATTEMPT, ok=404),
    "quizzes.manage": only("instructor", "administrator"),
    "quizzes.results": only("instructor", "administrator", args=lambda world: _QUIZ, ok=404),
    "quizzes.results_csv": only("instructor", "administrator", args=lambda world: _QUIZ, ok=404),
    "quizzes.statistics": only("instructor", "administrator", args=lambda world: _QUIZ, ok=404),
    "quizzes.regrade": only("instructor", "administrator", args=lambda world: _QUIZ, methods=("POST",)),
}
