"""Certification writes: requests, issuance, rejection, revocation, renewal, continuing education, reminders.

Every function validates, writes to ``db.session`` and adds an audit entry; none commits (the caller does).
Refusals raise :class:`CertificationError` with a translated message and an HTTP status.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.certification import credential, eligibility, lifecycle, pdf, status_list
from lms.certification.keys import KeyRing, KeyRingLoader
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, ContinuingEducation, ReminderSent, SerialCounter, Track
from lms.certification.signals import certificate_changed
from lms.core import audit
from lms.core.db import db, utcnow

#: The one status list the app publishes (``/credentials/status/revocation``).
STATUS_LIST_ID = "revocation"


class CertificationError(Exception):
    """A refused certification action: a translated message and an HTTP status."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- Keys and links ----------------------------------------------------------------------------------------------


def keyring() -> KeyRing:
    loader = current_app.extensions.get("lms_keyring")
    if loader is None:
        import os

        settings = {**os.environ, **{k: v for k, v in current_app.config.items() if k.startswith("LMS_SIGNING")}}
        loader = KeyRingLoader(settings, current_app.instance_path,
                               production=current_app.config.get("LMS_ENV") == "production")
        current_app.extensions["lms_keyring"] = loader
    return loader.get()


def issuer() -> credential.Issuer:
    return credential.Issuer(
        id=url_for("credentials.issuer", _external=True),
        name="IP Management Support Network / 知財経営支援ネットワーク",
        url=url_for("core.index", _external=True),
    )


def status_list_url() -> str:
    return url_for("credentials.status_list", list_id=STATUS_LIST_ID, _external=True)


def links(certificate: Certificate) -> credential.Links:
    return credential.Links(
        credential=url_for("credentials.credential", public_id=certificate.public_id, _external=True),
        verification=verification_url(certificate),
        achievement=url_for("certification.track", track_id=certificate.track_id, _external=True),
        status_list=status_list_url(),
    )


def verification_url(certificate: Certificate) -> str:
    return url_for("credentials.verify", public_id=certificate.public_id, _external=True)


# --- Eligibility -------------------------------------------------------------------------------------------------


def record_for(user_id: int, track: Track) -> eligibility.Record:
    """What the user has done towards ``track``, from the curriculum, quizzes and practicum interfaces."""
    from lms.curriculum.progress import course_completed
    from lms.practicum.operations import practicum_passed
    from lms.quizzes.operations import quiz_grade

    completed = frozenset(c.course_slug for c in track.required_courses if course_completed(user_id, c.course_slug))
    grades = {}
    for c in track.required_courses:
        grade = quiz_grade(user_id, c.final_exam)
        if grade is not None:
            grades[c.final_exam] = grade
    passed = practicum_passed(user_id, track.id) if track.practicum_required else False
    return eligibility.Record(completed_courses=completed, grades=grades, practicum_passed=passed)


def checklist_for(user_id: int, track: Track) -> eligibility.Checklist:
    return eligibility.evaluate(track.criteria(), record_for(user_id, track))


def open_request(user_id: int, track_id: str) -> Certificate | None:
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == user_id, Certificate.track_id == track_id, Certificate.state == Stored.REQUESTED
        )
    )


def current_certificate(user_id: int, track_id: str) -> Certificate | None:
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == user_id, Certificate.track_id == track_id, Certificate.state == Stored.ISSUED
        )
    )


# --- Transitions -------------------------------------------------------------------------------------------------


