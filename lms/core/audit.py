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
    entry = AuditEntry(
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        actor_id=actor_id,
        reason=reason,
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
