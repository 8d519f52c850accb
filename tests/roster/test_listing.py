"""Who is listed: consent and a valid certificate, kept in line by the certification operations themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.certification import operations
from lms.certification.models import Certificate
from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.roster import listing
from lms.roster.models import RosterProfile

pytestmark = pytest.mark.usefixtures("signing_keys")


def listed_ids(now=None) -> set[int]:
    return set(db.session.scalars(listing.listed_user_ids(now)))


def test_issue_renew_revoke_and_expiry_move_a_consenting_holder_on_and_off_the_roster(
        app, make_user, make_profile, roster_track):
    holder = make_user(Role.TRAINEE, name_latin="Kenji Sato")
    admin = make_user(Role.ADMINISTRATOR)
    make_profile(holder)
    assert holder.id not in listed_ids()  # consent alone is not enough

    with app.test_request_context():
        request = operations.request_certification(holder, roster_track)
        operations.issue(request, actor_id=admin.id, ineligible_reason="test holder without courses")
        db.session.commit()
    assert holder.id in listed_ids()
    until = db.session.get(RosterProfile, holder.id).certified_until
    assert until == request.valid_until

    # Expiry needs no job: the same row is not listed once its time has passed.
    assert holder.id not in listed_ids(until + timedelta(seconds=1))

    with app.test_request_context():
        renewed = operations.renew(db.session.get(Certificate, request.id), actor_id=admin.id)
        db.session.commit()
    assert db.session.get(RosterProfile, holder.id).certified_until == renewed.valid_until > until
    assert holder.id in listed_ids(until + timedelta(seconds=1))

    with app.test_request_context():
        operations.revoke(renewed, actor_id=admin.id, reason="misconduct")
        db.session.commit()
    assert db.session.get(RosterProfile, holder.id).certified_until is None
    assert holder.id not in listed_ids()


def test_opted_out_and_deactivated_holders_are_not_listed(make_user, make_profile, certify):
    listed, opted_out, deactivated = (make_user(Role.TRAINEE) for _ in range(3))
    for user in (listed, opted_out, deactivated):
        certify(user)
    make_profile(listed)
    make_profile(opted_out, consented=False)
    make_profile(deactivated)
    deactivated.active = False
    db.session.commit()
    assert listed_ids() & {listed.id, opted_out.id, deactivated.id} == {listed.id}


def test_certified_until_is_the_latest_of_several_valid_certificates(make_user, make_profile, certify):
    holder = make_user(Role.TRAINEE)
    make_profile(holder)
    now = utcnow()
    certify(holder, now + timedelta(days=10))
    later = certify(holder, now + timedelta(days=400)).valid_until
    certify(holder, now - timedelta(days=1))  # expired: ignored
    assert db.session.scalar(
        sa.select(RosterProfile.certified_until).where(RosterProfile.user_id == holder.id)) == later
