"""In Chromium: a trainee writes (autosaved), submits; a grader asks for a revision; the trainee resubmits,
compares the versions; the grader passes it. Every page is checked with axe-core."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from lms.accounts import operations as accounts
from lms.core.access import Role
from lms.core.db import db
from lms.practicum import operations
from tests.browser_support import sign_in
from tests.helpers import PASSWORD
from tests.practicum.helpers import sync_sample

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server, tmp_path):
    app = live_server.app
    before = app.config["LMS_STORAGE_DIR"]
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "storage")
    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        sync_sample()
        trainee = accounts.register_user(email=f"trainee-{tag}@example.org", password=PASSWORD,
                                         name_latin="Kenji Mori", prefecture_code="15")
        grader = accounts.register_user(email=f"grader-{tag}@example.org", password=PASSWORD,
                                        name_latin="Yumi Grader", roles=(Role.INSTRUCTOR,))
        db.session.flush()
        operations.assign_grader("sample-track", grader, actor_id=None)
        db.session.commit()
        emails = {"trainee": trainee.email, "grader": grader.email}
    yield emails
    app.config["LMS_STORAGE_DIR"] = before


def _sign_in(page: Page, live_server, email: str) -> None:
    sign_in(page, live_server, email, PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _grade(page: Page, levels: dict[str, int], feedback: str = "") -> None:
    for criterion, level in levels.items():
        page.locator(f"#score-{criterion}-{level}").check()
    if feedback:
        page.get_by_label("Feedback to the trainee").fill(feedback)
    page.get_by_role("button", name="Record the grading").click()


def test_submit_grade_resubmit_compare_and_pass(page: Page, live_server, people, check_accessibility):
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(live_server("/certification/tracks/sample-track"))
    expect(page.get_by_text("サンプル支援トラック")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Read the practicum brief, report template and full rubric").click()
    expect(page.get_by_role("table")).to_contain_text("A structured interview.")
    check_accessibility(page)
    _sign_in(page, live_server, people["trainee"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Practicum").click()
    check_accessibility(page)
    page.get_by_role("link", name="Start my report").click()
    expect(page.get_by_role("heading", name=re.compile("My report"))).to_be_visible()
    check_accessibility(page)

    # Autosave: typing is saved without pressing a button.
    page.get_by_label("Anonymised SME profile").fill("A sake brewery in Niigata, 25 employees.")
    expect(page.locator(".autosave-status")).to_contain_text("Draft saved at", timeout=10_000)
    page.reload()
    expect(page.get_by_label("Anonymised SME profile")).to_have_value("A sake brewery in Niigata, 25 employees.")

    # Submitting with a required section empty keeps the text and says what is missing.
    page.get_by_role("button", name="Submit for grading").click()
    expect(page.get_by_role("alert")).to_contain_text("Fill in every required section")
    check_accessibility(page)
    page.get_by_label("Diagnosis interview").fill("Interviewed the owner and the toji.")
    page.get_by_role("button", name="Submit for grading").click()
    expect(page.get_by_text("Version 1 submitted")).to_be_visible()
    check_accessibility(page)
    _sign_out(page)

    _sign_in(page, live_server, people["grader"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Grading queue").click()
    check_accessibility(page)
    page.get_by_role("row", name=re.compile("Kenji Mori")).get_by_role("link", name="Grade").click()
    check_accessibility(page)
    _grade(page, {"diagnosis": 1, "strategy": 1, "action-plan": 0}, "Add an action plan with owners and dates.")
    expect(page.get_by_text("Decision recorded: resubmit")).to_be_visible()
    _sign_out(page)

    _sign_in(page, live_server, people["trainee"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Practicum").click()
    expect(page.get_by_text("Revision requested")).to_be_visible()
    page.get_by_role("link", name="Continue writing").click()
    expect(page.get_by_text("Add an action plan with owners and dates.")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Diagnosis interview").fill(
        "Interviewed the owner and the toji.\n"
        "Action: register a regional collective trademark by June (owner: the owner)."
    )
    page.get_by_role("button", name="Submit for grading").click()
    expect(page.get_by_text("Version 2 submitted")).to_be_visible()
    page.get_by_role("link", name="Compare versions").click()
    expect(page.locator("ins")).to_contain_text("register a regional collective trademark")
    check_accessibility(page)
    _sign_out(page)

    _sign_in(page, live_server, people["grader"])
    page.goto(live_server("/practicum/queue"))
    page.get_by_role("row", name=re.compile("Kenji Mori")).get_by_role("link", name="Grade").click()
    _grade(page, {"diagnosis": 3, "strategy": 2, "action-plan": 2})
    expect(page.get_by_text("Decision recorded: pass")).to_be_visible()
    expect(page.get_by_text("No report is waiting for grading")).to_be_visible()
