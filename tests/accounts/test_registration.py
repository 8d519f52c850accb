import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db
from tests.helpers import PASSWORD


def _form(**overrides):
    data = {
        "email": "Hanako.Yamada@Example.JP",
        "name_ja": "山田 花子",
        "name_latin": "Hanako Yamada",
        "prefecture_code": "23",
        "organisation": "愛知県知財総合支援窓口",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def _user_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_registration_creates_a_trainee_and_signs_in(client):
    response = client.post("/register", data=_form())
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert user.email == "hanako.yamada@example.jp"
    assert user.roles == {Role.TRAINEE}
    assert user.prefecture_code == "23"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert client.get("/account").status_code == 200
    created = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert created.subject_id == str(user.id)


def test_japanese_name_alone_is_enough(client):
    assert client.post("/register", data=_form(name_latin="")).status_code == 302
    assert db.session.scalar(sa.select(User.name_ja)) == "山田 花子"


def test_duplicate_email_in_any_case_is_refused(client, make_user):
    make_user(email="taken@example.jp")
    response = client.post("/register", data=_form(email="TAKEN@Example.JP"))
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert _user_count() == 1


def test_bad_input_is_refused_with_a_message_and_nothing_written(client):
    cases = {
        "malformed email": (_form(email="not-an-email"), "valid email"),
        "short password": (_form(password="Short-1", confirm="Short-1"), "at least 12"),
        "common password": (_form(password="password1234", confirm="password1234"), "common passwords"),
        "guessable password": (_form(password="aaaaaaaaaaaa", confirm="aaaaaaaaaaaa"), "too easy to guess"),
        "mismatched confirmation": (_form(confirm=PASSWORD + "x"), "passwords differ"),
        "no name": (_form(name_ja="", name_latin=""), "Give your name"),
        "unknown prefecture": (_form(prefecture_code="48"), "Not a valid choice"),
        "no prefecture": (_form(prefecture_code=""), "Choose a prefecture"),
    }
    for label, (data, message) in cases.items():
        response = client.post("/register", data=data)
        assert response.status_code == 422, label
        assert message in response.get_data(as_text=True), label
    assert _user_count() == 0


def test_signed_in_users_are_sent_home_from_registration(client, make_user, login):
    login(make_user())
    assert client.get("/register").status_code == 302


def test_form_has_labels_for_every_input(client):
    html = client.get("/register").get_data(as_text=True)
    for field in ("email", "name_ja", "name_latin", "prefecture_code", "organisation", "password", "confirm"):
        assert f'<label for="{field}">' in html
