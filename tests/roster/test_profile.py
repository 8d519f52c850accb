"""The holder's side: the profile editor, consent to be listed, opting out, and the audit trail of each."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db, utcnow
from lms.core.extensions import limiter
from lms.roster import listing
from lms.roster.models import RosterProfile
from tests.helpers import PASSWORD, csrf_token

PROFILE = {
    "display_name_ja": "佐藤 健二", "display_name_latin": "Kenji Sato", "prefectures": ["23", "21"],
    "specialties": ["patents", "licensing"], "company_types": ["rd"], "languages": ["ja", "en"],
    "organisation": "patent_attorney", "organisation_name": "Sato IP Office", "on_site": "y",
    "bio_md": "Ten years in **Nagoya**.", "phone": "052-123-4567",
}


@pytest.fixture
def holder(make_user, certify, login):
    user = make_user(Role.TRAINEE, name_latin="Kenji Sato", name_ja="佐藤 健二", prefecture_code="23",
                     organisation="Sato IP Office")
    certify(user)
    login(user)
    return user


def audit_actions(user_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.subject_type == "roster_profile",
                                           AuditEntry.subject_id == str(user_id)).order_by(AuditEntry.id)
    ))


def listed_ids() -> set[int]:
    return set(db.session.scalars(listing.listed_user_ids()))


def test_without_a_valid_certificate_the_page_says_why_and_links_to_certification(client, make_user, login):
    login(make_user(Role.TRAINEE))
    html = client.get("/roster/profile").get_data(as_text=True)
    assert "You need a valid certificate to join the roster." in html
    assert 'href="/certification/tracks"' in html
    assert 'name="prefectures"' not in html  # no editor
    response = client.post("/roster/profile", data=PROFILE)
    assert response.status_code == 409
    assert "Only holders of a valid certificate" in response.get_data(as_text=True)
    assert client.post("/roster/profile/consent", data={"agree": "y"}).status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RosterProfile)) == 0


def test_an_expired_certificate_is_not_valid_for_joining(client, make_user, certify, login):
    user = make_user(Role.TRAINEE)
    certify(user, until=utcnow() - timedelta(days=1))
    login(user)
    assert "You need a valid certificate" in client.get("/roster/profile").get_data(as_text=True)
    assert client.post("/roster/profile", data=PROFILE).status_code == 409


def test_the_editor_starts_from_the_account_and_offers_every_prefecture_grouped_by_region(client, holder):
    html = client.get("/roster/profile").get_data(as_text=True)
    assert html.count('type="checkbox" name="prefectures"') == 47
    assert html.count('<fieldset class="region">') == 8
    assert 'value="Kenji Sato"' in html and 'value="佐藤 健二"' in html and 'value="Sato IP Office"' in html
    assert 'id="prefectures-23" value="23" checked' in html  # the account's prefecture
    # specialties carry their descriptions as hints
    assert "Patent filing strategy, prior-art searches" in html


def test_save_then_opt_in_lists_the_holder_and_each_step_is_audited(client, holder):
    response = client.post("/roster/profile", data=PROFILE)
    assert response.status_code == 302 and response.headers["Location"].endswith("/roster/profile/consent")
    profile = db.session.get(RosterProfile, holder.id)
    assert profile.prefectures == ["21", "23"] and profile.terms("specialties") == ["patents", "licensing"]
    assert profile.phone == "052-123-4567" and profile.on_site is True and profile.consented_at is None
    assert holder.id not in listed_ids()  # saved, not published

    consent_page = client.get("/roster/profile/consent").get_data(as_text=True)
    assert "Network partners only" in consent_page and "email address and phone number" in consent_page
    assert client.post("/roster/profile/consent", data={}).status_code == 422  # the box not ticked
    response = client.post("/roster/profile/consent", data={"agree": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/roster/{holder.id}")
    db.session.expire_all()
    assert db.session.get(RosterProfile, holder.id).consented_at is not None
    assert holder.id in listed_ids()
    assert client.post("/roster/profile/consent", data={"agree": "y"}).status_code == 409  # already listed

    changed = {**PROFILE, "prefectures": ["23"], "on_site": ""}
    assert client.post("/roster/profile", data=changed).headers["Location"].endswith("/roster/profile")
    db.session.expire_all()
    assert db.session.get(RosterProfile, holder.id).prefectures == ["23"]
    assert audit_actions(holder.id) == ["roster.profile_create", "roster.opt_in", "roster.profile_update"]


def test_opting_out_removes_the_holder_at_once_and_keeps_the_profile(client, holder, make_profile):
    make_profile(holder)
    assert holder.id in listed_ids()
    assert "Leave the roster now" in client.get("/roster/profile").get_data(as_text=True)
    response = client.post("/roster/profile/withdraw")
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.get(RosterProfile, holder.id)
    assert profile.consented_at is None and profile.withdrawn_at is not None
    assert holder.id not in listed_ids()
    assert client.get(f"/roster/{holder.id}").status_code == 404
    assert f'href="/roster/{holder.id}"' not in client.get("/roster").get_data(as_text=True)
    assert client.post("/roster/profile/withdraw").status_code == 409  # not on the roster
    assert audit_actions(holder.id) == ["roster.opt_out"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"prefectures": []}, "prefectures", "Choose at least one prefecture you serve."),
    ({"specialties": []}, "specialties", "Choose at least one specialty."),
    ({"prefectures": ["48"]}, "prefectures", "not a valid choice"),
    ({"specialties": ["alchemy"]}, "specialties", "not a valid choice"),
    ({"organisation": "mafia"}, "organisation", "Not a valid choice"),
    ({"display_name_ja": "", "display_name_latin": " "}, "display_name_ja", "Japanese or Latin script"),
    ({"phone": "call me"}, "phone", "Enter a phone number"),
    ({"phone": "12"}, "phone", "Enter a phone number"),
    ({"phone": "+81 3 1234 5678 9012 345"}, "phone", "Enter a phone number"),
    ({"bio_md": "x" * 2001}, "bio_md", "2000"),
])
def test_bad_profile_input_is_a_422_naming_the_field_and_writes_nothing(client, holder, change, field, message):
    response = client.post("/roster/profile", data={**PROFILE, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert db.session.get(RosterProfile, holder.id) is None
    assert audit_actions(holder.id) == []


@pytest.mark.parametrize("phone", ["03-1234-5678", "+81 3 1234 5678", "(052) 123-4567", "09012345678"])
def test_ordinary_phone_numbers_are_accepted(client, holder, phone):
    assert client.post("/roster/profile", data={**PROFILE, "phone": phone}).status_code == 302
    assert db.session.get(RosterProfile, holder.id).phone == phone


def test_a_bio_with_script_and_javascript_links_is_stored_and_shown_harmless(client, holder, make_profile):
    bio = ('Hello <script>alert("x")</script> [click](javascript:alert(1)) '
           '<a href="javascript:alert(2)" onclick="steal()">me</a> <img src=x onerror="alert(3)"> **bold**')
    assert client.post("/roster/profile", data={**PROFILE, "bio_md": bio}).status_code == 302
    assert client.post("/roster/profile/consent", data={"agree": "y"}).status_code == 302
    profile = db.session.get(RosterProfile, holder.id)
    assert profile.bio_md == bio  # kept as written, for the editor
    html = client.get(f"/roster/{holder.id}").get_data(as_text=True)
    for bad in ("<script>alert", "javascript:", "onclick", "onerror"):
        assert bad not in profile.bio_html and bad not in html
    assert "<strong>bold</strong>" in html


def test_consent_needs_a_profile_first(client, holder):
    response = client.post("/roster/profile/consent", data={"agree": "y"})
    assert response.status_code == 422
    assert "Fill in your profile first" in response.get_data(as_text=True)
    assert "Fill in my profile" in client.get("/roster/profile/consent").get_data(as_text=True)


def test_profile_consent_and_withdrawal_forms_need_their_csrf_token(client, holder, make_profile, csrf):
    make_profile(holder)
    assert client.post("/roster/profile/withdraw").status_code == 400
    assert holder.id in listed_ids()
    token = csrf_token(client, "/roster/profile")
    assert client.post("/roster/profile/withdraw", data={"csrf_token": token}).status_code == 302
    assert holder.id not in listed_ids()


@pytest.mark.usefixtures("holder")
def test_one_account_saves_its_profile_only_so_often_and_others_are_not_held_back(app, client, make_user, certify):
    """Each save makes every app server rebuild its search index: one person cannot make them do it endlessly."""
    app.config["LMS_ROSTER_PROFILE_RATE_LIMIT"] = "3 per hour"
    try:
        statuses = [client.post("/roster/profile", data=PROFILE).status_code for _ in range(2)]
        statuses.append(client.post("/roster/profile/consent", data={"agree": "y"}).status_code)
        statuses.append(client.post("/roster/profile/withdraw").status_code)  # the three are one budget
        other = make_user(Role.TRAINEE, name_latin="Hanako Ito")
        certify(other)
        elsewhere = app.test_client()  # the same address, another account
        assert elsewhere.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302
        assert elsewhere.post("/roster/profile", data=PROFILE).status_code == 302
    finally:
        app.config.pop("LMS_ROSTER_PROFILE_RATE_LIMIT")
        limiter.reset()
    assert statuses == [302, 302, 302, 429]
    assert client.get("/roster/profile").status_code == 200  # reading is never limited
