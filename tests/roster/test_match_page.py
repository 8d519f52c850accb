"""The SME matching page over HTTP: partners get a ranked list with reasons and contacts; bad input is refused."""

from __future__ import annotations

import re
from html import unescape

import pytest

from lms.core.access import Role
from tests.helpers import count_statements

URL = "/roster/match"


@pytest.fixture
def people(make_user, certify, make_profile):
    def person(name, **profile):
        user = make_user(Role.TRAINEE, name_latin=name, email=f"{name.lower()}@example.org")
        certify(user)
        make_profile(user, **profile)
        return user

    return {
        # Osaka's own patent attorney, without the R&D focus
        "kato": person("Kato", prefectures=("27",), specialties=("patents",), company_types=("startup_overseas",),
                       on_site=False, phone="06-1234-5678"),
        # Kyoto (same region, Kinki) covering every need, R&D, on site
        "mori": person("Mori", prefectures=("26",), specialties=("patents", "licensing", "designs"),
                       company_types=("rd",), on_site=True),
        # Hiroshima (Chugoku borders Kinki), two needs
        "ueda": person("Ueda", prefectures=("34",), specialties=("patents", "licensing"), company_types=("rd",)),
        # Tokyo (Kanto: not a neighbour of Kinki)
        "sato": person("Sato", prefectures=("13",), specialties=("licensing",)),
        # opted out: never shown
        "gone": person("Gone", prefectures=("27",), specialties=("patents",), consented=False),
    }


@pytest.fixture
def partner(make_user, login):
    return login(make_user(Role.PARTNER, email="centre@example.org"))


def names_in_order(html: str) -> list[str]:
    return re.findall(r"<h3>\s*(?:<a [^>]*>)?([^<]+?)\s*(?:</a>)?\s*</h3>", html)


NEED = "prefecture=27&specialty=patents&specialty=licensing&specialty=designs&company_type=rd&on_site=true"


def test_a_partner_gets_professionals_ranked_with_reasons_and_contacts(client, partner, people):
    response = client.get(f"{URL}?{NEED}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert names_in_order(html) == ["Kato", "Mori", "Ueda", "Sato"]
    for reason in (
        "Serves Osaka (same prefecture)", "Covers 1 of 3 needs: Patents", "Missing: Designs, Licensing and contracts",
        "Same region: Kinki", "Covers 3 of 3 needs: Designs, Licensing and contracts, Patents",
        "Supports R&amp;D firms with their own technology seeds", "Available on site",
        "Neighbouring region: Chugoku", "Other region: Kanto",
    ):
        assert reason in html
    assert "kato@example.org" in html and "06-1234-5678" in html and "mori@example.org" in html
    assert "Gone" not in html
    # The form shows what was asked, so the link can be shared and refined.
    assert re.search(r'<option selected value="27">', html) and re.search(r'checked[^>]*value="designs"', html)


def test_needs_may_be_repeated_or_comma_separated_as_in_the_roster_search(client, partner, people):
    repeated = client.get(f"{URL}?{NEED}").get_data(as_text=True)
    listed = client.get(f"{URL}?prefecture=27&specialty=patents,licensing&specialty=designs,patents"
                        "&company_type=rd&on_site=true").get_data(as_text=True)
    assert names_in_order(listed) == names_in_order(repeated)
    assert "Covers 3 of 3 needs" in listed


def test_a_refused_form_keeps_what_was_entered(client, partner, people):
    response = client.get(f"{URL}?prefecture=99&specialty=designs&company_type=rd&on_site=true")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'checked[^>]*value="designs"', page) and re.search(r'<option selected value="rd">', page)
    assert 'aria-invalid="true"' in page


def test_results_are_in_the_readers_language(client, partner, people):
    client.post("/language", data={"lang": "ja", "next": URL})
    html = client.get(f"{URL}?{NEED}").get_data(as_text=True)
    for reason in ("大阪府を担当（同じ都道府県）", "同じ地方：近畿", "隣接する地方：中国", "訪問支援が可能",
                   "ニーズ3件中1件に対応：特許", "未対応：意匠、ライセンス・契約"):
        assert reason in html


def test_the_first_visit_shows_an_empty_form(client, partner, people):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Find professionals" in response.get_data(as_text=True) and names_in_order(response.get_data(True)) == []


@pytest.mark.parametrize(("query", "message"), [
    ("specialty=patents", "Choose the SME's prefecture"),
    ("prefecture=", "Choose the SME's prefecture"),
    ("prefecture=48", "Unknown prefecture code: 48."),
    ("prefecture=13&specialty=alchemy", "Unknown need: alchemy."),
    ("prefecture=13&specialty=patents&specialty=%3Cscript%3E", "Unknown need: <script>."),
    ("prefecture=13&company_type=bank", "Unknown company type: bank."),
    ("prefecture=13&on_site=perhaps", "On-site visit must be true or false."),
    ("prefecture=13&prefecture=14", "Choose one value only."),
    ("prefecture=13&company_type=rd&company_type=other", "Choose one value only."),
])
def test_bad_input_is_refused_with_a_message_and_422(client, partner, people, query, message):
    response = client.get(f"{URL}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in unescape(page) and "<script>" not in page
    assert names_in_order(page) == []


def test_other_roles_cannot_match(client, make_user, login, people):
    assert client.get(f"{URL}?prefecture=27").status_code == 302  # anonymous: to the sign-in page
    login(make_user(Role.TRAINEE))
    assert client.get(f"{URL}?prefecture=27").status_code == 403


def test_the_navigation_offers_matching_to_partners_only(client, make_user, login, partner):
    assert 'href="/roster/match"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(make_user(Role.TRAINEE))
    assert 'href="/roster/match"' not in client.get("/").get_data(as_text=True)


def test_the_page_issues_as_many_statements_for_many_results_as_for_one(client, partner, make_user, certify,
                                                                        make_profile):
    def person(code):
        user = make_user(Role.TRAINEE)
        certify(user)
        make_profile(user, prefectures=(code,), specialties=("patents",))

    person("27")
    with count_statements() as one:
        assert len(names_in_order(client.get(f"{URL}?{NEED}").get_data(as_text=True))) == 1
    for code in ("27", "26", "34", "13", "47") * 4:
        person(code)
    with count_statements() as many:
        assert len(names_in_order(client.get(f"{URL}?{NEED}").get_data(as_text=True))) == 21
    assert len(one) == len(many)
