"""Who is on the roster: holders who consented and hold a valid certificate, with an active account.

This is the one definition the roster pages, the API, matching and the reports share. ``certified_until`` is
refreshed by ``refresh_certification`` whenever a certificate of the holder is issued, renewed or revoked (the
certification feature sends ``certificate_changed``); expiry needs nothing, as ``listed`` compares with ``now``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate
from lms.core.db import db, utcnow
from lms.roster.models import RosterProfile

#: The roster's stable order: case-folded display name, then user id.
ORDER = (RosterProfile.sort_name, RosterProfile.user_id)


def listed(now: datetime) -> sa.ColumnElement[bool]:
    """The condition on ``RosterProfile`` for being listed at ``now``: ``current(now)`` and an active account.

    Deactivated accounts are excluded with ``NOT IN`` the (few) inactive users, read once from their partial index
    (a hashed subplan on PostgreSQL, a list on SQLite), so a search over the whole roster never visits the users
    table row by row. (A correlated ``NOT EXISTS`` made SQLite look up every listed user by key: 30 times slower.)
    """
    return sa.and_(current(now), RosterProfile.user_id.not_in(sa.select(User.id).where(deactivated())))


def current(now: datetime) -> sa.ColumnElement[bool]:
    """Consent given and a valid certificate at ``now``: the listing rule without the account check."""
    return sa.and_(RosterProfile.consented_at.is_not(None), RosterProfile.certified_until > now)


def deactivated() -> sa.ColumnElement[bool]:
    """Deactivated accounts, written exactly as the partial index ``ix_users_inactive`` is, so that it serves them.

    (SQLAlchemy writes ``sa.not_(User.active)`` as ``active = 0`` on SQLite, which SQLite does not match with the
    index's ``NOT active`` and so scanned every user.)
    """
    return sa.text("NOT users.active")


def listed_user_ids(now: datetime | None = None) -> sa.Select[tuple[int]]:
    """A select of the user ids on the roster at ``now`` (for the reports' pipeline and coverage)."""
    return sa.select(RosterProfile.user_id).where(listed(now or utcnow()))


def certified_until(user_id: int, now: datetime | None = None) -> datetime | None:
    """The latest end of validity among the user's valid certificates (issued, not expired), or None."""
    return db.session.scalar(
        sa.select(sa.func.max(Certificate.valid_until)).where(
            Certificate.user_id == user_id,
            Certificate.state == Stored.ISSUED,
            Certificate.valid_until > (now or utcnow()),
        )
    )


def refresh_certification(_sender: Any = None, *, user_id: int) -> None:
    """Bring the holder's profile (if any) in line with their certificates; runs in the caller's transaction."""
    db.session.flush()
    profile = db.session.get(RosterProfile, user_id)
    if profile is not None:
        profile.certified_until = certified_until(user_id)
