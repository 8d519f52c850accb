"""Who is calling the API: a personal API token (``Authorization: Bearer``) or else the session's user."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.api.errors import ApiError
from lms.api.models import ApiToken
from lms.core.db import db, utcnow

#: Tokens start with this, so that secret scanners (and people) can recognise a leaked one.
TOKEN_PREFIX = "lms_"  # noqa: S105 - a public marker, not a secret
_TOUCH_EVERY = timedelta(minutes=1)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def presented_token() -> ApiToken | None:
    """The valid token in the request's ``Authorization: Bearer`` header, if any (looked up once a request): known,
    not revoked, not expired, and its owner's account active."""
    if "api_presented_token" not in g:
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        found = None
        if scheme.lower() == "bearer" and token.startswith(TOKEN_PREFIX) and len(token) <= 100:
            found = db.session.scalar(
                sa.select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
            )
        valid = found is not None and not found.expired(utcnow()) and found.user.active
        g.api_presented_token = found if valid else None
    return g.api_presented_token


def caller() -> Any:
    """The user the request acts for: a token's owner, the signed-in user, or an anonymous user.

    A request that sends an ``Authorization`` header is judged by that header alone: a token that is malformed,
    unknown, revoked or whose owner is deactivated is a 401, never a silent fall-back to anonymous access.
    """
    if request.headers.get("Authorization") is None:
        return current_user
    found = presented_token()
    if found is None:
        raise ApiError(401, "invalid_token", _("This API token is not valid: it is unknown, expired or was revoked."),
                       field="Authorization")
    g.api_token_id = found.id
    now = utcnow()
    if found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY:
        found.last_used_at = now
        db.session.commit()
    return found.user
