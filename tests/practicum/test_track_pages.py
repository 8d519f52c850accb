"""The public track pages show exactly the stored criteria, in both languages."""

from lms.certification.models import Track
from lms.core.db import db


def test_track_list_and_page(client, sample):
    listing = client.get("/certification/tracks")
    assert listing.status_code == 200
    assert "Sample Coaching Track" in listing.get_data(as_text=True)
    page = client.get("/certification/tracks/sample-track")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for expected in ("Sample Coaching Track", "サンプル支援トラック", "<strong>tests</strong>",
                     "<strong>トラック</strong>",
                     "<code>ip-basics</code>", "<code>ip-basics-final</code>", "80%", "70%", "3 years from issue",
                     "15 hours of continuing education", "SMPL-YYYY-NNNNNN",
                     "5 of 9 points", "Developing", "発展途上", "/practicum/sample-track/brief"):
        assert expected in html, expected


def test_page_follows_the_stored_rows(client, sample):
    track = db.session.get(Track, "sample-track")
    track.required_courses[0].min_score = 91
    track.renewal_ce_hours = None
    track.renewal_refresher_course = "ip-refresher"
    db.session.commit()
    html = client.get("/certification/tracks/sample-track").get_data(as_text=True)
    assert "91%" in html and "<code>ip-refresher</code>" in html and "continuing education" not in html


def test_unknown_and_retired_tracks_are_not_found(client, sample):
    assert client.get("/certification/tracks/nope").status_code == 404
    db.session.get(Track, "sample-track").retired = True
    db.session.commit()
    assert client.get("/certification/tracks/sample-track").status_code == 404
    listing = client.get("/certification/tracks").get_data(as_text=True)
    assert "No certification track has been published yet." in listing


def test_japanese_interface(client, sample):
    client.post("/language", data={"lang": "ja", "next": "/"})
    html = client.get("/certification/tracks").get_data(as_text=True)
    assert "サンプル支援トラック" in html


def test_the_track_gives_eligibility_exactly_its_published_criteria(sample):
    from lms.certification import eligibility

    criteria = db.session.get(Track, "sample-track").criteria()
    assert criteria == eligibility.Criteria(
        required_courses=(eligibility.RequiredCourse("ip-basics", "ip-basics-final", 80),
                          eligibility.RequiredCourse("sme-coaching", "sme-coaching-final", 70)),
        practicum_required=True,
    )
    record = eligibility.Record(completed_courses=frozenset({"ip-basics", "sme-coaching"}),
                                grades={"ip-basics-final": 85, "sme-coaching-final": 69}, practicum_passed=True)
    assert [i.subject for i in eligibility.evaluate(criteria, record).missing] == ["sme-coaching-final"]
