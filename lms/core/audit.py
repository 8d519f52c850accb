"""The append-only audit log: who did what to which record, when, and why.

Rows are never updated or deleted: the ORM refuses, and the migration adds database triggers that refuse too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import UTCDateTime, db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The user who acted; null for the system or a command-line operator. Users with history are
    #: deactivated, never deleted, so this reference stays valid.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: A dotted verb such as ``role.grant`` or ``certificate.revoke``.
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: What was acted on: a table-like kind and the record's id as text.
    subject_type: Mapped[str] = mapped_column(sa.String(64))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    __table_args__ = (sa.Index("ix_audit_entries_subject", "subject_type", "subject_id"),)


@sa.event.listens_for(AuditEntry, "before_update")
@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_change(*_args: Any) -> None:
    raise PermissionError("audit entries are append-only")


def _values(action: str, subject_type: str, subject_id: object, *, actor_id: int | None, reason: str | None,
            details: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "actor_id": actor_id,
        "reason": reason,
        "details": details,
        "ip_address": request.remote_addr if has_request_context() else None,
    }


def record(
    action: str,
    subject_type: str,
    subject_id: object,
    *,
    actor_id: int | None,
    reason: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the current transaction; it commits with the change it describes."""
    entry = AuditEntry(**_values(action, subject_type, subject_id, actor_id=actor_id, reason=reason, details=details))
    db.session.add(entry)
    return entry


_INSERT = sa.insert(AuditEntry.__table__)


def record_now(
    action: str,
    subject_type: str,
    subject_id: object,
    *,
    actor_id: int | None,
    reason: str | None = None,
    **details: Any,
) -> None:
    """As ``record``, but written at once by one INSERT, with no ORM object to track and flush: for hot paths
    (a cohort submitting an exam) whose actor and subject are already in the database."""
    values = _values(action, subject_type, subject_id, actor_id=actor_id, reason=reason, details=details)
    db.session.execute(_INSERT, {**values, "at": utcnow()})


_COLUMNS = ("at", "actor_id", "action", "subject_type", "subject_id", "reason", "details", "ip_address")


def insert_for_each(rows: sa.FromClause) -> sa.Insert:
    """An INSERT of one entry per row of ``rows`` (say, the RETURNING of a guarded UPDATE in a CTE), so that the
    entry is written exactly when the change it describes is, by the same statement. Bind ``bound_values(...)``."""
    table = AuditEntry.__table__
    entry = sa.select(*(sa.bindparam(f"audit_{name}", type_=table.c[name].type) for name in _COLUMNS))
    return sa.insert(table).from_select(list(_COLUMNS), entry.select_from(rows))


def bound_values(
    action: str,
    subject_type: str,
    subject_id: object,
    *,
    actor_id: int | None,
    reason: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The parameters of an ``insert_for_each`` statement."""
    values = _values(action, subject_type, subject_id, actor_id=actor_id, reason=reason, details=details)
    return {f"audit_{name}": value for name, value in {**values, "at": utcnow()}.items()}