def request_certification(user: User, track: Track, note: str | None = None) -> Certificate:
    if track.retired:
        raise CertificationError(_("This track is no longer offered."), 404)
    # Lock the user's row: two requests at once (a double click) are serialised, and the second sees the first.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    if open_request(user.id, track.id) is not None:
        raise CertificationError(_("You already have an open request for this track."))
    current = current_certificate(user.id, track.id)
    if current is not None and lifecycle.status(current.state, current.valid_until, utcnow()) is lifecycle.Status.VALID:
        raise CertificationError(_("You already hold a valid certificate for this track."))
    if not checklist_for(user.id, track).complete:
        raise CertificationError(_("The eligibility checklist is not complete yet."), 422)
    certificate = Certificate(
        user_id=user.id, track_id=track.id, holder_name_ja=user.name_ja, holder_name_latin=user.name_latin,
        state=Stored.REQUESTED, request_note=(note or "").strip() or None, requested_at=utcnow(),
    )
    db.session.add(certificate)
    db.session.flush()
    audit.record("certificate.request", "certificate", certificate.public_id, actor_id=user.id, track=track.id)
    return certificate


def _transition(certificate: Certificate, action: str, reason: str | None = None) -> None:
    try:
        lifecycle.check(action, certificate.state, reason=reason)
    except lifecycle.TransitionError as exc:
        if "reason" in str(exc):
            raise CertificationError(_("A reason is required."), 422) from exc
        raise CertificationError(
            _("This certificate is %(state)s; it cannot be changed that way.", state=state_label(certificate.state))
        ) from exc


def state_label(state: Stored) -> str:
    return {
        Stored.REQUESTED: _("requested"),
        Stored.ISSUED: _("issued"),
        Stored.REJECTED: _("rejected"),
        Stored.REVOKED: _("revoked"),
        Stored.RENEWED: _("renewed"),
    }[state]


def _allocate_serial(track: Track, year: int) -> str:
    """The next serial of the track and year: the counter row is created once, then incremented in one UPDATE
    (a row lock on PostgreSQL), so two issuances never get the same number; the serial is unique as well."""
    exists = db.session.scalar(
        sa.select(SerialCounter.last_number).where(SerialCounter.track_id == track.id, SerialCounter.year == year)
    )
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(SerialCounter(track_id=track.id, year=year, last_number=0))
        except IntegrityError:
            pass  # a concurrent issuance created it first
    number = db.session.execute(
        sa.update(SerialCounter)
        .where(SerialCounter.track_id == track.id, SerialCounter.year == year)
        .values(last_number=SerialCounter.last_number + 1)
        .returning(SerialCounter.last_number)
    ).scalar_one()
    return lifecycle.serial(track.serial_prefix, year, number)


def _allocate_index() -> int:
    used = set(db.session.scalars(sa.select(Certificate.status_index).where(Certificate.status_index.is_not(None))))
    return status_list.random_free_index(used)


def _seal(certificate: Certificate, now: datetime, valid_from: datetime) -> None:
    """Serial, status index, dates and the signed credential: everything issuance fixes (the PDF is drawn from them)."""
    track = certificate.track
    certificate.serial = _allocate_serial(track, now.year)
    certificate.status_index = _allocate_index()
    certificate.issued_at = now
    certificate.valid_from = valid_from
    certificate.valid_until = lifecycle.valid_until(valid_from, track.validity_years)
    db.session.flush()
    document = credential.build_credential(
        credential.Certificate(
            public_id=certificate.public_id,
            serial=certificate.serial,
            holder=credential.Holder(name_latin=certificate.holder_name_latin or "",
                                     name_ja=certificate.holder_name_ja or ""),
            track=credential.Track(
                slug=track.id, name_en=track.name_en, name_ja=track.name_ja,
                description_en=track.name_en, description_ja=track.name_ja,
                criteria_narrative=criteria_narrative(track),
            ),
            valid_from=valid_from,
            valid_until=certificate.valid_until,
            status_index=certificate.status_index,
        ),
        issuer(),
        links(certificate),
    )
    certificate.credential_jwt = credential.sign(document, keyring(), issued_at=now)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF, rendered from its issuance snapshot on first request and stored from then on.

    Rendering takes about a tenth of a second, so it is not done at issuance: a bulk issue of 200 would hold one
    request for tens of seconds. The document depends only on fields fixed at issuance, so it is the same
    whenever it is rendered.
    """
    if certificate.pdf is None:
        track = certificate.track
        certificate.pdf = pdf.render(
            pdf.CertificateDocument(
                serial=certificate.serial or "",
                holder_name_ja=certificate.holder_name_ja or "",
                holder_name_latin=certificate.holder_name_latin or "",
                track_name_ja=track.name_ja,
                track_name_en=track.name_en,
                issued_on=certificate.valid_from.date(),
                expires_on=certificate.valid_until.date() if certificate.valid_until else None,
                verification_url=verification_url(certificate),
            )
        )
    return certificate.pdf


def criteria_narrative(track: Track) -> str:
    """The track's published criteria as Markdown, in English and Japanese."""
    lines = ["Required courses (completed, final exam passed with the minimum score) / 必修コース:"]
    for c in track.required_courses:
        lines.append(f"- {c.course_slug}: final exam {c.final_exam} >= {c.min_score}%")
    lines.append("")
    lines.append("Practicum required / 実地研修: " + ("yes / 必須" if track.practicum_required else "no / 不要"))
    lines.append(f"Validity / 有効期間: {track.validity_years} years / 年")
    return "\n".join(lines)


