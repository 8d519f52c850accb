"""Certification tracks: the published criteria, synced from ``assessments/tracks/<id>/track.yml``.

Issuance and certificates live in modules of their own; this module holds only what a track's file says.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.certification.eligibility import Criteria, RequiredCourse
from lms.core.db import UTCDateTime, db, utcnow


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
