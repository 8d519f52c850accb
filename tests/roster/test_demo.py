"""``lms demo`` leaves a working roster: the demo trainee and generated professionals listed, once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.db import db
from lms.roster import listing
from lms.roster.cli import GENERATED

pytestmark = pytest.mark.usefixtures("signing_keys")


def test_lms_demo_lists_the_demo_trainee_and_generated_professionals_idempotently(app, roster_track, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "demo accounts: 5 created" in first.output
    assert f"roster demo: {GENERATED + 1} listed now" in first.output
    listed = set(db.session.scalars(listing.listed_user_ids()))
    emails = set(db.session.scalars(sa.select(User.email).where(User.id.in_(listed))))
    assert "trainee@example.org" in emails
    assert {e for e in emails if e.startswith("roster-demo-")} == {
        f"roster-demo-{n:02d}@example.org" for n in range(1, GENERATED + 1)}
    assert all(e.endswith("@example.org") for e in emails)
    html = client.get("/roster").get_data(as_text=True)
    assert f"{len(listed)} professionals found." in html and "(demo)" in html

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and f"0 listed now, {GENERATED + 1} already listed" in again.output
    assert set(db.session.scalars(listing.listed_user_ids())) == listed
