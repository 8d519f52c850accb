"""Roster data the browser journeys write straight into the live server's database (issuance has its own tests)."""

from __future__ import annotations

from datetime import timedelta

from lms.accounts.models import User
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, Track
from lms.core.db import db, utcnow
from lms.roster import listing

TRACK = "roster-journey"


def certify(user: User) -> None:
    """Give ``user`` a certificate valid for a year on the journeys' track (created on first use)."""
    if db.session.get(Track, TRACK) is None:
        db.session.add(Track(
            id=TRACK, name_en="IP Management Support Professional", name_ja="知財経営支援専門家",
            summary_html_en="<p>x</p>", summary_html_ja="<p>x</p>", serial_prefix="RJ", validity_years=3,
            renewal_ce_hours=None, renewal_refresher_course=None, practicum_required=False, content_hash="0" * 64,
        ))
        db.session.flush()
    now = utcnow()
    db.session.add(Certificate(user_id=user.id, track_id=TRACK, holder_name_latin=user.name_latin,
                               state=Stored.ISSUED, issued_at=now, valid_from=now,
                               valid_until=now + timedelta(days=365)))
    db.session.flush()
    listing.refresh_certification(user_id=user.id)
