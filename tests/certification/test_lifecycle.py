from datetime import UTC, date, datetime, timedelta

import pytest

from lms.certification.lifecycle import (
    REMINDER_DAYS,
    Status,
    Stored,
    TransitionError,
    check,
    due_reminder,
    serial,
    status,
    valid_until,
)

NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)


def test_status_of_each_stored_state():
    later = NOW + timedelta(days=1)
    assert status(Stored.REQUESTED, None, NOW) is Status.PENDING
    assert status(Stored.REJECTED, None, NOW) is Status.REJECTED
    assert status(Stored.ISSUED, later, NOW) is Status.VALID
    assert status(Stored.REVOKED, later, NOW) is Status.REVOKED
    assert status(Stored.RENEWED, later, NOW) is Status.SUPERSEDED


def test_expiry_happens_exactly_at_valid_until():
    end = NOW + timedelta(days=10)
    assert status(Stored.ISSUED, end, end - timedelta(microseconds=1)) is Status.VALID
    assert status(Stored.ISSUED, end, end) is Status.EXPIRED


ACTIONS = ("issue", "reject", "revoke", "renew")
ALLOWED = {
    ("issue", Stored.REQUESTED),
    ("reject", Stored.REQUESTED),
    ("revoke", Stored.ISSUED),
    ("renew", Stored.ISSUED),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("stored", list(Stored))
def test_transitions(action, stored):
    if (action, stored) in ALLOWED:
        check(action, stored, reason="a reason")
    else:
        with pytest.raises(TransitionError, match=f"cannot {action}"):
            check(action, stored, reason="a reason")


@pytest.mark.parametrize("action", ["reject", "revoke"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_and_revoke_need_a_reason(action, reason):
    stored = Stored.REQUESTED if action == "reject" else Stored.ISSUED
    with pytest.raises(TransitionError, match="reason is required"):
        check(action, stored, reason=reason)


def test_renewing_a_revoked_certificate_is_refused():
    with pytest.raises(TransitionError, match="cannot renew a certificate that is revoked"):
        check("renew", Stored.REVOKED)


def test_unknown_action():
    with pytest.raises(TransitionError, match="unknown action"):
        check("forge", Stored.ISSUED)


def test_validity_keeps_the_calendar_day_and_handles_29_february():
    assert valid_until(NOW, 3) == datetime(2030, 4, 1, 9, 0, tzinfo=UTC)
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert valid_until(leap, 3) == datetime(2031, 2, 28, tzinfo=UTC)
    assert valid_until(leap, 4) == datetime(2032, 2, 29, tzinfo=UTC)


def test_reminders_at_60_and_30_days_each_sent_once():
    expires = date(2030, 4, 1)
    assert REMINDER_DAYS == (60, 30)
    assert due_reminder(expires, expires - timedelta(days=61), frozenset()) is None
    assert due_reminder(expires, expires - timedelta(days=60), frozenset()).days_before == 60
    assert due_reminder(expires, expires - timedelta(days=45), frozenset({60})) is None
    assert due_reminder(expires, expires - timedelta(days=30), frozenset({60})).days_before == 30
    assert due_reminder(expires, expires - timedelta(days=29), frozenset({60, 30})) is None
    # A command that did not run for a while sends only the nearest reminder, once.
    assert due_reminder(expires, expires - timedelta(days=10), frozenset()).days_before == 30
    assert due_reminder(expires, expires + timedelta(days=1), frozenset()) is None


def test_serials():
    assert serial("IPMS", 2027, 123) == "IPMS-2027-000123"
    with pytest.raises(ValueError, match="start at 1"):
        serial("IPMS", 2027, 0)