def issue(certificate: Certificate, *, actor_id: int, ineligible_reason: str | None = None) -> Certificate:
    """Issue a requested certificate. An incomplete checklist needs the administrator's written reason."""
    _transition(certificate, "issue")
    reason = (ineligible_reason or "").strip() or None
    complete = checklist_for(certificate.user_id, certificate.track).complete
    if not complete and reason is None:
        raise CertificationError(
            _("The trainee's eligibility checklist is incomplete: issuing anyway needs a written reason."), 422
        )
    now = utcnow()
    certificate.state = Stored.ISSUED
    certificate.decided_at = now
    certificate.decided_by_id = actor_id
    certificate.ineligible_reason = None if complete else reason
    _seal(certificate, now, now)
    audit.record("certificate.issue", "certificate", certificate.public_id, actor_id=actor_id,
                 reason=certificate.ineligible_reason, serial=certificate.serial, eligible=complete)
    certificate_changed.send(None, user_id=certificate.user_id)
    return certificate


def reject(certificate: Certificate, *, actor_id: int, reason: str | None) -> Certificate:
    _transition(certificate, "reject", reason)
    certificate.state = Stored.REJECTED
    certificate.rejection_reason = (reason or "").strip()
    certificate.decided_at = utcnow()
    certificate.decided_by_id = actor_id
    audit.record("certificate.reject", "certificate", certificate.public_id, actor_id=actor_id,
                 reason=certificate.rejection_reason)
    return certificate


def revoke(certificate: Certificate, *, actor_id: int, reason: str | None) -> Certificate:
    """Revoke: the status list is rebuilt from the revoked rows, so the bit is set as this transaction commits."""
    _transition(certificate, "revoke", reason)
    certificate.state = Stored.REVOKED
    certificate.revocation_reason = (reason or "").strip()
    certificate.revoked_at = utcnow()
    audit.record("certificate.revoke", "certificate", certificate.public_id, actor_id=actor_id,
                 reason=certificate.revocation_reason, status_index=certificate.status_index)
    certificate_changed.send(None, user_id=certificate.user_id)
    return certificate


def ce_hours(user_id: int, track_id: str, since: date) -> int:
    return int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ContinuingEducation.hours), 0)).where(
            ContinuingEducation.user_id == user_id, ContinuingEducation.track_id == track_id,
            ContinuingEducation.completed_on >= since,
        )
    ) or 0)


def renewal_met(certificate: Certificate) -> bool:
    """The track's renewal requirement: CE hours within the validity period, or the refresher course completed."""
    from lms.curriculum.progress import course_completed

    track = certificate.track
    if not track.renewal_ce_hours and not track.renewal_refresher_course:
        return True
    since = certificate.valid_from.date() if certificate.valid_from else date.min
    if track.renewal_ce_hours and ce_hours(certificate.user_id, track.id, since) >= track.renewal_ce_hours:
        return True
    refresher = track.renewal_refresher_course
    return bool(refresher and course_completed(certificate.user_id, refresher))


