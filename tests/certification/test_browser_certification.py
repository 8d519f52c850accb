"""In Chromium: a trainee reads the checklist and requests certification; an administrator issues it; the public
verification page says valid, and the trainee finds the certificate. Every page is checked with axe-core."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from lms.accounts import operations as accounts
from lms.certification import keys
from lms.certification.models import Track
from lms.core.access import Role
from lms.core.db import db
from tests.browser_support import sign_in
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server, tmp_path):
    app = live_server.app
    key_dir = tmp_path / "keys"
    keys.ensure_directory(key_dir)
    app.config["LMS_SIGNING_KEYS_DIR"] = str(key_dir)
    app.extensions.pop("lms_keyring", None)
    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        db.session.add(Track(
            id=f"browser-{tag}", name_en="Browser Track", name_ja="ブラウザ・トラック", summary_html_en="<p>x</p>",
            summary_html_ja="<p>x</p>", serial_prefix=f"B{tag[:6].upper()}", validity_years=3, renewal_ce_hours=10,
            renewal_refresher_course=None, practicum_required=False, content_hash="0" * 64,
        ))
        trainee = accounts.register_user(email=f"trainee-{tag}@example.org", password=PASSWORD,
                                         name_latin="Aiko Browser", name_ja="ブラウザ 愛子", prefecture_code="13")
        admin = accounts.register_user(email=f"admin-{tag}@example.org", password=PASSWORD,
                                       name_latin="Admin Browser", roles=(Role.ADMINISTRATOR,))
        names = {"trainee": trainee.email, "admin": admin.email, "track": f"browser-{tag}"}
        db.session.commit()
        db.session.remove()
    yield names
    app.config.pop("LMS_SIGNING_KEYS_DIR", None)
    app.extensions.pop("lms_keyring", None)


def _sign_in(page: Page, live_server, email: str) -> None:
    sign_in(page, live_server, email, PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_request_issue_and_verify(page: Page, live_server, people, check_accessibility):
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    _sign_in(page, live_server, people["trainee"])
    page.goto(live_server(f"/certification/tracks/{people['track']}"))
    page.get_by_role("link", name="Your eligibility checklist and certification request").click()
    expect(page.get_by_role("heading", name="Your eligibility")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Note for the administrators (optional)").fill("Thank you")
    page.get_by_role("button", name="Request certification").click()
    expect(page.get_by_text("Your request was sent to the administrators.")).to_be_visible()
    expect(page.get_by_text("Requested, waiting for a decision")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, people["admin"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Certification requests").click()
    check_accessibility(page)
    page.get_by_role("row", name=re.compile("ブラウザ 愛子")).get_by_role("link").click()
    check_accessibility(page)
    page.get_by_role("button", name="Issue", exact=True).click()
    expect(page.get_by_text("The certificate was issued.")).to_be_visible()
    page.get_by_role("link", name="Public verification page").click()
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.get_by_text("ブラウザ 愛子")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, people["trainee"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My certificates").click()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_be_visible()
    check_accessibility(page)
