"""Public pages: the certification tracks and exactly the criteria stored for each, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import undefer

from lms.accounts.models import User
from lms.certification import lifecycle, operations
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, Track
from lms.certification.operations import CertificationError
from lms.core.access import Permission, public, requires, signed_in
from lms.core.db import db, utcnow
from lms.core.errors import render_error
from lms.core.i18n import current_language, pick
from lms.core.prefectures import choices as prefecture_choices

bp = Blueprint(
    "certification", __name__, template_folder="templates", static_folder="static",
    static_url_path="/static/certification", url_prefix="/certification",
)


@bp.get("/tracks")
@public
def tracks() -> str:
    rows = db.session.scalars(sa.select(Track).where(Track.retired.is_(False)).order_by(Track.id)).all()
    return render_template("certification/tracks.html", tracks=rows)


@bp.get("/tracks/<track_id>")
@public
def track(track_id: str) -> Any:
    row = db.session.scalar(sa.select(Track).where(Track.id == track_id, Track.retired.is_(False)))
    if row is None:
        abort(404)
    # Each section is a template rendered by a feature (autoescaped), so it is already safe HTML.
    sections = [Markup(html) for s in current_app.extensions.get("lms_track_sections", []) if (html := s(row))]  # noqa: S704
    may_request = current_user.is_authenticated and current_user.can(Permission.CERTIFICATE_REQUEST)
    return render_template("certification/track.html", track=row, sections=sections, may_request=may_request)


# --- Trainees: eligibility, requests, my certificates ------------------------------------------------------------


def _track_or_404(track_id: str) -> Track:
    row = db.session.scalar(sa.select(Track).where(Track.id == track_id, Track.retired.is_(False)))
    if row is None:
        abort(404)
    return row


def _refused(error: CertificationError) -> Any:
    db.session.rollback()
    return render_error(error.status, error.message)


@bp.get("/tracks/<track_id>/eligibility")
@requires(Permission.CERTIFICATE_REQUEST)
def eligibility(track_id: str) -> Any:
    track = _track_or_404(track_id)
    checklist = operations.checklist_for(current_user.id, track)
    return render_template(
        "certification/eligibility.html", track=track, checklist=checklist,
        pending=operations.open_request(current_user.id, track.id),
        current=operations.current_certificate(current_user.id, track.id),
    )


@bp.post("/tracks/<track_id>/request")
@requires(Permission.CERTIFICATE_REQUEST)
def request_certificate(track_id: str) -> Any:
    track = _track_or_404(track_id)
    try:
        operations.request_certification(current_user, track, request.form.get("note"))
    except CertificationError as error:
        return _refused(error)
    db.session.commit()
    flash(_("Your request was sent to the administrators."), "success")
    return redirect(url_for("certification.mine"))


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's "add a licence or certification" form, pre-filled."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": pick(certificate.track.name),
        "organizationName": _("IP Management Support Network"),
        "issueYear": certificate.valid_from.year,
        "issueMonth": certificate.valid_from.month,
        "certUrl": operations.verification_url(certificate),
        "certId": certificate.serial,
    }
    if certificate.valid_until:
        query["expirationYear"] = certificate.valid_until.year
        query["expirationMonth"] = certificate.valid_until.month
    return "https://www.linkedin.com/profile/add?" + urlencode(query)


@bp.get("/mine")
@requires(Permission.CERTIFICATE_REQUEST)
def mine() -> Any:
    rows = db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == current_user.id).order_by(Certificate.requested_at.desc())
    ).all()
    now = utcnow()
    return render_template(
        "certification/mine.html", rows=rows, now=now,
        status=lambda c: lifecycle.status(c.state, c.valid_until, now).value,
        linkedin_url=linkedin_url, verification_url=operations.verification_url,
    )


@bp.get("/certificates/<public_id>/certificate.pdf")
@signed_in
def pdf(public_id: str) -> Any:
    row = db.session.scalar(
        sa.select(Certificate).options(undefer(Certificate.pdf)).where(Certificate.public_id == public_id)
    )
    may_see = row is not None and (row.user_id == current_user.id or current_user.can(Permission.CERTIFICATE_ISSUE))
    if not may_see or row.serial is None:
        abort(404)
    document = operations.certificate_pdf(row)
    db.session.commit()
    return send_file(BytesIO(document), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{row.serial}.pdf")


# --- Administrators ----------------------------------------------------------------------------------------------


#: The longest waiting-time filter the queue accepts (ten years), in days.
MAX_WAITING_DAYS = 3650


@bp.get("/requests")
@requires(Permission.CERTIFICATE_ISSUE)
def queue() -> Any:
    track_id = request.args.get("track") or ""
    prefecture = request.args.get("prefecture") or ""
    raw_days = request.args.get("waiting") or "0"
    if not raw_days.isdigit() or int(raw_days) > MAX_WAITING_DAYS:
        abort(400, _("Waiting time is a whole number of days from 0 to %(n)d.", n=MAX_WAITING_DAYS))
    min_days = int(raw_days)
    query = (
        sa.select(Certificate).join(User, User.id == Certificate.user_id)
        .where(Certificate.state == Stored.REQUESTED).order_by(Certificate.requested_at)
    )
    if track_id:
        query = query.where(Certificate.track_id == track_id)
    if prefecture:
        query = query.where(User.prefecture_code == prefecture)
    if min_days:
        query = query.where(Certificate.requested_at <= utcnow() - timedelta(days=min_days))
    rows = db.session.scalars(query).all()
    tracks = db.session.scalars(sa.select(Track).order_by(Track.id)).all()
    now = utcnow()
    return render_template(
        "certification/queue.html", rows=rows, tracks=tracks, prefectures=prefecture_choices(current_language()),
        filters={"track": track_id, "prefecture": prefecture, "waiting": min_days or ""},
        waiting=lambda c: (now - c.requested_at).days,
    )


def _certificate_or_404(public_id: str, *, lock: bool = False) -> Certificate:
    """The certificate; with ``lock``, its row is locked until the commit, so two decisions on one certificate
    (a double click, two administrators) run one after the other and the second sees the first's result."""
    query = sa.select(Certificate).where(Certificate.public_id == public_id)
    if lock:
        query = query.with_for_update(of=Certificate).execution_options(populate_existing=True)
    row = db.session.scalar(query)
    if row is None:
        abort(404)
    return row


