"""A certificate holder fills in a roster profile, agrees to be listed, is found on the public roster with a
filter, then leaves the roster and is gone from it: in Chromium, axe-checked at every page."""

import uuid

from playwright.sync_api import Page, expect

from lms.accounts import operations as accounts
from lms.core.db import db
from tests.browser.roster_data import certify
from tests.browser_support import sign_in

PASSWORD = "Roster-Journey-Gifu-2026"


def _holder(live_server) -> tuple[str, str]:
    """A trainee in Gifu with a valid certificate (written directly: issuance has tests of its own)."""
    suffix = uuid.uuid4().hex[:6]
    email, name = f"roster-{suffix}@example.org", f"Journey Holder {suffix}"
    with live_server.app.app_context():
        user = accounts.register_user(email=email, password=PASSWORD, name_latin=name, prefecture_code="21")
        db.session.flush()
        certify(user)
        db.session.commit()
    return email, name


def test_holder_opts_in_is_found_with_a_filter_then_opts_out(page: Page, live_server, check_accessibility):
    errors: list[str] = []
    # (a refused form answers 422, which Chromium logs as a failed resource: not a script error)
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 422" not in message.text else None)
    email, name = _holder(live_server)
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, live_server, email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My roster profile").click()
    expect(page.get_by_role("heading", name="My roster profile")).to_be_visible()
    expect(page.get_by_label("Gifu")).to_be_checked()  # the account's prefecture
    check_accessibility(page)
    page.get_by_role("button", name="Save the profile").click()  # no specialty yet
    expect(page.get_by_text("Choose at least one specialty.")).to_be_visible()
    # "Select all" (profile.js) ticks the whole Chubu region
    page.locator('[data-region="chubu"]').click()
    expect(page.get_by_label("Aichi")).to_be_checked()
    page.get_by_label("Designs").check()
    page.get_by_label("Short bio").fill("I help **manufacturers** register their designs.")
    page.get_by_role("button", name="Save the profile").click()

    expect(page.get_by_role("heading", name="Agree to be listed on the roster")).to_be_visible()
    expect(page.get_by_text("Network partners only")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("I agree to be listed on the roster as described above.").check()
    page.get_by_role("button", name="Join the roster").click()
    expect(page.get_by_text("You are on the roster now.")).to_be_visible()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.locator(".bio strong")).to_have_text("manufacturers")
    expect(page.get_by_text(email)).to_have_count(0)
    check_accessibility(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roster", exact=True).click()
    page.get_by_label("Prefecture").select_option("23")
    page.get_by_label("Specialty").select_option("designs")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Specialty").select_option("licensing")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=name)).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My roster profile").click()
    page.get_by_role("button", name="Leave the roster now").click()
    expect(page.get_by_text("You have left the roster")).to_be_visible()
    check_accessibility(page)
    page.goto(live_server("/roster?prefecture=23&specialty=designs"))
    expect(page.get_by_role("link", name=name)).to_have_count(0)
    assert errors == []
