"""Certificate states and the transitions between them. Pure: the operations call these before writing.

    requested --issue--> issued --revoke--> revoked
        |                  |  \\--(validUntil passes)--> expired
        \\--reject--> rejected  \\--renew--> renewed (a new certificate, linked to this one, is issued)

``expired`` is not stored: it is the state of an issued certificate whose validity has ended, so it changes at
``validUntil`` without any job having to run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class Stored(enum.StrEnum):
    """What is stored on the certificate row."""

    REQUESTED = "requested"
    ISSUED = "issued"
    REJECTED = "rejected"
    REVOKED = "revoked"
    RENEWED = "renewed"


class Status(enum.StrEnum):
    """What a verifier is told."""

    PENDING = "pending"
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class TransitionError(ValueError):
    """The requested change is not allowed from the certificate's current state."""


def status(stored: Stored, valid_until: datetime | None, now: datetime) -> Status:
    if stored is Stored.REQUESTED:
        return Status.PENDING
    if stored is Stored.REJECTED:
        return Status.REJECTED
    if stored is Stored.REVOKED:
        return Status.REVOKED
    if stored is Stored.RENEWED:
        return Status.SUPERSEDED
    if valid_until is not None and now >= valid_until:
        return Status.EXPIRED
    return Status.VALID


_ALLOWED = {
    "issue": {Stored.REQUESTED},
    "reject": {Stored.REQUESTED},
    "revoke": {Stored.ISSUED},
    "renew": {Stored.ISSUED},
}


def check(action: str, stored: Stored, *, reason: str | None = None) -> None:
    """Raise ``TransitionError`` unless ``action`` may be applied to a certificate in ``stored`` state."""
    if action not in _ALLOWED:
        raise TransitionError(f"unknown action {action!r}")
    if stored not in _ALLOWED[action]:
        raise TransitionError(f"cannot {action} a certificate that is {stored.value}")
    if action in {"reject", "revoke"} and not (reason or "").strip():
        raise TransitionError(f"a reason is required to {action}")


def valid_until(issued: datetime, years: int) -> datetime:
    """The same calendar day ``years`` later (28 February for a 29 February start in a common year)."""
    try:
        return issued.replace(year=issued.year + years)
    except ValueError:
        return issued.replace(year=issued.year + years, day=28)


@dataclass(frozen=True)
class Reminder:
    days_before: int


#: Reminders are sent this many days before expiry.
REMINDER_DAYS = (60, 30)


def due_reminder(expires: date, today: date, already_sent: frozenset[int]) -> Reminder | None:
    """The reminder to send today, if any: the nearest threshold reached and not yet sent (idempotent)."""
    days_left = (expires - today).days
    if days_left < 0:
        return None
    due = [d for d in REMINDER_DAYS if days_left <= d and d not in already_sent]
    return Reminder(min(due)) if due else None


def serial(prefix: str, year: int, number: int) -> str:
    """The readable serial printed on a certificate, e.g. ``IPMS-2027-000123``."""
    if number < 1:
        raise ValueError("serial numbers start at 1")
    return f"{prefix}-{year}-{number:06d}"