def renew(certificate: Certificate, *, actor_id: int) -> Certificate:
    """A new certificate linked to ``certificate``, valid from the old expiry (or now, if later)."""
    _transition(certificate, "renew")
    if not renewal_met(certificate):
        raise CertificationError(_("The renewal requirement of this track is not met yet."), 422)
    now = utcnow()
    certificate.state = Stored.RENEWED
    new = Certificate(
        user_id=certificate.user_id, track_id=certificate.track_id, holder_name_ja=certificate.holder_name_ja,
        holder_name_latin=certificate.holder_name_latin, state=Stored.ISSUED, requested_at=now, decided_at=now,
        decided_by_id=actor_id, renewed_from_id=certificate.id,
    )
    new.track = certificate.track
    db.session.add(new)
    db.session.flush()
    start = max(now, certificate.valid_until) if certificate.valid_until else now
    _seal(new, now, start)
    audit.record("certificate.renew", "certificate", certificate.public_id, actor_id=actor_id,
                 renewed_by=new.public_id, serial=new.serial)
    certificate_changed.send(None, user_id=certificate.user_id)
    return new


def record_ce(user: User, track: Track, *, hours: int, completed_on: date, description: str,
              actor_id: int) -> ContinuingEducation:
    if hours <= 0 or hours > 1000:
        raise CertificationError(_("Hours must be a whole number between 1 and 1000."), 422)
    if not description.strip():
        raise CertificationError(_("Describe the continuing education."), 422)
    row = ContinuingEducation(user_id=user.id, track_id=track.id, hours=hours, completed_on=completed_on,
                              description=description.strip()[:300], recorded_by_id=actor_id)
    db.session.add(row)
    db.session.flush()
    audit.record("certificate.ce_record", "user", user.id, actor_id=actor_id, track=track.id, hours=hours)
    return row


# --- Status list and reminders -----------------------------------------------------------------------------------


def revoked_indices() -> list[int]:
    return list(db.session.scalars(
        sa.select(Certificate.status_index).where(Certificate.state == Stored.REVOKED,
                                                  Certificate.status_index.is_not(None))
    ))


def status_list_token(now: datetime | None = None) -> str:
    now = now or utcnow()
    document = status_list.build_status_list_credential(
        status_list_url(), issuer().id, status_list.StatusList.from_indices(revoked_indices()), valid_from=now
    )
    return credential.sign(document, keyring(), issued_at=now)


def due_reminders(today: date) -> list[tuple[Certificate, lifecycle.Reminder]]:
    horizon = datetime.combine(today, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
    rows = db.session.scalars(
        sa.select(Certificate).where(
            Certificate.state == Stored.ISSUED, Certificate.valid_until.is_not(None),
            Certificate.valid_until >= horizon,
            Certificate.valid_until < horizon + _days(max(lifecycle.REMINDER_DAYS) + 1),
        )
    ).all()
    sent: dict[int, set[int]] = {}
    if rows:
        for cid, days in db.session.execute(
            sa.select(ReminderSent.certificate_id, ReminderSent.days_before)
            .where(ReminderSent.certificate_id.in_([r.id for r in rows]))
        ):
            sent.setdefault(cid, set()).add(days)
    due = []
    for row in rows:
        reminder = lifecycle.due_reminder(row.valid_until.date(), today, frozenset(sent.get(row.id, ())))
        if reminder is not None:
            due.append((row, reminder))
    return due


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def mark_reminded(certificate: Certificate, reminder: lifecycle.Reminder) -> None:
    """Record the reminder (and every larger threshold already passed, so a late run never sends two at once)."""
    for days in lifecycle.REMINDER_DAYS:
        if days >= reminder.days_before:
            exists = db.session.get(ReminderSent, (certificate.id, days))
            if exists is None:
                db.session.add(ReminderSent(certificate_id=certificate.id, days_before=days))
    audit.record("certificate.remind", "certificate", certificate.public_id, actor_id=None,
                 days_before=reminder.days_before)
