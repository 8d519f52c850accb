"""Friendly error pages for people, JSON errors under /api/, and never a stack trace for either."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you sent and try again.")),
    401: (_l("Sign-in required"), _l("Please sign in to continue.")),
    403: (_l("Not allowed"), _l("Your account does not have permission to open this page.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Conflict"), _l("The request conflicts with the current state of this record.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    422: (_l("Cannot process"), _l("The request was understood but its content is not valid.")),
    429: (_l("Too many requests"), _l("Too many requests in a short time. Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged; please try again later.")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, detail: str | None = None) -> tuple[Any, int]:
    title, message = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    if wants_json():
        return jsonify(error={"status": status, "title": str(title), "message": detail or str(message)}), status
    return render_template("errors/error.html", status=status, title=title, message=message, detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[Any, int]:
        message = _l("The form expired or was not sent from this site. Please reload the page and try again.")
        return render_error(400, str(message))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error
        response, status = render_error(error.code, _detail(error))
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response((response, status))
            response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Any, int]:
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return render_error(error.code or 500)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)


def _detail(error: HTTPException) -> str | None:
    """Our own ``abort(code, description)`` messages are shown; Werkzeug's generic texts are not."""
    default = type(error).description
    if error.description and error.description != default:
        return str(error.description)
    return None
