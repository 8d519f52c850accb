"""One serialisation of a listed profile: public fields for everyone, contact details only when allowed."""

from __future__ import annotations

import csv
import io

from flask import url_for

from lms.core.access import Role
from lms.core.markdown import render
from lms.roster import records


def test_a_record_names_every_public_field_by_id_with_bilingual_labels(make_user, make_profile):
    user = make_user(Role.TRAINEE, name_latin="Hanako Suzuki", name_ja="鈴木花子", email="hanako@example.org")
    profile = make_profile(user, prefectures=("13", "27"), specialties=("patents", "trademarks"),
                           company_types=("startup_overseas",), languages=("ja", "en"), organisation="inpit",
                           organisation_name="INPIT Kansai", on_site=False, phone="06-1234-5678",
                           bio_md="Hello", bio_html="<p>Hello</p>")

    found = records.record(profile, profile_url="https://lms.example.org/roster/1")

    assert found["id"] == user.id
    assert found["display_name"] == {"ja": "鈴木花子", "latin": "Hanako Suzuki"}
    assert found["organisation"]["id"] == "inpit" and found["organisation"]["name"] == "INPIT Kansai"
    assert set(found["organisation"]["label"]) == {"en", "ja"}
    assert found["prefectures"] == [
        {"code": "13", "name": {"en": "Tokyo", "ja": "東京都"}, "region": "kanto"},
        {"code": "27", "name": {"en": "Osaka", "ja": "大阪府"}, "region": "kinki"},
    ]
    assert [r["code"] for r in found["regions"]] == ["kanto", "kinki"]
    assert [t["id"] for t in found["specialties"]] == ["patents", "trademarks"]
    assert found["specialties"][0]["label"] == {"en": "Patents", "ja": "特許"}
    assert [t["id"] for t in found["company_types"]] == ["startup_overseas"]
    assert [t["id"] for t in found["languages"]] == ["ja", "en"]  # the taxonomy's order
    assert found["on_site"] is False and found["bio_html"] == "<p>Hello</p>"
    assert found["profile_url"] == "https://lms.example.org/roster/1"
    # Contact details only when the caller says so.
    assert "contact" not in found
    assert "hanako@example.org" not in str(found) and "06-1234-5678" not in str(found)
    assert records.record(profile, contacts=True)["contact"] == {"email": "hanako@example.org",
                                                                  "phone": "06-1234-5678"}


def test_a_bio_with_script_is_published_as_the_sanitised_html(make_user, make_profile):
    written = 'Hi <script>alert("x")</script> <a href="javascript:alert(1)" onclick="x()">me</a>'
    profile = make_profile(make_user(), bio_md=written, bio_html=render(written).html)

    html = records.record(profile)["bio_html"]

    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert "Hi" in html


def test_csv_rows_follow_the_header_and_cannot_start_a_spreadsheet_formula(make_user, make_profile):
    user = make_user(Role.TRAINEE, name_latin="=HYPERLINK(\"http://evil.example.org\")", email="f@example.org")
    profile = make_profile(user, prefectures=("01",), specialties=("patents", "licensing"), phone="+81 3 1234")

    public, partner = records.record(profile), records.record(profile, contacts=True)
    rows = [records.csv_row(public), records.csv_row(partner)]

    assert len(rows[0]) == len(records.csv_header(contacts=False))
    assert len(rows[1]) == len(records.csv_header(contacts=True))
    by_column = dict(zip(records.csv_header(contacts=True), rows[1], strict=True))
    assert by_column["display_name_latin"].startswith("'=")
    assert by_column["phone"] == "'+81 3 1234" and by_column["email"] == "f@example.org"
    assert by_column["specialties"] == "patents; licensing"  # the taxonomy's order
    assert by_column["prefectures_ja"] == "北海道" and by_column["on_site"] == "true"
    # Written and read back through the csv module, every cell survives as it was.
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == rows


def test_the_profile_url_is_the_persons_page_on_the_html_roster_when_the_app_has_one(app, client, make_user,
                                                                                      certify, make_profile):
    user = make_user()
    certify(user)
    make_profile(user)
    with app.test_request_context():
        expected = (url_for(records.PERSON_ENDPOINT, user_id=user.id, _external=True)
                    if records.PERSON_ENDPOINT in app.view_functions else None)
        assert records.person_url(user.id) == expected
    assert client.get("/api/v1/roster").get_json()["items"][0]["profile_url"] == expected
