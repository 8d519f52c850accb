"""Certification tracks: the published criteria, synced from ``assessments/tracks/<id>/track.yml``.

Issuance and certificates live in modules of their own; this module holds only what a track's file says.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.certification.eligibility import Criteria, RequiredCourse
from lms.certification.lifecycle import Stored
from lms.core.db import UTCDateTime, db, enum_type, utcnow


class Track(db.Model):
    __tablename__ = "certification_tracks"

    #: The folder name under assessments/tracks/, e.g. ``ipms-foundation``.
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(sa.String(200))
    name_ja: Mapped[str] = mapped_column(sa.String(200))
    #: The summary rendered from Markdown and sanitised at sync time.
    summary_html_en: Mapped[str] = mapped_column(sa.Text)
    summary_html_ja: Mapped[str] = mapped_column(sa.Text)
    #: Certificate serials read ``<prefix>-<year>-<number>``.
    serial_prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    validity_years: Mapped[int]
    #: Hours of continuing education within the validity period that renew the certificate (null: none asked).
    renewal_ce_hours: Mapped[int | None]
    #: A course slug whose completion renews instead (null: none).
    renewal_refresher_course: Mapped[str | None] = mapped_column(sa.String(100))
    practicum_required: Mapped[bool]
    #: SHA-256 of track.yml: an unchanged file is not processed again.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: A track whose folder was removed is kept (certificates name it) but no longer listed.
    retired: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    required_courses: Mapped[list[TrackCourse]] = relationship(
        back_populates="track", cascade="all, delete-orphan", lazy="selectin", order_by="TrackCourse.position"
    )

    @property
    def name(self) -> dict[str, str]:
        return {"en": self.name_en, "ja": self.name_ja}

    @property
    def summary_html(self) -> dict[str, str]:
        return {"en": self.summary_html_en, "ja": self.summary_html_ja}

    def criteria(self) -> Criteria:
        """The published criteria as ``eligibility.evaluate`` takes them: the page and the check share one source."""
        return Criteria(
            required_courses=tuple(
                RequiredCourse(c.course_slug, c.final_exam, c.min_score) for c in self.required_courses
            ),
            practicum_required=self.practicum_required,
        )


class TrackCourse(db.Model):
    """One required course of a track: it must be completed and its final exam passed with ``min_score``."""

    __tablename__ = "certification_track_courses"

    track_id: Mapped[str] = mapped_column(
        sa.ForeignKey("certification_tracks.id", ondelete="CASCADE"), primary_key=True
    )
    #: A course slug (courses/<slug>/); not a foreign key, the curriculum tables are another feature's.
    course_slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    position: Mapped[int]
    #: The id of the course's final-exam quiz (assessments/quizzes/<course>.yml).
    final_exam: Mapped[str] = mapped_column(sa.String(100))
    #: Percent, on the final exam's grade.
    min_score: Mapped[int]

    track: Mapped[Track] = relationship(back_populates="required_courses")

    __table_args__ = (sa.CheckConstraint("min_score BETWEEN 0 AND 100", name="min_score"),)


def new_public_id() -> str:
    """An unguessable, URL-safe public identifier (128 random bits)."""
    return secrets.token_urlsafe(16)


class Certificate(db.Model):
    """A request for certification and, once issued, the certificate itself (one row through its lifecycle)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unguessable id in /verify/<id> and /credentials/<id>.
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    #: ``<prefix>-<year>-<number>``, allocated at issuance (null while requested or after rejection).
    serial: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    track_id: Mapped[str] = mapped_column(sa.ForeignKey("certification_tracks.id", ondelete="RESTRICT"), index=True)
    #: The holder's names as given at request time (a snapshot: later profile edits do not change a certificate).
    holder_name_ja: Mapped[str | None] = mapped_column(sa.String(100))
    holder_name_latin: Mapped[str | None] = mapped_column(sa.String(100))
    state: Mapped[Stored] = mapped_column(enum_type(Stored, "certificate_state"), default=Stored.REQUESTED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_note: Mapped[str | None] = mapped_column(sa.Text)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The administrator's written reason for issuing although the eligibility checklist was incomplete.
    ineligible_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: This certificate's bit in the revocation status list (random, unique).
    status_index: Mapped[int | None] = mapped_column(unique=True)
    #: The certificate this one renewed.
    renewed_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"), unique=True)
    #: The Open Badges 3.0 credential as a signed VC-JWT (compact JWS), signed once at issuance.
    credential_jwt: Mapped[str | None] = mapped_column(sa.Text)
    #: The A4 PDF rendered at issuance.
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    track: Mapped[Track] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    renewed_from: Mapped[Certificate | None] = relationship(remote_side=[id])

    __table_args__ = (sa.Index("ix_certificates_state_track", "state", "track_id"),)

    @property
    def holder_name(self) -> str:
        return " / ".join(n for n in (self.holder_name_ja, self.holder_name_latin) if n)


class SerialCounter(db.Model):
    """The last serial number allocated per track and year; updated atomically at issuance."""

    __tablename__ = "certificate_serial_counters"

    track_id: Mapped[str] = mapped_column(
        sa.ForeignKey("certification_tracks.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class ReminderSent(db.Model):
    """An expiry reminder already mailed: ``lms certificates remind`` never sends one twice."""

    __tablename__ = "certificate_reminders_sent"

    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True)
    days_before: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContinuingEducation(db.Model):
    """Hours of continuing education an administrator recorded for a holder (counts towards renewal)."""

    __tablename__ = "certificate_continuing_education"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[str] = mapped_column(sa.ForeignKey("certification_tracks.id", ondelete="CASCADE"))
    hours: Mapped[int]
    completed_on: Mapped[date]
    description: Mapped[str] = mapped_column(sa.String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint("hours > 0", name="hours_positive"),)
