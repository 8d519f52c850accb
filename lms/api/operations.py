"""Writes of the API feature: personal API tokens and the audit of contact details read (the caller commits)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.api.auth import TOKEN_PREFIX, new_token, token_hash
from lms.api.models import ApiToken
from lms.core import audit
from lms.core.access import Permission
from lms.core.db import db, utcnow
from lms.roster import records, search

#: Active tokens one person may hold: enough for a few integrations, few enough to keep track of.
MAX_ACTIVE = 10
#: How long a new token works unless its owner chooses otherwise.
DEFAULT_DAYS = 90


class TokenError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def active_tokens(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), _unexpired(utcnow()))
    ) or 0


def _unexpired(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)


def create_token(user: User, name: str, days: int | None = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret, which is shown once and never stored; it expires after ``days``
    (None: never)."""
    if not user.can(Permission.ROSTER_CONTACTS):
        raise TokenError(_("Only partner organisations can have API tokens."))
    if active_tokens(user) >= MAX_ACTIVE:
        raise TokenError(_("You already have %(n)d active tokens. Revoke one you no longer use first.", n=MAX_ACTIVE))
    secret = new_token()
    token = ApiToken(user_id=user.id, name=name.strip(), token_hash=token_hash(secret),
                     prefix=secret[: len(TOKEN_PREFIX) + 6],
                     expires_at=utcnow() + timedelta(days=days) if days is not None else None)
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", "api_token", token.id, actor_id=user.id, name=token.name,
                 expires_at=token.expires_at.isoformat() if token.expires_at else None)
    return token, secret


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of ``user``'s tokens; None if they have no such token. Revoking twice changes nothing."""
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None or token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    audit.record("api_token.revoke", "api_token", token.id, actor_id=user.id, name=token.name)
    return token


def contacts_read(user: User, filters: search.Filters, page: search.Page, token_id: int | None) -> None:
    """Contact details leave the system in an API answer as they do in an export: audited the same way."""
    audit.record("roster.contacts_read", "roster", "api", actor_id=user.id, rows=len(page.items), page=page.page,
                 filters=records.described(filters), token_id=token_id)
