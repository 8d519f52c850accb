"""The public roster, person pages and the contact form; what anonymous visitors and partners each see."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.core.mail import OutgoingMail
from tests.helpers import count_statements, csrf_token


@pytest.fixture
def people(make_user, make_profile, certify):
    def person(name, email, phone, **profile):
        user = make_user(Role.TRAINEE, name_latin=name, email=email)
        certify(user)
        make_profile(user, phone=phone, **profile)
        return user

    return {
        "aoki": person("Aoki Ken", "aoki@example.org", "03-1111-2222", prefectures=("13", "14"),
                       specialties=("patents", "licensing"), on_site=True),
        "baba": person("Baba Mai", "baba@example.org", "06-3333-4444", prefectures=("27",),
                       specialties=("trademarks",), languages=("ja", "en"), on_site=False),
        "chiba": person("Chiba Jun", "chiba@example.org", "011-555-6666", prefectures=("01",),
                        specialties=("patents",), company_types=("startup_overseas",)),
    }


def names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/roster/\d+">([^<]+)</a></h2>', html)


def test_the_roster_lists_everyone_listed_in_the_stable_order_with_their_facts(client, people):
    response = client.get("/roster")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert names(html) == ["Aoki Ken", "Baba Mai", "Chiba Jun"]
    assert "3 professionals found." in html
    assert f'href="/roster/{people["aoki"].id}"' in html
    assert "Tokyo" in html and "Kanagawa" in html and "Patent attorney (JPAA)" in html
    assert "Licensing and contracts" in html


@pytest.mark.parametrize(("query", "expected"), [
    ("prefecture=14", ["Aoki Ken"]),
    ("region=kinki", ["Baba Mai"]),
    ("specialty=patents", ["Aoki Ken", "Chiba Jun"]),
    ("company_type=startup_overseas", ["Chiba Jun"]),
    ("language=en", ["Baba Mai"]),
    ("on_site=false", ["Baba Mai"]),
    ("specialty=patents&region=hokkaido", ["Chiba Jun"]),
    ("prefecture=&region=&specialty=&on_site=", ["Aoki Ken", "Baba Mai", "Chiba Jun"]),  # the empty form
    ("prefecture=47", []),
])
def test_filters_narrow_the_list(client, people, query, expected):
    response = client.get(f"/roster?{query}")
    assert response.status_code == 200
    assert names(response.get_data(as_text=True)) == expected


@pytest.mark.parametrize(("query", "message"), [
    ("prefecture=48", "Unknown prefecture code: 48"),
    ("region=atlantis", "Unknown region: atlantis"),
    ("specialty=%3Cscript%3E", "Unknown value for specialty: &lt;script&gt;"),
    ("on_site=maybe", "on_site must be true or false"),
    ("page=zero", "page must be a whole number"),
    ("per_page=1000000", "per_page may be at most 100"),
])
def test_bad_filter_values_show_the_message_with_a_400(client, people, query, message):
    response = client.get(f"/roster?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'name="prefecture"' in html  # the filter form is still there to correct it
    assert names(html) == []


def test_pages_keep_the_filters_and_a_page_past_the_last_is_a_404(client, people):
    html = client.get("/roster?specialty=patents&specialty=trademarks&per_page=2").get_data(as_text=True)
    assert names(html) == ["Aoki Ken", "Baba Mai"]
    assert "Page 1 of 2." in html
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_link).query) == {
        "specialty": ["patents", "trademarks"], "per_page": ["2"], "page": ["2"]}
    second = client.get(next_link).get_data(as_text=True)
    assert names(second) == ["Chiba Jun"] and 'rel="prev"' in second
    response = client.get("/roster?specialty=patents&specialty=trademarks&per_page=2&page=3")
    assert response.status_code == 404
    assert "the last page is 2" in response.get_data(as_text=True)


def test_expired_or_withdrawn_people_are_not_listed_and_their_pages_are_404(client, people, certify,
                                                                           make_user, make_profile):
    late = make_user(Role.TRAINEE, name_latin="Expired Person")
    certify(late, until=utcnow() - timedelta(days=1))
    make_profile(late)
    shy = make_user(Role.TRAINEE, name_latin="Never Consented")
    certify(shy)
    make_profile(shy, consented=False)
    html = client.get("/roster").get_data(as_text=True)
    assert "Expired Person" not in html and "Never Consented" not in html
    for user in (late, shy):
        assert client.get(f"/roster/{user.id}").status_code == 404
        assert client.post(f"/roster/{user.id}/contact", data={
            "sender_name": "A", "sender_email": "a@example.org", "message": "Hello there, please help."
        }).status_code == 404
    assert client.get("/roster/999999").status_code == 404


def test_anonymous_html_never_contains_an_email_or_phone_and_partners_see_both(client, people, make_user, login):
    contacts = [("aoki@example.org", "03-1111-2222"), ("baba@example.org", "06-3333-4444"),
                ("chiba@example.org", "011-555-6666")]
    pages = ["/roster", "/roster?per_page=1", *(f"/roster/{p.id}" for p in people.values())]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        for address, phone in contacts:
            assert address not in html and phone not in html and "mailto:" not in html, path

    login(make_user(Role.PARTNER))
    listing = client.get("/roster").get_data(as_text=True)
    for address, phone in contacts:
        assert f'href="mailto:{address}"' in listing and phone in listing
    person = client.get(f"/roster/{people['baba'].id}").get_data(as_text=True)
    assert "baba@example.org" in person and "06-3333-4444" in person


def test_a_trainee_sees_no_contacts_either(client, people, make_user, login):
    login(make_user(Role.TRAINEE))
    html = client.get(f"/roster/{people['aoki'].id}").get_data(as_text=True)
    assert "aoki@example.org" not in html and "03-1111-2222" not in html


CONTACT = {"sender_name": "Yamada Taro", "sender_email": "sme-owner@example.org",
           "message": "We make machine parts in Tokyo and want to protect a new design."}


def test_the_contact_form_mails_the_professional_with_the_senders_reply_to(client, people, caplog):
    caplog.set_level("INFO", logger="lms.mail")
    aoki = people["aoki"]
    response = client.post(f"/roster/{aoki.id}/contact", data=CONTACT)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/roster/{aoki.id}")
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your message was sent to Aoki Ken" in confirmation
    assert "aoki@example.org" not in confirmation
    mails = [r.getMessage() for r in caplog.records if r.name == "lms.mail"]
    assert len(mails) == 1
    mail = email.message_from_string(mails[0].split("\n", 1)[1], policy=email.policy.default)
    assert mail["To"] == "aoki@example.org" and mail["Reply-To"] == "sme-owner@example.org"
    # in the professional's language (Japanese unless they chose English)
    assert mail["Subject"] == "知財経営支援ネットワーク名簿からのお問い合わせ"
    body = mail.get_content()
    assert "want to protect a new design" in body and "Yamada Taro <sme-owner@example.org>" in body


def test_with_a_mail_server_the_message_is_queued_in_the_outbox_with_the_request(app, client, people):
    app.config["LMS_MAIL_SERVER"] = "smtp.example.org"
    try:
        assert client.post(f"/roster/{people['baba'].id}/contact", data=CONTACT).status_code == 303
    finally:
        app.config["LMS_MAIL_SERVER"] = None
    queued = db.session.scalars(sa.select(OutgoingMail)).all()
    assert [(m.recipient, m.reply_to) for m in queued] == [("baba@example.org", "sme-owner@example.org")]


@pytest.mark.parametrize(("change", "field"), [
    ({"sender_email": "not-an-address"}, "sender_email"),
    ({"sender_email": "a@example.org\r\nBcc: victim@example.org"}, "sender_email"),
    ({"sender_name": ""}, "sender_name"),
    ({"message": "hi"}, "message"),
    ({"message": "x" * 5001}, "message"),
])
def test_bad_contact_input_is_a_422_and_nothing_is_sent(client, people, caplog, change, field):
    caplog.set_level("INFO", logger="lms.mail")
    response = client.post(f"/roster/{people['aoki'].id}/contact", data={**CONTACT, **change})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert [r for r in caplog.records if r.name == "lms.mail"] == []


def test_the_contact_form_needs_its_csrf_token(client, people, csrf, caplog):
    caplog.set_level("INFO", logger="lms.mail")
    path = f"/roster/{people['aoki'].id}"
    assert client.post(f"{path}/contact", data=CONTACT).status_code == 400
    assert [r for r in caplog.records if r.name == "lms.mail"] == []
    token = csrf_token(client, path)
    assert client.post(f"{path}/contact", data={**CONTACT, "csrf_token": token}).status_code == 303


def test_the_contact_form_is_rate_limited_per_visitor(client, people):
    path = f"/roster/{people['aoki'].id}/contact"
    statuses = [client.post(path, data=CONTACT).status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]
    # another professional: the visitor's limit still holds
    assert client.post(f"/roster/{people['baba'].id}/contact", data=CONTACT).status_code == 429


@pytest.mark.usefixtures("people")
def test_a_page_of_the_roster_costs_the_same_statements_whatever_its_size(client, make_user, make_profile, certify):
    for n in range(6):
        user = make_user(Role.TRAINEE, name_latin=f"Extra {n}")
        certify(user)
        make_profile(user, prefectures=("13", "27"), specialties=("patents", "designs"))
    def cost(path: str) -> int:
        with count_statements() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    first = cost("/roster?per_page=1")  # the process's search index is built after the changes above
    one, many = cost("/roster?per_page=1"), cost("/roster?per_page=9")
    filtered = cost("/roster?per_page=9&prefecture=13&specialty=patents&on_site=true")
    assert one == many == filtered
    # the search version, the page's profiles with their accounts; and, to rebuild, the rows and inactive users
    assert (first, one) == (4, 2)
