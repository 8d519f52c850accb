"""A trainee takes a quiz in Chromium: the autosave script works under the CSP, answers survive a reload and a
second device, and the submission is graded once; axe-checked."""

import uuid

from playwright.sync_api import Browser, Page, expect

from lms.accounts import operations as accounts
from lms.core import content
from lms.core.db import db
from tests.browser_support import sign_in
from tests.quizzes.conftest import CONTENT, ensure_sample_course

PASSWORD = "Quiz-Journey-Niigata-2026"


def _trainee(live_server) -> str:
    email = f"quiz-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        ensure_sample_course()
        content.sync(CONTENT)
        accounts.register_user(email=email, password=PASSWORD, name_latin="Quiz Taker")
        db.session.commit()
    return email


def _sign_in(page: Page, live_server, email: str) -> None:
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, live_server, email, PASSWORD)
    expect(page.get_by_text("Signed in as Quiz Taker")).to_be_visible()


def test_take_a_quiz_with_autosave(page: Page, browser: Browser, live_server, check_accessibility):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    email = _trainee(live_server)
    _sign_in(page, live_server, email)
    page.goto(live_server("/quizzes/sample-01/start"))
    check_accessibility(page)
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("heading", name="Quiz: basics")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("20 years from the filing date").check()
    expect(page.locator("#quiz-save-status")).to_contain_text("✓")
    page.get_by_label("Your answer", exact=True).first.fill("JPO")
    expect(page.locator("#quiz-save-status")).to_contain_text("✓")
    page.reload()
    expect(page.get_by_label("20 years from the filing date")).to_be_checked()

    # A second device: another browser context, signed in as the same trainee, finds the answers saved.
    other = browser.new_context()
    second = other.new_page()
    _sign_in(second, live_server, email)
    second.goto(live_server("/quizzes/sample-01/start"))
    second.get_by_role("link", name="Continue attempt 1").click()
    expect(second.get_by_label("20 years from the filing date")).to_be_checked()
    other.close()

    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Attempt 1, submitted")).to_be_visible()
    expect(page.get_by_role("heading", name="Explanation").first).to_be_visible()
    check_accessibility(page)
    page.go_back()  # the submitted attempt's page now leads to its review
    page.reload()
    expect(page.get_by_text("Attempt 1, submitted")).to_be_visible()
    assert errors == []
