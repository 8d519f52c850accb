"""Security headers on every response, and trust in a load balancer's forwarded headers when configured."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

#: No inline script or style anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class NulCharacter(BadRequest):
    """A 400 for a form or query field holding a NUL character; ``field`` names it (the API says which)."""

    def __init__(self, field: str) -> None:
        super().__init__(_("The request holds a NUL character, which no field may contain."))
        self.field = field


def init_app(app: Flask) -> None:
    proxies = app.config.get("LMS_PROXY_COUNT", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    @app.before_request
    def _refuse_nul() -> None:
        """No one types a NUL character, and PostgreSQL refuses one in text: a form or query string holding it
        is refused here, for every route, rather than as a 500 deep inside a write."""
        fields = [*request.args.items(multi=True)]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields += request.form.items(multi=True)
        if field := next((key for key, value in fields if "\x00" in key or "\x00" in value), None):
            raise NulCharacter(field.replace("\x00", ""))

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("LMS_HSTS") and request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.endswith("static"):
            headers.setdefault("Cache-Control", "no-store" if _is_private() else "no-cache")
        return response


def _is_private() -> bool:
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)
