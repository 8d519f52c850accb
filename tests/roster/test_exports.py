"""Partners' CSV and JSON exports: every matching listed person with contacts, streamed, each export audited."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db
from lms.roster import exports, records
from lms.roster.models import RosterProfile


@pytest.fixture
def people(make_user, certify, make_profile):
    def person(name, *, listed=True, **profile):
        user = make_user(Role.TRAINEE, name_latin=name, email=f"{name.lower()}@example.org")
        certify(user)
        make_profile(user, consented=listed, **profile)
        return user

    return [
        person("Aoki", prefectures=("13",), phone="03-1111-2222"),
        person("Baba", prefectures=("27",), specialties=("trademarks",), on_site=False),
        person("Chiba", prefectures=("01",)),
        person("Doi", listed=False),
    ]


@pytest.fixture
def partner(make_user, login):
    return login(make_user(Role.PARTNER, email="partner@example.org"))


def audited() -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.export")
                                   .order_by(AuditEntry.id)))


def test_the_csv_export_has_every_listed_person_with_contacts_in_utf8_with_a_bom(client, people, partner):
    response = client.get("/roster/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="roster-')
    assert response.headers["Content-Disposition"].endswith('.csv"')
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == list(records.csv_header(contacts=True))
    assert [(r["display_name_latin"], r["email"]) for r in rows] == [
        ("Aoki", "aoki@example.org"), ("Baba", "baba@example.org"), ("Chiba", "chiba@example.org")]
    assert rows[0]["phone"] == "03-1111-2222" and rows[0]["prefectures_ja"] == "東京都"
    assert rows[1]["on_site"] == "false" and rows[1]["specialties"] == "trademarks"


def test_the_json_export_has_the_api_records_with_contacts(client, people, partner):
    response = client.get("/roster/export.json?region=kinki,hokkaido")

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith('.json"')
    body = json.loads(response.get_data(as_text=True))
    assert body["total"] == 2 and body["exported_at"]
    assert [item["display_name"]["latin"] for item in body["items"]] == ["Baba", "Chiba"]
    expected = records.record(db.session.get(RosterProfile, people[1].id), contacts=True)
    assert {**body["items"][0], "profile_url": None} == {**expected, "profile_url": None}
    assert body["items"][0]["contact"] == {"email": "baba@example.org", "phone": None}


def test_exports_honour_the_roster_filters_and_ignore_the_pages_parameters(client, people, partner):
    response = client.get("/roster/export.csv?specialty=patents&on_site=true&page=7&per_page=1")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["display_name_latin"] for r in rows] == ["Aoki", "Chiba"]

    empty = client.get("/roster/export.json?prefecture=47")
    assert json.loads(empty.get_data(as_text=True)) == {
        "exported_at": json.loads(empty.get_data(as_text=True))["exported_at"], "total": 0, "items": []}


def test_every_export_is_audited_with_who_the_filters_and_the_row_count(client, people, partner):
    client.get("/roster/export.csv?prefecture=13,27&on_site=false").get_data()
    client.get("/roster/export.json").get_data()

    first, second = audited()
    assert first.actor_id == second.actor_id == partner.id
    assert first.details == {"format": "csv", "rows": 1, "filters": {"prefecture": ["13", "27"], "on_site": False}}
    assert second.details == {"format": "json", "rows": 3, "filters": {}}


@pytest.mark.parametrize(("query", "named"), [
    ("prefecture=48", "48"), ("specialty=alchemy", "alchemy"), ("on_site=maybe", "on_site"),
    ("region=%3Cscript%3E", "&lt;script&gt;"),
])
def test_a_bad_filter_is_a_400_that_names_it_and_nothing_is_exported_or_audited(client, people, partner, query,
                                                                                  named):
    for fmt in ("csv", "json"):
        response = client.get(f"/roster/export.{fmt}?{query}")
        assert response.status_code == 400
        assert named in response.get_data(as_text=True)
        assert "@example.org" not in response.get_data(as_text=True)
    assert audited() == []


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR])
def test_people_without_the_contacts_permission_cannot_export(client, login, make_user, people, role):
    login(make_user(role))
    assert client.get("/roster/export.csv").status_code == 403
    assert client.get("/roster/export.json").status_code == 403
    assert audited() == []


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    response = client.get("/roster/export.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_large_export_is_streamed_in_batches_in_the_roster_order(client, make_user, certify, make_profile,  # noqa: PLR0917
                                                                   partner, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 50)  # so that a few dozen people make several batches
    for n in range(120):
        user = make_user(Role.TRAINEE, name_latin=f"Holder {n:03d}")
        certify(user)
        make_profile(user, prefectures=(f"{1 + n % 47:02d}",))
    twin = make_user(Role.TRAINEE, name_latin="Holder 049")  # the same name across a batch boundary
    certify(twin)
    make_profile(twin, prefectures=("47",))
    make_profile(make_user(Role.TRAINEE, name_latin="Holder 050"), consented=False)  # not listed
    names = sorted([f"Holder {n:03d}" for n in range(120)] + ["Holder 049"])

    response = client.get("/roster/export.csv")

    assert response.is_streamed
    chunks = list(response.iter_encoded())
    assert len(chunks) >= 2  # the first hundred rows are sent before the rest are read
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert [r["display_name_latin"] for r in rows] == names
    assert [int(r["id"]) for r in rows[49:51]] == sorted(int(r["id"]) for r in rows[49:51])
    assert audited()[-1].details["rows"] == 121
    json_items = json.loads(client.get("/roster/export.json").get_data(as_text=True))["items"]
    assert [item["display_name"]["latin"] for item in json_items] == names
