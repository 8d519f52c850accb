"""Certification through HTTP: request, issue, verify, credential, status list, PDF, revoke, renew, reminders."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.accounts.models import User
from lms.certification import credential, keys, status_list
from lms.certification.lifecycle import Stored
from lms.certification.models import Certificate, ContinuingEducation, ReminderSent, SerialCounter, Track, TrackCourse
from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db
from tests.certification.test_credential import verify_independently
from tests.helpers import count_statements

SCHEMA = json.loads(
    (Path(__file__).parent / "standards" / "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8")
)


pytestmark = pytest.mark.usefixtures("signing_keys")


def make_track(track_id="ipms", *, prefix="IPMS", courses=(), ce_hours=10, refresher=None) -> Track:
    track = Track(
        id=track_id, name_en="IP Management Support Professional", name_ja="知財経営支援専門家",
        summary_html_en="<p>x</p>", summary_html_ja="<p>x</p>", serial_prefix=prefix, validity_years=3,
        renewal_ce_hours=ce_hours, renewal_refresher_course=refresher, practicum_required=False, content_hash="0" * 64,
    )
    for position, (slug, exam, score) in enumerate(courses):
        track.required_courses.append(
            TrackCourse(course_slug=slug, final_exam=exam, position=position, min_score=score)
        )
    db.session.add(track)
    db.session.commit()
    return track


@pytest.fixture
def track():
    return make_track()


@pytest.fixture
def trainee(make_user):
    return make_user(Role.TRAINEE, name_ja="山田 花子", name_latin="Hanako Yamada", prefecture_code="27")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)



@pytest.fixture
def clients(app, trainee, admin):
    from tests.helpers import PASSWORD

    result = {}
    for name, user in (("trainee", trainee), ("admin", admin)):
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        result[name] = client
    return result


def request_and_issue(clients, track) -> Certificate:
    response = clients["trainee"].post(f"/certification/tracks/{track.id}/request", data={"note": "please"})
    assert response.status_code == 302
    row = db.session.scalar(sa.select(Certificate).where(Certificate.track_id == track.id))
    response = clients["admin"].post(f"/certification/certificates/{row.public_id}/issue")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.get(Certificate, row.id)


def status_bit(client, certificate: Certificate) -> bool:
    response = client.get("/credentials/status/revocation")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    jwks = client.get("/.well-known/jwks.json").get_json()
    list_credential = credential.verify(response.get_data(as_text=True), jwks).credential
    entry = credential.verify(certificate.credential_jwt, jwks).credential["credentialStatus"]
    encoded = list_credential["credentialSubject"]["encodedList"]
    assert status_list.StatusList.decode(encoded).get(certificate.status_index) is status_list.is_set_for(
        entry, list_credential)
    return status_list.is_set_for(entry, list_credential)


def test_full_lifecycle_through_http(app, clients, track, trainee, admin):
    page = clients["trainee"].get(f"/certification/tracks/{track.id}/eligibility")
    assert page.status_code == 200 and "Request certification" in page.get_data(as_text=True)

    cert = request_and_issue(clients, track)
    year = cert.valid_from.year
    assert cert.state == Stored.ISSUED
    assert cert.serial == f"IPMS-{year}-000001"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cert.public_id)
    assert (cert.holder_name_ja, cert.holder_name_latin) == ("山田 花子", "Hanako Yamada")
    assert cert.valid_until.year == year + 3

    # Verification page: valid, with name, track and dates.
    text = app.test_client().get(f"/verify/{cert.public_id}").get_data(as_text=True)
    assert "Valid" in text and "山田 花子" in text and cert.valid_from.strftime("%Y-%m-%d") in text
    assert trainee.email not in text

    # The credential: served as application/vc+jwt, valid against the OB 3.0 schema, verifies with the JWK Set.
    response = app.test_client().get(f"/credentials/{cert.public_id}")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    jwks = app.test_client().get("/.well-known/jwks.json")
    assert jwks.mimetype == "application/jwk-set+json"
    claims = verify_independently(response.get_data(as_text=True), jwks.get_json())
    vc = {k: v for k, v in claims.items() if k not in credential.JWT_CLAIMS}
    jsonschema.Draft201909Validator(SCHEMA).validate(vc)
    assert vc["credentialSubject"]["licenseNumber"] == cert.serial
    assert vc["credentialStatus"]["statusListCredential"] == "http://localhost/credentials/status/revocation"
    assert vc["id"] == f"http://localhost/credentials/{cert.public_id}"

    # The PDF carries the Japanese name.
    pdf = clients["trainee"].get(f"/certification/certificates/{cert.public_id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "山田花子" in re.sub(r"\s+", "", PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text())

    # My certificates: PDF, verification link, credential and LinkedIn.
    mine = clients["trainee"].get("/certification/mine").get_data(as_text=True)
    assert f"/verify/{cert.public_id}" in mine and "copy-link.js" in mine
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in mine and cert.serial in mine

    # Revocation: the status bit flips at once, the page says revoked.
    assert status_bit(app.test_client(), cert) is False
    response = clients["admin"].post(f"/certification/certificates/{cert.public_id}/revoke", data={"reason": "fraud"})
    assert response.status_code == 302
    assert status_bit(app.test_client(), cert) is True
    assert "Revoked" in app.test_client().get(f"/verify/{cert.public_id}").get_data(as_text=True)

    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.subject_id == cert.public_id).order_by(AuditEntry.id)).all()
    assert actions == ["certificate.request", "certificate.issue", "certificate.revoke"]


def test_expiry_at_valid_until(app, clients, track):
    cert = request_and_issue(clients, track)
    cert.valid_until = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    text = app.test_client().get(f"/verify/{cert.public_id}").get_data(as_text=True)
    assert "Expired" in text


@pytest.mark.parametrize(
    "public_id", ["AAAAAAAAAAAAAAAAAAAAAA", "x", "abc.defghijklmnopqrstuv", "AAAA AAAAAAAAAAAAAAAA", "%00", "a" * 200]
)
def test_unknown_or_malformed_ids_answer_404_without_a_hint(app, public_id):
    client = app.test_client()
    for url in (f"/verify/{public_id}", f"/credentials/{public_id}"):
        response = client.get(url)
        assert response.status_code == 404
    assert "Certificate not found" in client.get(f"/verify/{public_id}").get_data(as_text=True)


def test_a_request_or_rejection_is_not_verifiable(app, clients, track):
    clients["trainee"].post(f"/certification/tracks/{track.id}/request")
    row = db.session.scalar(sa.select(Certificate))
    assert app.test_client().get(f"/verify/{row.public_id}").status_code == 404
    assert app.test_client().get(f"/credentials/{row.public_id}").status_code == 404


def test_issuing_twice_is_refused_and_changes_nothing(clients, track):
    cert = request_and_issue(clients, track)
    response = clients["admin"].post(f"/certification/certificates/{cert.public_id}/issue")
    assert response.status_code == 409
    assert "issued" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(SerialCounter.last_number)) == 1
    assert db.session.get(Certificate, cert.id).serial == cert.serial


def test_revoking_without_a_reason_is_refused(clients, track):
    cert = request_and_issue(clients, track)
    for data in ({}, {"reason": "   "}):
        response = clients["admin"].post(f"/certification/certificates/{cert.public_id}/revoke", data=data)
        assert response.status_code == 422
        assert "A reason is required" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).state == Stored.ISSUED


def test_rejecting_needs_a_reason(clients, track):
    clients["trainee"].post(f"/certification/tracks/{track.id}/request")
    row = db.session.scalar(sa.select(Certificate))
    assert clients["admin"].post(f"/certification/certificates/{row.public_id}/reject").status_code == 422
    assert clients["admin"].post(f"/certification/certificates/{row.public_id}/reject",
                                 data={"reason": "incomplete documents"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, row.id).state == Stored.REJECTED


def test_renewing_a_revoked_certificate_is_refused(clients, track, trainee, admin):
    cert = request_and_issue(clients, track)
    clients["admin"].post(f"/certification/certificates/{cert.public_id}/revoke", data={"reason": "fraud"})
    db.session.add(ContinuingEducation(user_id=trainee.id, track_id=track.id, hours=20, completed_on=date.today(),
                                       description="seminar", recorded_by_id=admin.id))
    db.session.commit()
    response = clients["admin"].post(f"/certification/certificates/{cert.public_id}/renew")
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_renewal_needs_the_requirement_then_links_the_new_certificate(app, clients, track):
    cert = request_and_issue(clients, track)
    response = clients["admin"].post(f"/certification/certificates/{cert.public_id}/renew")
    assert response.status_code == 422
    assert "renewal requirement" in response.get_data(as_text=True)
    today = date.today().isoformat()
    assert clients["admin"].post(f"/certification/certificates/{cert.public_id}/continuing-education",
                                 data={"hours": "abc", "completed_on": today, "description": "x"}).status_code == 422
    assert clients["admin"].post(f"/certification/certificates/{cert.public_id}/continuing-education",
                                 data={"hours": "10", "completed_on": today, "description": "IP seminar"}
                                 ).status_code == 302
    response = clients["admin"].post(f"/certification/certificates/{cert.public_id}/renew")
    assert response.status_code == 302
    db.session.expire_all()
    old = db.session.get(Certificate, cert.id)
    new = db.session.scalar(sa.select(Certificate).where(Certificate.renewed_from_id == cert.id))
    assert old.state == Stored.RENEWED and new.state == Stored.ISSUED
    assert new.serial.endswith("-000002") and new.valid_from >= old.valid_until - timedelta(seconds=1)
    assert "Superseded" in app.test_client().get(f"/verify/{old.public_id}").get_data(as_text=True)
    assert "Valid" in app.test_client().get(f"/verify/{new.public_id}").get_data(as_text=True)


def test_a_tampered_credential_fails_verification(app, clients, track):
    cert = request_and_issue(clients, track)
    token = app.test_client().get(f"/credentials/{cert.public_id}").get_data(as_text=True)
    jwks = app.test_client().get("/.well-known/jwks.json").get_json()
    header, payload, signature = token.split(".")
    payload_bytes = bytearray(keys.b64url_decode(payload))
    position = payload_bytes.index(b"Hanako")
    payload_bytes[position] = ord("J")
    tampered = f"{header}.{keys.b64url(bytes(payload_bytes))}.{signature}"
    with pytest.raises(credential.CredentialError) as caught:
        credential.verify(tampered, jwks)
    assert caught.value.reason == "signature"
    # One changed character of the signature also fails.
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(credential.CredentialError):
        credential.verify(flipped, jwks)


def test_old_credentials_still_verify_after_key_rotation(app, clients, track, signing_keys):
    from lms.cli import cli  # noqa: F401  (the console script's group)

    cert = request_and_issue(clients, track)
    result = app.test_cli_runner().invoke(args=["certificates", "rotate-key"])
    assert result.exit_code == 0, result.output
    jwks = app.test_client().get("/.well-known/jwks.json").get_json()
    assert len(jwks["keys"]) == 2
    verify_independently(cert.credential_jwt, jwks)


def test_request_refused_when_the_checklist_is_incomplete(clients):
    make_track("strict", prefix="STR", courses=[("no-such-course", "no-such-exam", 70)])
    page = clients["trainee"].get("/certification/tracks/strict/eligibility").get_data(as_text=True)
    assert "Missing" in page and "not taken" in page and "Request certification" not in page
    response = clients["trainee"].post("/certification/tracks/strict/request")
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0


def test_one_open_request_per_track(clients, track):
    assert clients["trainee"].post(f"/certification/tracks/{track.id}/request").status_code == 302
    assert clients["trainee"].post(f"/certification/tracks/{track.id}/request").status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_ineligible_issue_needs_a_written_reason_which_is_audited(clients, trainee):
    track = make_track("strict", prefix="STR", courses=[("no-such-course", "no-such-exam", 70)])
    row = Certificate(user_id=trainee.id, track_id=track.id, holder_name_latin="Hanako Yamada",
                      state=Stored.REQUESTED)
    db.session.add(row)
    db.session.commit()
    response = clients["admin"].post(f"/certification/certificates/{row.public_id}/issue")
    assert response.status_code == 422
    response = clients["admin"].post(f"/certification/certificates/{row.public_id}/issue",
                                     data={"ineligible_reason": "Equivalent training abroad"})
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "certificate.issue"))
    assert entry.reason == "Equivalent training abroad" and entry.details["eligible"] is False


def test_queue_filters_and_bulk_issue_with_a_result_per_row(app, clients, track, make_user):
    other = make_user(Role.TRAINEE, prefecture_code="01")
    rows = []
    for user in (db.session.get(User, db.session.scalar(sa.select(User.id).where(User.name_ja == "山田 花子"))), other):
        row = Certificate(user_id=user.id, track_id=track.id, holder_name_latin=user.name_latin,
                          holder_name_ja=user.name_ja, state=Stored.REQUESTED)
        db.session.add(row)
        rows.append(row)
    rows[1].requested_at = datetime.now(UTC) - timedelta(days=10)
    db.session.commit()
    page = clients["admin"].get("/certification/requests").get_data(as_text=True)
    assert rows[0].public_id in page and rows[1].public_id in page
    page = clients["admin"].get("/certification/requests?prefecture=01").get_data(as_text=True)
    assert rows[0].public_id not in page and rows[1].public_id in page
    page = clients["admin"].get("/certification/requests?waiting=5").get_data(as_text=True)
    assert rows[0].public_id not in page and rows[1].public_id in page
    page = clients["admin"].get(f"/certification/requests?track={track.id}").get_data(as_text=True)
    assert rows[0].public_id in page
    for waiting in ("-1", "ten", "3651", "9" * 30):
        refused = clients["admin"].get(f"/certification/requests?waiting={waiting}")
        assert refused.status_code == 400, waiting
        assert "whole number of days" in refused.get_data(as_text=True)

    clients["admin"].post(f"/certification/certificates/{rows[1].public_id}/reject", data={"reason": "no"})
    response = clients["admin"].post("/certification/requests/issue",
                                     data={"certificate": [rows[0].public_id, rows[1].public_id, "nonexistent"]})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.count("Not issued") == 2 and "IPMS-" in text and "No such request" in text
    db.session.expire_all()
    assert db.session.get(Certificate, rows[0].id).state == Stored.ISSUED
    assert db.session.get(Certificate, rows[1].id).state == Stored.REJECTED
    assert clients["admin"].post("/certification/requests/issue").status_code == 400


def test_others_cannot_download_a_pdf(app, clients, track, make_user, login):
    cert = request_and_issue(clients, track)
    stranger = app.test_client()
    from tests.helpers import PASSWORD

    user = make_user(Role.TRAINEE)
    stranger.post("/login", data={"email": user.email, "password": PASSWORD})
    assert stranger.get(f"/certification/certificates/{cert.public_id}/certificate.pdf").status_code == 404
    assert clients["admin"].get(f"/certification/certificates/{cert.public_id}/certificate.pdf").status_code == 200


def test_reminders_are_sent_once(app, clients, track, trainee, caplog):
    cert = request_and_issue(clients, track)
    cert.valid_until = datetime.now(UTC) + timedelta(days=59, hours=12)
    db.session.commit()
    runner = app.test_cli_runner()
    caplog.set_level("INFO", logger="lms.mail")
    if True:
        first = runner.invoke(args=["certificates", "remind"])
        second = runner.invoke(args=["certificates", "remind"])
    assert first.exit_code == 0 and "1 reminder(s) sent" in first.output, first.output
    assert "0 reminder(s) sent" in second.output
    mails = [r.getMessage() for r in caplog.records if r.name == "lms.mail"]
    assert sum(f"To: {trainee.email}" in m for m in mails) == 1
    assert db.session.scalars(sa.select(ReminderSent.days_before)).all() == [60]

    cert.valid_until = datetime.now(UTC) + timedelta(days=29, hours=12)
    db.session.commit()
    assert "1 reminder(s) sent" in runner.invoke(args=["certificates", "remind"]).output
    assert "0 reminder(s) sent" in runner.invoke(args=["certificates", "remind"]).output
    assert sorted(db.session.scalars(sa.select(ReminderSent.days_before))) == [30, 60]


def _statements(client, url: str) -> int:
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_queue_and_my_certificates_queries_do_not_grow_with_rows(clients, track, trainee, make_user):
    """Measured: the queue and "My certificates" issue as many SQL statements for 1 row as for 6."""

    def add_request(user):
        db.session.add(Certificate(user_id=user.id, track_id=track.id, holder_name_latin=user.name_latin,
                                   state=Stored.REQUESTED))
        db.session.commit()

    add_request(trainee)
    queue_one = _statements(clients["admin"], "/certification/requests")
    mine_one = _statements(clients["trainee"], "/certification/mine")
    for n in range(5):
        other_track = make_track(f"t{n}", prefix=f"T{n}")
        db.session.add(Certificate(user_id=trainee.id, track_id=other_track.id, holder_name_latin="x",
                                   state=Stored.REQUESTED))
        add_request(make_user(Role.TRAINEE))
    assert _statements(clients["admin"], "/certification/requests") == queue_one
    assert _statements(clients["trainee"], "/certification/mine") == mine_one


def test_pages_render_in_japanese(app, clients, track):
    cert = request_and_issue(clients, track)
    for client, url in ((clients["trainee"], "/certification/mine"),
                        (clients["trainee"], f"/certification/tracks/{track.id}/eligibility"),
                        (clients["admin"], "/certification/requests"),
                        (clients["admin"], f"/certification/certificates/{cert.public_id}"),
                        (app.test_client(), f"/verify/{cert.public_id}")):
        response = client.get(url, headers={"Accept-Language": "ja"})
        assert response.status_code == 200, url
    assert "有効" in app.test_client().get(f"/verify/{cert.public_id}", headers={"Accept-Language": "ja"}).get_data(
        as_text=True)
    track_page = clients["trainee"].get(f"/certification/tracks/{track.id}").get_data(as_text=True)
    assert f"/certification/tracks/{track.id}/eligibility" in track_page
    assert f"/certification/tracks/{track.id}/eligibility" not in app.test_client().get(
        f"/certification/tracks/{track.id}").get_data(as_text=True)
