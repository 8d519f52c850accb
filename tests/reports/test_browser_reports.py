"""In Chromium: an administrator opens the reports from the menu, brings the figures up to date, reads the map in
both languages and downloads a CSV. Every page is checked with axe-core and must raise no CSP violation."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from lms.accounts import operations as accounts
from lms.core.access import Role
from lms.core.db import db
from tests.browser_support import sign_in
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_email(live_server):
    with live_server.app.app_context():
        admin = accounts.register_user(email=f"reports-{uuid.uuid4().hex[:8]}@example.org", password=PASSWORD,
                                       name_latin="Report Reader", roles=(Role.ADMINISTRATOR,))
        db.session.commit()
        email = admin.email
        db.session.remove()
    return email


def test_reports_journey(page: Page, live_server, admin_email, check_accessibility):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, live_server, admin_email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    check_accessibility(page)
    page.get_by_role("link", name="Certification pipeline").click()
    page.get_by_role("button", name="Bring the figures up to date").click()
    expect(page.get_by_text("The figures were brought up to date")).to_be_visible()
    page.get_by_label("Group by").select_option("prefecture")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="By prefecture")).to_be_visible()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table as CSV").click()
    assert download.value.suggested_filename.startswith("pipeline-by-prefecture-")

    page.goto(live_server("/reports/coverage"))
    expect(page.get_by_role("img", name="Tile map of Japan's 47 prefectures")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Kagoshima")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="地域別の対応状況")).to_be_visible()
    expect(page.get_by_role("rowheader", name="鹿児島県")).to_be_visible()
    check_accessibility(page)

    page.goto(live_server("/reports/courses"))
    expect(page.get_by_role("heading", name="講座の修了率と合格率")).to_be_visible()
    check_accessibility(page)
    assert problems == []
