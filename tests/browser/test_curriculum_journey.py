"""An administrator enrols, reads a lesson, completes it, and edits it with the live preview (JavaScript under
the strict CSP): axe-checked on every curriculum page."""

import uuid

from playwright.sync_api import Page, expect

from lms.accounts import operations as accounts
from lms.core import content
from lms.core.access import Role
from lms.core.db import db
from tests.browser_support import sign_in
from tests.curriculum.helpers import FIXTURES

PASSWORD = "Lesson-Preview-Okayama-9"


def test_read_complete_and_edit_with_live_preview(page: Page, live_server, check_accessibility):
    email = f"admin-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        content.sync(FIXTURES)
        accounts.register_user(
            email=email, password=PASSWORD, name_latin="Aya Admin", roles=(Role.ADMINISTRATOR,)
        )
        db.session.commit()
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, live_server, email, PASSWORD)

    page.goto(live_server("/courses"))
    check_accessibility(page)
    page.get_by_role("link", name="Sample course").click()
    check_accessibility(page)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_text("You are enrolled")).to_be_visible()
    page.get_by_role("link", name="First steps").first.click()
    expect(page.get_by_role("heading", name="First steps", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Contents")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Mark this lesson complete").click()
    expect(page.get_by_text("Lesson marked complete.")).to_be_visible()

    page.get_by_role("link", name="Edit this lesson").click()
    check_accessibility(page)
    editor = page.get_by_label("Lesson file (front matter and Markdown)")
    editor.fill(editor.input_value() + "\n\n**Live preview works** <script>document.title='x'</script>\n")
    expect(page.locator("#preview strong")).to_have_text("Live preview works")
    expect(page.locator("#preview script")).to_have_count(0)
    editor.fill("no front matter")
    expect(page.locator("#preview-problems")).to_contain_text("front matter missing")
    page.goto(live_server("/search?q=存続期間"))
    expect(page.locator("mark").first).to_have_text("存続期間")
    check_accessibility(page)
