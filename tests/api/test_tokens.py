"""Partners' personal API tokens: created and shown once, stored hashed, used as Bearer tokens, revoked."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import User, UserRole
from lms.api import operations
from lms.api.models import ApiToken
from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db, utcnow
from lms.core.extensions import limiter

URL = "/api/v1/roster?include=contacts"


def created_secret(client, name="CRM sync") -> str:
    response = client.post("/api-tokens", data={"name": name})
    assert response.status_code == 201, response.get_data(as_text=True)
    match = re.search(r"lms_[A-Za-z0-9_-]{43}", response.get_data(as_text=True))
    assert match, "the new token is shown"
    return match.group(0)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_partner_creates_a_token_shown_once_and_stored_only_as_a_hash(client, login, partner, roster):
    login(partner)
    secret = created_secret(client)

    token = db.session.scalar(sa.select(ApiToken))
    assert token.user_id == partner.id and token.name == "CRM sync"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) // 2
    listing = client.get("/api-tokens").get_data(as_text=True)
    assert "CRM sync" in listing and token.prefix in listing and secret not in listing
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "api_token.create"))
    assert entry.actor_id == partner.id and entry.subject_id == str(token.id)


def test_a_token_gets_contact_details_without_a_session_and_records_its_use(app, partner, roster):
    with app.test_request_context():
        token, secret = operations.create_token(partner, "Bank CRM")
        db.session.commit()
    client = app.test_client()

    response = client.get(URL, headers=bearer(secret))

    assert response.status_code == 200
    assert response.get_json()["items"][0]["contact"]["email"] == "aoki@example.org"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert db.session.get(ApiToken, token.id).last_used_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roster.contacts_read"))
    assert entry.actor_id == partner.id and entry.details["token_id"] == token.id


def test_a_revoked_token_is_refused_at_once(client, login, partner, roster):
    login(partner)
    secret = created_secret(client)
    token = db.session.scalar(sa.select(ApiToken))
    assert client.get(URL, headers=bearer(secret)).status_code == 200

    response = client.post(f"/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    refused = client.get(URL, headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "invalid_token"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    # Revoking again changes nothing; the audit log has one revocation.
    assert client.post(f"/api-tokens/{token.id}/revoke").status_code == 302
    assert len(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "api_token.revoke")).all()) == 1


def test_nobody_revokes_anothers_token(client, login, make_user, partner):
    with client.application.test_request_context():
        token, _secret = operations.create_token(partner, "Mine")
        db.session.commit()
    login(make_user(Role.PARTNER))
    assert client.post(f"/api-tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_a_token_acts_with_its_owners_permissions_at_the_time_of_each_request(app, partner, roster):
    with app.test_request_context():
        _token, secret = operations.create_token(partner, "Sync")
        db.session.commit()
    client = app.test_client()
    db.session.execute(sa.delete(UserRole).where(UserRole.user_id == partner.id))
    db.session.commit()
    assert client.get(URL, headers=bearer(secret)).status_code == 403
    assert client.get("/api/v1/roster", headers=bearer(secret)).status_code == 200

    db.session.get(User, partner.id).active = False
    db.session.commit()
    assert client.get("/api/v1/roster", headers=bearer(secret)).status_code == 401


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "Bearer lms_unknown", "Basic dXNlcjpwYXNz", "lms_abc", "Bearer " + "lms_" + "x" * 500,
])
def test_a_malformed_or_unknown_authorization_is_a_401_never_anonymous_access(client, roster, header):
    response = client.get("/api/v1/roster", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["field"] == "Authorization"


def test_a_token_needs_a_name_and_a_partner_holds_at_most_ten(client, login, partner):
    login(partner)
    assert client.post("/api-tokens", data={"name": "  "}).status_code == 422
    assert client.post("/api-tokens", data={"name": "x" * 101}).status_code == 422
    for n in range(operations.MAX_ACTIVE):
        created_secret(client, f"token {n}")
    refused = client.post("/api-tokens", data={"name": "one too many"})
    assert refused.status_code == 409 and "Revoke" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == operations.MAX_ACTIVE


def test_the_docs_page_explains_the_api_and_links_partners_to_their_tokens(client, login, partner):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/openapi.json" in page and "patents" in page and "/api-tokens" not in page
    login(partner)
    assert "/api-tokens" in client.get("/api/v1/docs").get_data(as_text=True)


def test_each_token_has_its_own_rate_limit_and_everyone_else_shares_their_address(app, partner, make_user, roster):
    """Partners behind one address do not share a budget; made-up tokens count against the address."""
    other = make_user(Role.PARTNER, name_latin="Partner Centre")
    with app.test_request_context():
        _token, first = operations.create_token(partner, "Bank CRM")
        _token, second = operations.create_token(other, "Centre CRM")
        db.session.commit()
    client = app.test_client()  # every request comes from the same address
    app.config["LMS_API_RATE_LIMIT"] = "2 per minute"
    try:
        with_first = [client.get(URL, headers=bearer(first)).status_code for _ in range(3)]
        with_second = [client.get(URL, headers=bearer(second)).status_code for _ in range(2)]
        anonymous = [client.get("/api/v1/roster").status_code for _ in range(2)]
        made_up = client.get("/api/v1/roster", headers=bearer("lms_" + "x" * 43)).status_code
    finally:
        app.config["LMS_API_RATE_LIMIT"] = "120 per minute"
        limiter.reset()
    assert with_first == [200, 200, 429]
    assert with_second == [200, 200]
    assert anonymous == [200, 200] and made_up == 429


def test_a_token_expires_when_its_owner_chose_and_then_is_refused(client, login, partner, roster):
    login(partner)
    before = utcnow()
    created_secret(client, "Default")
    client.post("/api-tokens", data={"name": "Quarterly", "lifetime": "30"})
    client.post("/api-tokens", data={"name": "Forever", "lifetime": "never"})
    by_name = {t.name: t for t in db.session.scalars(sa.select(ApiToken))}
    assert by_name["Default"].expires_at - before == pytest.approx(timedelta(days=90), abs=timedelta(minutes=1))
    assert by_name["Quarterly"].expires_at - before == pytest.approx(timedelta(days=30), abs=timedelta(minutes=1))
    assert by_name["Forever"].expires_at is None
    refused = client.post("/api-tokens", data={"name": "Odd", "lifetime": "7"})
    assert refused.status_code == 422 and db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Odd")) is None

    with client.application.test_request_context():
        token, secret = operations.create_token(partner, "Short", days=1)
        db.session.commit()
    assert client.get(URL, headers=bearer(secret)).status_code == 200
    db.session.get(ApiToken, token.id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    refused = client.get(URL, headers=bearer(secret))
    assert refused.status_code == 401 and "expired" in refused.get_json()["error"]["message"]
    listing = client.get("/api-tokens").get_data(as_text=True)
    assert "Expired" in listing and "Never" in listing
    assert operations.active_tokens(partner) == 3  # the expired one no longer counts towards the ten
