"""A new trainee registers, signs out and in, switches the language, and signs out: axe-checked at every page."""

import re
import uuid

from playwright.sync_api import Page, expect

PASSWORD = "Coaching-Aichi-Machining-7"


def test_register_sign_in_switch_language_sign_out(page: Page, live_server, check_accessibility):
    email = f"trainee-{uuid.uuid4().hex[:8]}@example.org"
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(live_server("/"))
    nav = page.get_by_role("navigation", name="Main")
    check_accessibility(page)

    nav.get_by_role("link", name="Register").click()
    expect(page).to_have_url(re.compile("/register$"))
    check_accessibility(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name in Japanese script").fill("伊藤 誠")
    page.get_by_label("Name in Latin script").fill("Makoto Ito")
    page.get_by_label("Prefecture").select_option("23")
    page.get_by_label("Organisation").fill("Aichi IP support counter")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Your account has been created")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile("/login$"))
    check_accessibility(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("wrong-password-entirely")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or password is wrong")
    check_accessibility(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Makoto Ito")).to_be_visible()

    page.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_text("伊藤 誠 としてログイン中です")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="マイアカウント").click()
    expect(page.get_by_role("heading", name="マイアカウント")).to_be_visible()
    expect(page.get_by_text("愛知県")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_text("ログアウトしました")).to_be_visible()
    expect(page.get_by_role("navigation", name="メイン").get_by_role("link", name="ログイン")).to_be_visible()
