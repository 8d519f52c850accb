from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import operations
from lms.accounts.models import User
from lms.core.audit import AuditEntry
from lms.core.db import db, utcnow
from tests.helpers import PASSWORD

GENERIC = "The email or password is wrong"


def test_sign_in_and_out(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302


def test_sign_in_returns_to_a_local_next_page_only(client, make_user):
    user = make_user()
    ok = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert ok.headers["Location"] == "/account"
    client.post("/logout")
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={hostile}", data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "Wrong-Password-123"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "Wrong-Password-123"})
    assert wrong.status_code == unknown.status_code == 422
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)


def test_repeated_failures_lock_the_account_without_saying_so(app, client, make_user):
    user = make_user()
    for _ in range(app.config["LMS_LOCKOUT_THRESHOLD"]):
        client.post("/login", data={"email": user.email, "password": "Wrong-Password-123"})
    db.session.refresh(user)
    assert user.locked_until is not None
    assert user.locked_until > utcnow()
    locked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert locked.status_code == 422
    assert GENERIC in locked.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.lock")) is not None


def test_lock_expires(app, make_user):
    user = make_user()
    now = utcnow()
    for _ in range(app.config["LMS_LOCKOUT_THRESHOLD"]):
        assert operations.authenticate(user.email, "Wrong-Password-123", now) is None
    assert operations.authenticate(user.email, PASSWORD, now) is None
    later = now + timedelta(minutes=app.config["LMS_LOCKOUT_MINUTES"], seconds=1)
    assert operations.authenticate(user.email, PASSWORD, later) == user


def test_login_is_rate_limited(client, make_user):
    user = make_user()
    statuses = [
        client.post("/login", data={"email": user.email, "password": f"Wrong-Password-{i}"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    assert "Too many requests" in client.post("/login", data={"email": user.email}).get_data(as_text=True)


def test_remember_me_sets_a_persistent_http_only_cookie(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember
    assert "Expires=" in remember
    assert "SameSite=Lax" in remember


def test_deactivated_users_cannot_sign_in(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422


@pytest.mark.parametrize("path", ["/logout"])
def test_logout_needs_post(client, path):
    assert client.get(path).status_code == 405


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_users_table_unchanged_by_failed_logins_of_unknown_emails(client):
    client.post("/login", data={"email": "ghost@example.org", "password": "Wrong-Password-123"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
