"""GET /api/v1/roster: the public contract (DESIGN.md section 7), over real HTTP on the real database."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db
from lms.core.extensions import limiter
from lms.roster.models import RosterProfile
from tests.helpers import count_statements

URL = "/api/v1/roster"


def names(response) -> list[str]:
    return [item["display_name"]["latin"] for item in response.get_json()["items"]]


def test_the_public_roster_lists_consenting_holders_in_a_stable_order_without_contacts(client, roster):
    response = client.get(URL)

    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert names(response) == ["Aoki", "Baba", "Chiba"]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 20, 3, 1)
    assert all("contact" not in item for item in body["items"])
    assert "aoki@example.org" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Vary"]


@pytest.mark.parametrize(("query", "expected"), [
    ("prefecture=14", ["Aoki"]),
    ("prefecture=14&prefecture=27", ["Aoki", "Baba"]),
    ("prefecture=14,27", ["Aoki", "Baba"]),
    ("region=kinki", ["Baba"]),
    ("region=hokkaido,kanto", ["Aoki", "Chiba"]),
    ("specialty=patents", ["Aoki", "Chiba"]),
    ("specialty=patents&on_site=true", ["Aoki", "Chiba"]),
    ("on_site=false", ["Baba"]),
    ("language=en", ["Baba"]),
    ("company_type=startup_overseas", ["Chiba"]),
    ("specialty=trademarks&prefecture=13", []),
])
def test_each_filter_of_the_roster_search_works_through_the_api(client, roster, query, expected):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert names(response) == expected
    assert response.get_json()["total"] == len(expected)


def test_an_unchanged_public_answer_is_a_304_for_its_etag_and_changes_with_the_roster(client, login, roster, partner):
    first = client.get(f"{URL}?prefecture=27")
    etag = first.headers["ETag"]
    again = client.get(f"{URL}?prefecture=27", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""

    db.session.get(RosterProfile, roster["baba"].id).on_site = True
    db.session.commit()
    changed = client.get(f"{URL}?prefecture=27", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag

    login(partner)  # answers to partners are never conditional: they are not to be kept anywhere
    assert "ETag" not in client.get(f"{URL}?include=contacts").headers


def test_pages_link_to_each_other_and_keep_the_filters(client, roster):
    first = client.get(f"{URL}?per_page=1&specialty=trademarks,licensing").get_json()
    assert (first["total"], first["pages"], first["page"]) == (2, 2, 1)
    links = first["links"]
    assert links["prev"] is None and links["next"] == links["last"]
    assert parse_qs(urlsplit(links["next"]).query) == {
        "per_page": ["1"], "specialty": ["trademarks,licensing"], "page": ["2"]}
    assert parse_qs(urlsplit(links["first"]).query)["page"] == ["1"]

    second = client.get(links["next"]).get_json()
    assert [i["display_name"]["latin"] for i in first["items"] + second["items"]] == ["Aoki", "Baba"]
    assert second["links"]["next"] is None and second["links"]["prev"] == links["self"]

    everyone = client.get(f"{URL}?per_page=2").get_json()
    assert (everyone["total"], everyone["pages"], len(everyone["items"])) == (3, 2, 2)


def test_partners_get_contact_details_when_they_ask_and_the_answer_is_never_cached(client, login, roster,
                                                                                      partner):
    login(partner)
    plain = client.get(URL)
    assert plain.status_code == 200 and all("contact" not in item for item in plain.get_json()["items"])
    assert plain.headers["Cache-Control"] == "private, no-store"  # signed in: never in a shared cache

    response = client.get(f"{URL}?include=contacts")
    assert response.status_code == 200
    contacts = {item["display_name"]["latin"]: item["contact"] for item in response.get_json()["items"]}
    assert contacts["Aoki"] == {"email": "aoki@example.org", "phone": "03-1111-2222"}
    assert contacts["Baba"] == {"email": "baba@example.org", "phone": None}
    assert response.headers["Cache-Control"] == "private, no-store"


def test_every_answer_with_contact_details_is_audited_like_an_export(client, login, roster, partner):
    login(partner)
    client.get(URL)  # no contacts asked for: nothing to audit
    client.get(f"{URL}?include=contacts&region=kanto,kinki&on_site=true&per_page=5")

    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.contacts_read")).all()
    assert len(entries) == 1
    assert entries[0].actor_id == partner.id
    assert entries[0].details == {"rows": 1, "page": 1, "filters": {"region": ["kanto", "kinki"], "on_site": True},
                                  "token_id": None}


@pytest.mark.parametrize("who", ["anonymous", "trainee", "instructor"])
def test_contact_details_asked_for_by_anyone_but_a_partner_are_refused(client, login, make_user, roster, who):
    if who != "anonymous":
        login(make_user(Role(who)))
    response = client.get(f"{URL}?include=contacts")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "partner_only"
    assert response.get_json()["error"]["field"] == "include"
    assert "@example.org" not in response.get_data(as_text=True)


def test_administrators_may_see_contacts_too(client, login, make_user, roster):
    login(make_user(Role.ADMINISTRATOR))
    assert client.get(f"{URL}?include=contacts").status_code == 200


@pytest.mark.parametrize(("query", "status", "code", "field"), [
    ("prefectrue=13", 400, "unknown_parameter", "prefectrue"),
    ("fields=email", 400, "unknown_parameter", "fields"),
    ("prefecture=48", 400, "invalid_parameter", "prefecture"),
    ("prefecture=13,00", 400, "invalid_parameter", "prefecture"),
    ("prefecture=%E6%9D%B1%E4%BA%AC", 400, "invalid_parameter", "prefecture"),
    ("region=atlantis", 400, "invalid_parameter", "region"),
    ("specialty=alchemy", 400, "invalid_parameter", "specialty"),
    ("specialty=%3Cscript%3E", 400, "invalid_parameter", "specialty"),
    ("company_type=unicorn", 400, "invalid_parameter", "company_type"),
    ("language=klingon", 400, "invalid_parameter", "language"),
    ("on_site=maybe", 400, "invalid_parameter", "on_site"),
    ("include=everything", 400, "invalid_parameter", "include"),
    ("language=", 400, "invalid_parameter", "language"),
    ("prefecture=%FF", 400, "invalid_parameter", "prefecture"),
    ("specialty=patents%00", 400, "invalid_parameter", "specialty"),
    ("region=%E2%80%8Bkanto", 400, "invalid_parameter", "region"),
    ("prefecture=13&prefecture=", 400, "invalid_parameter", "prefecture"),
    ("on_site=%20", 400, "invalid_parameter", "on_site"),
    ("page=0", 400, "invalid_parameter", "page"),
    ("page=-1", 400, "invalid_parameter", "page"),
    ("page=two", 400, "invalid_parameter", "page"),
    ("page=1.5", 400, "invalid_parameter", "page"),
    ("page=1_0", 400, "invalid_parameter", "page"),
    ("page=%2B1", 400, "invalid_parameter", "page"),
    ("page=%D9%A1", 400, "invalid_parameter", "page"),
    ("per_page=101", 400, "invalid_parameter", "per_page"),
    ("per_page=1000000", 400, "invalid_parameter", "per_page"),
    ("per_page=99999999999999999999999", 400, "invalid_parameter", "per_page"),
    ("per_page=0", 400, "invalid_parameter", "per_page"),
    ("page=2", 404, "page_out_of_range", "page"),
    ("page=99999999999999999999999", 404, "page_out_of_range", "page"),
    ("page=2&prefecture=47", 404, "page_out_of_range", "page"),
])
def test_bad_input_is_a_json_error_naming_the_parameter(client, roster, query, status, code, field):  # noqa: PLR0917
    response = client.get(f"{URL}?{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert (error["status"], error["code"], error["field"]) == (status, code, field)
    assert error["message"] and error["title"]


def test_error_messages_are_in_the_readers_language(client, roster):
    response = client.get(f"{URL}?prefecture=99", headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert "都道府県" in response.get_json()["error"]["message"]


def test_a_bio_with_script_comes_out_sanitised(client, roster):
    bio = client.get(f"{URL}?prefecture=14").get_json()["items"][0]["bio_html"]
    assert "Tokyo" in bio
    assert "<script" not in bio and "onerror" not in bio


def test_people_leave_the_api_at_once_when_they_withdraw(client, roster):
    assert "Aoki" in names(client.get(URL))
    db.session.get(RosterProfile, roster["aoki"].id).consented_at = None
    db.session.commit()
    assert names(client.get(URL)) == ["Baba", "Chiba"]


def test_too_many_requests_is_a_json_429(app, client, roster):
    app.config["LMS_API_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.get(URL).status_code for _ in range(4)]
    finally:
        app.config["LMS_API_RATE_LIMIT"] = "120 per minute"
        limiter.reset()
    assert statuses == [200, 200, 200, 429]


def test_other_methods_are_refused_with_json(client):
    response = client.post(URL)
    assert response.status_code == 405 and response.headers["Allow"]
    assert response.get_json()["error"]["status"] == 405


def test_a_page_costs_the_same_few_queries_whatever_its_size(app, client, make_user, certify, make_profile):
    for n in range(25):
        user = make_user(Role.TRAINEE, name_latin=f"Holder {n:02d}")
        certify(user)
        make_profile(user, prefectures=("13", "14"), specialties=("patents", "designs"))

    def statements(url: str) -> list[str]:
        with count_statements() as seen:
            assert client.get(url).status_code == 200
        return seen

    statements(f"{URL}?per_page=1")  # builds the process's search index (after the changes above)
    one = statements(f"{URL}?per_page=1")
    # The search version, the page's profiles with their accounts.
    assert len(one) == 2, one
    assert len(statements(f"{URL}?per_page=25&specialty=patents&region=kanto")) == len(one)
