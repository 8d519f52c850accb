"""The roster's search index, held by each app process: the columns that search reads, for every consenting
profile, as arrays in the roster's order. Counting and paging any filter combination over 100,000 profiles then
takes a fraction of a millisecond (numpy), where the database visits one index entry per profile for every count
(12-16 ms on PostgreSQL; docs/roster.md).

It is a cache of the database, never a source of its own. ``roster_search_version`` (one row, migration 0011)
holds a random number that every committing transaction which wrote a roster profile or a user's ``active`` flag
replaces, as part of that transaction (``_note_changes`` and ``_publish_change`` below). Each search reads the
number first; a process whose index was built at another number builds it again before answering (about 0.2 s
at 100,000 profiles). So every app server answers as the database does at that moment, and nothing is shared
between processes. The number is random, not counted, so that a rolled-back transaction cannot leave behind a
number that a later, different change would reuse. The time is applied when searching (``certified_until >
now``), so expiry needs no change. A session holding roster changes that it has not committed searches an index
of its own view, built for it and not kept.

Writes go through the ORM, which is how the hooks see them; code that writes these columns with plain SQL must
call ``changed()`` in the same transaction.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.db import db
from lms.roster import masks
from lms.roster.listing import ORDER, deactivated
from lms.roster.models import RosterProfile, RosterSearchVersion

#: The session flag: this transaction has flushed a change that search reads and has not committed it yet.
_CHANGED = "lms.roster_search_changed"
_EXTENSION = "lms.roster_index"
_MASK_COLUMNS = ("prefecture_mask", *masks.MASK_COLUMNS.values())
#: A row of the index as the database sends it.
_ROW = np.dtype([("user_id", np.int64), ("until", np.float64), ("on_site", np.bool_),
                 *((column, np.int64) for column in _MASK_COLUMNS)])


@dataclass(frozen=True)
class Index:
    #: The ``roster_search_version`` it was built at (None: built for one session's uncommitted view).
    version: int | None
    user_ids: np.ndarray
    #: ``certified_until`` in seconds since the epoch; minus infinity without a valid certificate.
    until: np.ndarray
    active: np.ndarray
    on_site: np.ndarray
    masks: dict[str, np.ndarray]

    def listed(self, now: datetime) -> np.ndarray:
        """Which profiles are listed at ``now`` (the rule of listing.py: consent, checked when loading; a valid
        certificate; an active account)."""
        return self.active & (self.until > now.timestamp())

    def matching_ids(self, any_bits: Iterable[tuple[str, int]], on_site: bool | None, now: datetime) -> np.ndarray:
        """The user ids listed at ``now`` whose mask column shares a bit with each (column, bits), in order."""
        keep = self.listed(now)
        for column, bits in any_bits:
            keep &= (self.masks[column] & np.int64(bits)) != 0
        if on_site is not None:
            keep &= self.on_site == on_site
        return self.user_ids[keep]


def current() -> Index:
    """The index as the database stands for this session: the process's own when it is up to date."""
    version = db.session.scalar(sa.select(RosterSearchVersion.version))  # flushes pending changes first
    if db.session.info.get(_CHANGED) or version is None:
        return _load(None)
    holder: _Holder = current_app.extensions[_EXTENSION]
    index = holder.index
    if index is None or index.version != version:
        with holder.lock:  # one rebuild at a time; a thread that waited finds it done
            index = holder.index
            if index is None or index.version != version:
                index = holder.index = _load(version)
    return index


def changed() -> None:
    """Record that this transaction changed what search reads without the ORM (plain SQL)."""
    db.session.info[_CHANGED] = True


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = _Holder()


class _Holder:
    def __init__(self) -> None:
        self.index: Index | None = None
        self.lock = threading.Lock()


def _load(version: int | None) -> Index:
    profiles = RosterProfile.__table__.c
    result = db.session.connection().execute(
        sa.select(profiles.user_id, sa.func.coalesce(_seconds_since_epoch(profiles.certified_until), -math.inf),
                  profiles.on_site, *(profiles[column] for column in _MASK_COLUMNS))
        .where(profiles.consented_at.is_not(None))
        .order_by(*(profiles[column.key] for column in ORDER))
    )
    # The driver's plain tuples straight into typed columns: building a Row, then a Python value, per profile was
    # most of the time a rebuild took.
    table = np.array(result.cursor.fetchall(), dtype=_ROW)
    result.close()
    inactive = np.array(db.session.scalars(sa.select(User.id).where(deactivated())).all(), dtype=np.int64)
    return Index(
        version=version,
        user_ids=table["user_id"],
        until=table["until"],
        active=~np.isin(table["user_id"], inactive),
        on_site=table["on_site"],
        masks={column: table[column] for column in _MASK_COLUMNS},
    )


def _seconds_since_epoch(column: sa.ColumnElement[Any]) -> sa.ColumnElement[float]:
    """A UTC timestamp as seconds since the epoch, computed by the database (a datetime object per row, then its
    conversion, took longer than the query). SQLite stores it as naive UTC text."""
    if db.engine.dialect.name == "sqlite":
        return (sa.func.julianday(column) - 2440587.5) * 86400.0
    return sa.cast(sa.extract("epoch", column), sa.Float)


@sa.event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    """Flag the transaction when a flush wrote a profile, or a user's ``active`` flag or removed a user."""
    if session.info.get(_CHANGED):
        return
    if (any(isinstance(obj, RosterProfile) for obj in (*session.new, *session.dirty))
            or any(isinstance(obj, (RosterProfile, User)) for obj in session.deleted)
            or any(isinstance(obj, User) and sa.inspect(obj).attrs.active.history.has_changes()
                   for obj in session.dirty)):
        session.info[_CHANGED] = True


@sa.event.listens_for(Session, "before_commit")
def _publish_change(session: Session) -> None:
    """Replace the version in the committing transaction, last, so its row is locked only while committing."""
    session.flush()  # the commit's own flush comes after this event; its changes must count too
    if session.info.pop(_CHANGED, False):
        session.execute(sa.update(RosterSearchVersion).values(version=secrets.randbits(63)))


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, previous_transaction: Any) -> None:
    if not previous_transaction.nested:
        session.info.pop(_CHANGED, None)