@bp.post("/requests/issue")
@requires(Permission.CERTIFICATE_ISSUE)
def bulk_issue() -> Any:
    ids = request.form.getlist("certificate")
    if not ids:
        return render_error(400, _("Select at least one request."))
    reason = request.form.get("ineligible_reason")
    results = []
    for public_id in ids[:200]:
        row = db.session.scalar(
            sa.select(Certificate).where(Certificate.public_id == public_id)
            .with_for_update(of=Certificate).execution_options(populate_existing=True)
        )
        if row is None:
            results.append((public_id, None, False, _("No such request.")))
            continue
        try:
            with db.session.begin_nested():
                operations.issue(row, actor_id=current_user.id, ineligible_reason=reason)
        except CertificationError as error:
            db.session.refresh(row)
            results.append((public_id, row, False, error.message))
            continue
        results.append((public_id, row, True, row.serial))
    db.session.commit()
    return render_template("certification/bulk_result.html", results=results)


@bp.get("/certificates/<public_id>")
@requires(Permission.CERTIFICATE_ISSUE)
def certificate(public_id: str) -> Any:
    row = _certificate_or_404(public_id)
    checklist = operations.checklist_for(row.user_id, row.track)
    now = utcnow()
    since = row.valid_from.date() if row.valid_from else None
    return render_template(
        "certification/certificate.html", certificate=row, checklist=checklist,
        status=lifecycle.status(row.state, row.valid_until, now).value,
        ce_hours=operations.ce_hours(row.user_id, row.track_id, since) if since else 0,
        renewal_met=row.state == Stored.ISSUED and operations.renewal_met(row),
        state_label=operations.state_label, today=now.date().isoformat(),
    )


def _act(public_id: str, action: Callable[[Certificate], Any], message: str) -> Any:
    row = _certificate_or_404(public_id, lock=True)
    try:
        result = action(row)
    except CertificationError as error:
        return _refused(error)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("certification.certificate", public_id=result.public_id))


@bp.post("/certificates/<public_id>/issue")
@requires(Permission.CERTIFICATE_ISSUE)
def issue(public_id: str) -> Any:
    return _act(public_id, lambda c: operations.issue(
        c, actor_id=current_user.id, ineligible_reason=request.form.get("ineligible_reason")),
        _("The certificate was issued."))


@bp.post("/certificates/<public_id>/reject")
@requires(Permission.CERTIFICATE_ISSUE)
def reject(public_id: str) -> Any:
    return _act(public_id, lambda c: operations.reject(c, actor_id=current_user.id, reason=request.form.get("reason")),
                _("The request was rejected."))


@bp.post("/certificates/<public_id>/revoke")
@requires(Permission.CERTIFICATE_ISSUE)
def revoke(public_id: str) -> Any:
    return _act(public_id, lambda c: operations.revoke(c, actor_id=current_user.id, reason=request.form.get("reason")),
                _("The certificate was revoked."))


@bp.post("/certificates/<public_id>/renew")
@requires(Permission.CERTIFICATE_ISSUE)
def renew(public_id: str) -> Any:
    return _act(public_id, lambda c: operations.renew(c, actor_id=current_user.id),
                _("The certificate was renewed."))


@bp.post("/certificates/<public_id>/continuing-education")
@requires(Permission.CERTIFICATE_ISSUE)
def record_ce(public_id: str) -> Any:
    row = _certificate_or_404(public_id)
    try:
        hours = int(request.form.get("hours") or "")
        completed_on = date.fromisoformat(request.form.get("completed_on") or "")
    except ValueError:
        return render_error(422, _("Give the hours as a whole number and the date as YYYY-MM-DD."))
    try:
        operations.record_ce(row.user, row.track, hours=hours, completed_on=completed_on,
                             description=request.form.get("description") or "", actor_id=current_user.id)
    except CertificationError as error:
        return _refused(error)
    db.session.commit()
    flash(_("The continuing education was recorded."), "success")
    return redirect(url_for("certification.certificate", public_id=row.public_id))
