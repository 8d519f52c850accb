"""The snapshot the pages group: taken by a button or ``lms reports refresh``, its time shown on every page."""

from __future__ import annotations

from lms.core.db import db
from lms.core.extensions import limiter
from lms.reports import pipeline
from lms.reports.models import PipelineRow, Refresh
from lms.reports.stages import Scope
from tests.reports.conftest import refresh


def test_pages_say_when_the_figures_were_taken_and_a_refresh_brings_them_up_to_date(client, login, admin, world):
    login(admin)
    world.trainee(enrol=("c1",))
    refresh()
    page = client.get("/reports/pipeline").get_data(as_text=True)
    assert "Figures as of" in page
    assert [r.counts() for r in pipeline.table("track", Scope())] == [(1, 0, 0, 0, 0, 0)]

    world.trainee(enrol=("c1", "c2"), complete=("c1", "c2"))
    db.session.commit()
    # Not yet in the snapshot: the page shows the figures as of its time.
    assert [r.counts() for r in pipeline.table("track", Scope())] == [(1, 0, 0, 0, 0, 0)]
    response = client.post("/reports/refresh", data={"next": "/reports/pipeline?by=track"})
    assert response.status_code == 302 and response.headers["Location"] == "/reports/pipeline?by=track"
    assert [r.counts() for r in pipeline.table("track", Scope())] == [(2, 1, 0, 0, 0, 0)]
    assert "brought up to date" in client.get("/reports/pipeline").get_data(as_text=True)


def test_a_refresh_replaces_every_row_and_goes_back_only_to_a_report(client, login, instructors, world):
    world.trainee(enrol=("c1",))
    refresh()
    refresh()
    assert db.session.query(PipelineRow).count() == 1
    login(instructors[0])
    for target in ("https://evil.example.org/", "//evil.example.org/reports/", "/accounts/", ""):
        response = client.post("/reports/refresh", data={"next": target})
        assert response.headers["Location"] == "/reports/", target


def test_before_the_first_refresh_the_page_says_so(client, login, admin, app):
    login(admin)
    row = db.session.get(Refresh, 1)
    row.refreshed_at = None
    db.session.commit()
    page = client.get("/reports/courses").get_data(as_text=True)
    assert "The figures have not been computed yet." in page


def test_cli_refresh(app, world):
    world.trainee(enrol=("c3",), complete=("c3",))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "refresh"])
    assert result.exit_code == 0 and "reports refreshed at" in result.output
    assert [r.counts() for r in pipeline.table("track", Scope())] == [(1, 1, 0, 0, 0, 0)]


def test_refreshes_are_limited_per_account(app, client, login, admin):
    login(admin)
    app.config["LMS_REPORTS_REFRESH_RATE_LIMIT"] = "2 per hour"
    try:
        statuses = [client.post("/reports/refresh").status_code for _ in range(3)]
    finally:
        app.config.pop("LMS_REPORTS_REFRESH_RATE_LIMIT")
        limiter.reset()
    assert statuses == [302, 302, 429]
