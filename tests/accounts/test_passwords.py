import re
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts import operations
from lms.accounts.models import PasswordResetToken
from lms.core.db import db, utcnow
from tests.helpers import PASSWORD

NEW = "Another-Strong-Passphrase-7"


def _reset_link(caplog) -> str:
    mails = [r.getMessage() for r in caplog.records if r.name == "lms.mail"]
    assert mails, "no mail was sent"
    return re.search(r"http://[^\s]+/password-reset/[\w-]+", mails[-1]).group(0)


def test_change_password_signs_out_other_sessions(app, client, make_user, login):
    user = make_user()
    login(user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert operations.authenticate(user.email, NEW) == user


def test_change_password_refuses_bad_input(client, make_user, login):
    user = make_user()
    login(user)
    cases = [
        ({"current_password": "Wrong-Password-000", "password": NEW, "confirm": NEW}, "current password is wrong"),
        ({"current_password": PASSWORD, "password": "short", "confirm": "short"}, "at least 12"),
        ({"current_password": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}, "different from the current"),
        ({"current_password": PASSWORD, "password": "abcdefghijklmn", "confirm": "abcdefghijklmn"}, "too easy"),
    ]
    for data, message in cases:
        response = client.post("/account/password", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert operations.authenticate(user.email, PASSWORD) == user


def test_password_reset_by_single_use_link(client, make_user, caplog):
    user = make_user()
    caplog.set_level("INFO", logger="lms.mail")
    response = client.post("/password-reset", data={"email": user.email})
    assert response.status_code == 302
    link = _reset_link(caplog)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    assert client.post("/" + path, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert operations.authenticate(user.email, NEW) == user
    # Used once: the same link is dead now.
    assert client.get("/" + path).status_code == 404
    assert client.post("/" + path, data={"password": PASSWORD + "x", "confirm": PASSWORD + "x"}).status_code == 404


def test_reset_request_does_not_reveal_registration(client, make_user, caplog):
    user = make_user()
    caplog.set_level("INFO", logger="lms.mail")
    known = client.post("/password-reset", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/password-reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731 - CSRF tokens differ
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    assert len([r for r in caplog.records if r.name == "lms.mail"]) == 1


def test_expired_and_unknown_tokens_are_refused(client, make_user, caplog):
    user = make_user()
    caplog.set_level("INFO", logger="lms.mail")
    operations.request_password_reset(user.email, now=utcnow() - timedelta(days=1))
    db.session.commit()
    token = _reset_link(caplog).rsplit("/", 1)[1]
    assert client.get(f"/password-reset/{token}").status_code == 404
    assert client.get("/password-reset/not-a-token").status_code == 404
    assert db.session.scalar(sa.select(PasswordResetToken.used_at)) is None


def test_weak_new_password_keeps_the_link_usable(client, make_user, caplog):
    user = make_user()
    caplog.set_level("INFO", logger="lms.mail")
    client.post("/password-reset", data={"email": user.email})
    token = _reset_link(caplog).rsplit("/", 1)[1]
    response = client.post(f"/password-reset/{token}", data={"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 422
    assert client.get(f"/password-reset/{token}").status_code == 200
