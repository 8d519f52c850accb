"""Roster fixtures: certificate holders with profiles.

``certify`` writes an issued certificate row directly (no signing, no PDF) so that tests needing many holders
stay fast; the listing tests issue, renew and revoke through the certification operations themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from lms.accounts.models import User
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, Track
from lms.core.db import db, utcnow
from lms.roster import listing
from lms.roster.models import RosterPrefecture, RosterProfile, RosterTerm


@pytest.fixture
def roster_track() -> Track:
    track = db.session.get(Track, "roster-test")
    if track is None:
        track = Track(
            id="roster-test", name_en="IP Management Support Professional", name_ja="知財経営支援専門家",
            summary_html_en="<p>x</p>", summary_html_ja="<p>x</p>", serial_prefix="RT", validity_years=3,
            renewal_ce_hours=None, renewal_refresher_course=None, practicum_required=False, content_hash="0" * 64,
        )
        db.session.add(track)
        db.session.commit()
    return track


@pytest.fixture
def certify(roster_track: Track) -> Callable[..., Certificate]:
    """Give ``user`` an issued certificate valid until ``until`` (default: a year from now)."""

    def give(user: User, until: datetime | None = None) -> Certificate:
        now = utcnow()
        certificate = Certificate(
            user_id=user.id, track_id=roster_track.id, holder_name_latin=user.name_latin, state=Stored.ISSUED,
            issued_at=now, valid_from=now, valid_until=until or now + timedelta(days=365),
        )
        db.session.add(certificate)
        listing.refresh_certification(user_id=user.id)
        db.session.commit()
        return certificate

    return give


@pytest.fixture
def make_profile() -> Callable[..., RosterProfile]:
    """A roster profile for ``user``, consented unless ``consented=False``."""

    def make(user: User, *, prefectures=("13",), specialties=("patents",), company_types=("rd",),
             languages=("ja",), organisation="patent_attorney", on_site=True, consented=True,
             **fields) -> RosterProfile:
        profile = RosterProfile(
            user_id=user.id, display_name_latin=user.name_latin, display_name_ja=user.name_ja,
            sort_name=(user.name_latin or user.name_ja or "").casefold(), organisation=organisation,
            on_site=on_site, consented_at=utcnow() if consented else None, **fields,
        )
        profile.prefecture_rows = [RosterPrefecture(prefecture_code=code) for code in prefectures]
        profile.term_rows = [
            RosterTerm(kind=kind, term=term)
            for kind, terms in (("specialties", specialties), ("company_types", company_types),
                                ("languages", languages))
            for term in terms
        ]
        db.session.add(profile)
        db.session.flush()
        listing.refresh_certification(user_id=user.id)
        db.session.commit()
        return profile

    return make
