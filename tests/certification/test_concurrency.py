"""Double clicks and two administrators at once: one issuance per request, distinct serials, one open request."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.accounts import operations as accounts
from lms.certification import keys
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, SerialCounter, Track
from lms.core.access import Role
from lms.core.db import db
from tests.helpers import own_database_app

pytestmark = [
    pytest.mark.no_transaction,
    pytest.mark.skipif(not os.environ.get("LMS_TEST_DATABASE_URL"), reason="concurrency is proven on PostgreSQL"),
]

THREADS = 8


@pytest.fixture(scope="module")
def own_app(tmp_path_factory, database_url) -> Iterator[Flask]:
    key_dir = tmp_path_factory.mktemp("keys")
    keys.ensure_directory(key_dir)
    with own_database_app(database_url, "certconcurrency", tmp_path_factory.mktemp("certconcurrency"),
                          LMS_SIGNING_KEYS_DIR=str(key_dir)) as app:
        with app.app_context():
            db.session.add(Track(
                id="ipms", name_en="IPMS", name_ja="知財", summary_html_en="", summary_html_ja="",
                serial_prefix="IPMS", validity_years=3, renewal_ce_hours=None, renewal_refresher_course=None,
                practicum_required=False, content_hash="0" * 64,
            ))
            db.session.commit()
        yield app


def _user(app: Flask, email: str, role: Role) -> tuple[int, str]:
    with app.app_context():
        user = accounts.register_user(email=email, password="Correct-Horse-Battery-42", name_latin="Con Current",
                                      roles=(role,))
        db.session.commit()
        return user.id, user.session_token


def _client(app: Flask, token: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def _all_at_once(app: Flask, token: str, urls: list[str]) -> list[int]:
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(client, url) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url).status_code)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(_client(app, token), url)) for url in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return sorted(statuses)


def test_double_requests_make_one_and_double_issues_one_certificate(own_app):
    trainee_id, trainee = _user(own_app, "double@example.org", Role.TRAINEE)
    _, admin = _user(own_app, "admin-double@example.org", Role.ADMINISTRATOR)
    statuses = _all_at_once(own_app, trainee, ["/certification/tracks/ipms/request"] * THREADS)
    assert statuses == [302] + [409] * (THREADS - 1)
    with own_app.app_context():
        (public_id,) = db.session.scalars(sa.select(Certificate.public_id).where(Certificate.user_id == trainee_id))
    statuses = _all_at_once(own_app, admin, [f"/certification/certificates/{public_id}/issue"] * THREADS)
    assert statuses == [302] + [409] * (THREADS - 1)
    with own_app.app_context():
        row = db.session.scalar(sa.select(Certificate).where(Certificate.public_id == public_id))
        assert row.state == Stored.ISSUED and row.serial.endswith("-000001")


def test_concurrent_issuances_get_distinct_serials(own_app):
    _, admin = _user(own_app, "admin-serials@example.org", Role.ADMINISTRATOR)
    public_ids = []
    with own_app.app_context():
        for n in range(THREADS):
            user = accounts.register_user(email=f"serial{n}@example.org", password="Correct-Horse-Battery-42",
                                          name_latin=f"Holder {n}")
            db.session.flush()
            row = Certificate(user_id=user.id, track_id="ipms", holder_name_latin=user.name_latin,
                              state=Stored.REQUESTED)
            db.session.add(row)
            db.session.flush()
            public_ids.append(row.public_id)
        db.session.commit()
        before = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(SerialCounter.last_number), 0)))
    statuses = _all_at_once(own_app, admin, [f"/certification/certificates/{p}/issue" for p in public_ids])
    assert statuses == [302] * THREADS
    with own_app.app_context():
        serials = db.session.scalars(sa.select(Certificate.serial).where(Certificate.public_id.in_(public_ids))).all()
        numbers = sorted(int(s.rsplit("-", 1)[1]) for s in serials)
        assert numbers == list(range(before + 1, before + THREADS + 1))
        indices = db.session.scalars(sa.select(Certificate.status_index).where(Certificate.public_id.in_(public_ids)))
        assert len(set(indices)) == THREADS
