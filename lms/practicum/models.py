"""The on-site coaching practicum: its published material, reports and their versions, attachments, reviews."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime, db, enum_type, utcnow


class Practicum(db.Model):
    """The practicum of one certification track, synced from assessments/tracks/<id>/practicum/."""

    __tablename__ = "practicum_practicums"

    track_id: Mapped[str] = mapped_column(sa.ForeignKey("certification_tracks.id"), primary_key=True)
    title_en: Mapped[str] = mapped_column(sa.String(200))
    title_ja: Mapped[str] = mapped_column(sa.String(200))
    #: brief.md and brief.ja.md rendered and sanitised at sync time.
    brief_html_en: Mapped[str] = mapped_column(sa.Text)
    brief_html_ja: Mapped[str] = mapped_column(sa.Text)
    #: report.yml: a list of {id, title: {en, ja}, guidance: {en, ja}, required}.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    #: rubric.yml: {levels: [{score, name}], pass: {min_total, min_each, borderline_margin},
    #: criteria: [{id, title, descriptors: {score: {en, ja}}}]} (descriptor keys stored as strings).
    rubric: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: SHA-256 over the four files; unchanged material is not processed again.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: Goes up by one whenever the material changes; versions and reviews record the one they met.
    content_version: Mapped[int] = mapped_column(default=1)
    retired: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def title(self) -> dict[str, str]:
        return {"en": self.title_en, "ja": self.title_ja}

    @property
    def brief_html(self) -> dict[str, str]:
        return {"en": self.brief_html_en, "ja": self.brief_html_ja}


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for a first grader
    SECOND_REVIEW = "second_review"  # a borderline pass sent to a second grader
    RESUBMIT = "resubmit"  # the trainee is asked to revise and submit again
    PASSED = "passed"
    FAILED = "failed"


UNDER_REVIEW = frozenset({ReportStatus.SUBMITTED, ReportStatus.SECOND_REVIEW})
FINAL = frozenset({ReportStatus.PASSED, ReportStatus.FAILED})


class Report(db.Model):
    """A trainee's practicum report for one track: one per trainee and track, with every submitted version."""

    __tablename__ = "practicum_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[str] = mapped_column(sa.ForeignKey("practicum_practicums.track_id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[ReportStatus] = mapped_column(
        enum_type(ReportStatus, "practicum_report_status"), default=ReportStatus.DRAFT, index=True
    )
    #: The working copy the trainee edits (Markdown by section id); submitting copies it into a version.
    draft: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the version now waiting in the queue was submitted (the queue's waiting time).
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SQLAlchemy's version counter: every UPDATE checks and bumps it, so of two concurrent writes (a double
    #: click on Submit, two graders at once, an autosave from a stale tab) the second fails instead of winning.
    revision: Mapped[int] = mapped_column(default=0)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    practicum: Mapped[Practicum] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.number", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("author_id", "track_id", name="author_track"),)
    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 - SQLAlchemy's declarative API


class ReportVersion(db.Model):
    """A submitted version: the text as submitted (Markdown and its HTML, rendered once), never changed."""

    __tablename__ = "practicum_report_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("practicum_reports.id", ondelete="CASCADE"))
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: [{id, title: {en, ja}, markdown, html}] in the template's order at submission time.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    #: Ids of the attachments that were part of this version.
    attachment_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    content_version: Mapped[int]

    report: Mapped[Report] = relationship(back_populates="versions")
    reviews: Mapped[list[Review]] = relationship(back_populates="version", order_by="Review.id")

    __table_args__ = (sa.UniqueConstraint("report_id", "number", name="report_number"),)


class Attachment(db.Model):
    """A file attached to a report. The bytes live in LMS_STORAGE_DIR, named by their SHA-256."""

    __tablename__ = "practicum_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("practicum_reports.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: The media type found from the file's content (not the name or what the browser claimed).
    content_type: Mapped[str] = mapped_column(sa.String(127))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: True once a submitted version included it: it is then kept for ever.
    submitted: Mapped[bool] = mapped_column(default=False)
    #: Taken out of the working copy after it had been submitted (still shown with older versions).
    withdrawn: Mapped[bool] = mapped_column(default=False)

    report: Mapped[Report] = relationship(back_populates="attachments")


class ReviewStage(enum.StrEnum):
    FIRST = "first"
    SECOND = "second"


class Outcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - not a password
    RESUBMIT = "resubmit"
    FAIL = "fail"


class Review(db.Model):
    """One grader's grading of one version against the rubric."""

    __tablename__ = "practicum_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("practicum_report_versions.id", ondelete="CASCADE"), index=True
    )
    grader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    stage: Mapped[ReviewStage] = mapped_column(enum_type(ReviewStage, "practicum_review_stage"))
    #: {criterion id: level score}
    scores: Mapped[dict[str, int]] = mapped_column(sa.JSON)
    #: {criterion id: comment}
    comments: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    total: Mapped[int]
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, "practicum_outcome"))
    #: True when this review decided the report; a borderline pass sent on to a second grader is not final.
    final: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_version: Mapped[int]

    version: Mapped[ReportVersion] = relationship(back_populates="reviews")
    grader: Mapped[User] = relationship()


class TrackGrader(db.Model):
    """An instructor assigned by an administrator to grade the practicum reports of one track."""

    __tablename__ = "practicum_track_graders"

    track_id: Mapped[str] = mapped_column(
        sa.ForeignKey("certification_tracks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
