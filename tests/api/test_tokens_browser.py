"""A partner creates an API token in Chromium, uses it from a program, and revokes it; axe-checked pages."""

import json
import urllib.error
import urllib.request
import uuid

from playwright.sync_api import Page, expect

from lms.accounts import operations as accounts
from lms.core.access import Role
from lms.core.db import db
from tests.browser_support import sign_in

PASSWORD = "Partner-Bank-Osaka-2026"


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 - our server
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 - our server
            json.load(response)
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_partner_creates_uses_and_revokes_an_api_token(page: Page, live_server, check_accessibility):
    email = f"partner-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        accounts.register_user(email=email, password=PASSWORD, name_latin="Kansai Partner Bank", roles=(Role.PARTNER,))
        db.session.commit()
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, live_server, email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Give the token a name.")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("lms_")
    expect(page.get_by_role("cell", name="CRM sync", exact=True)).to_be_visible()
    check_accessibility(page)

    contacts = live_server("/api/v1/roster?include=contacts")
    assert _status(contacts, secret) == 200
    page.goto(live_server("/api-tokens"))  # the secret is not shown again
    expect(page.locator("code.secret")).to_have_count(0)
    page.get_by_role("button", name="Revoke “CRM sync”").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    assert _status(contacts, secret) == 401

    page.get_by_role("link", name="How to use the API").click()
    expect(page.get_by_role("heading", name="Roster API")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="名簿API")).to_be_visible()
    check_accessibility(page)
