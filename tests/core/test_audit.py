import pytest
import sqlalchemy as sa

from lms.core import audit
from lms.core.audit import AuditEntry
from lms.core.db import db


def _entry():
    entry = audit.record("test.thing", "thing", 1, actor_id=None, reason="because", size=3)
    db.session.commit()
    return entry


def test_entries_record_who_what_when_why(make_user):
    user = make_user()
    entry = audit.record("test.thing", "thing", 42, actor_id=user.id, reason="because", size=3)
    db.session.commit()
    assert entry.at.tzinfo is not None
    assert (entry.action, entry.subject_type, entry.subject_id) == ("test.thing", "thing", "42")
    assert entry.reason == "because"
    assert entry.details == {"size": 3}


def test_the_orm_refuses_to_change_or_delete_entries():
    entry = _entry()
    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_to_change_or_delete_entries():
    entry = _entry()
    for statement in (
        sa.update(AuditEntry).where(AuditEntry.id == entry.id).values(reason="rewritten"),
        sa.delete(AuditEntry).where(AuditEntry.id == entry.id),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
            db.session.execute(statement)
    assert db.session.get(AuditEntry, entry.id).reason == "because"
