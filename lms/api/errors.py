"""The API's errors: core's JSON error shape (``lms.core.errors``) plus a stable ``code`` and the ``field``."""

from __future__ import annotations

from flask import Response, jsonify

from lms.core.errors import render_error


class ApiError(Exception):
    """Raised by the API's views; the blueprint answers with ``{"error": {status, title, message, code, field}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def respond(error: ApiError) -> Response:
    core, status = render_error(error.status, error.message)
    response = jsonify(error={**core.get_json()["error"], "code": error.code, "field": error.field})
    response.status_code = status
    if error.code == "invalid_token":
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response
