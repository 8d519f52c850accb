"""A regional support centre matches an SME in Shimane to professionals in Chromium, in English and Japanese;
axe-checked."""

import re
import uuid

from playwright.sync_api import Page, expect

from lms.accounts import operations as accounts
from lms.core.access import Role
from lms.core.db import db, utcnow
from lms.roster import listing
from lms.roster.models import RosterPrefecture, RosterProfile, RosterTerm
from tests.browser.roster_data import certify
from tests.browser_support import sign_in

PASSWORD = "Matching-Shimane-Izumo-32"


def _professional(name: str, prefectures: tuple[str, ...], specialties: tuple[str, ...], *, on_site: bool) -> None:
    """A certified, consenting professional on the live server's roster."""
    user = accounts.register_user(email=f"{uuid.uuid4().hex[:8]}@example.org", password=PASSWORD, name_latin=name)
    db.session.flush()
    certify(user)
    profile = RosterProfile(user_id=user.id, display_name_latin=name, sort_name=name.casefold(),
                            organisation="regional_support", on_site=on_site, consented_at=utcnow(),
                            phone="0852-00-0000")
    profile.prefecture_rows = [RosterPrefecture(prefecture_code=code) for code in prefectures]
    profile.term_rows = [RosterTerm(kind="specialties", term=term) for term in specialties]
    profile.term_rows.append(RosterTerm(kind="company_types", term="rd"))
    db.session.add(profile)
    db.session.flush()
    listing.refresh_certification(user_id=user.id)


def _roster(live_server) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:4]
    with live_server.app.app_context():
        _professional(f"Izumo {tag}", ("32",), ("patents", "licensing"), on_site=True)
        _professional(f"Hiroshima {tag}", ("34",), ("patents",), on_site=False)
        _professional(f"Kobe {tag}", ("28",), ("licensing",), on_site=True)
        email = f"centre-{tag}@example.org"
        accounts.register_user(email=email, password=PASSWORD, name_latin="Shimane Centre", roles=(Role.PARTNER,))
        db.session.commit()
    return tag, email


def test_a_partner_matches_an_sme(page: Page, live_server, check_accessibility):
    tag, email = _roster(live_server)
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, live_server, email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="SME matching").click()
    expect(page.get_by_role("heading", name="SME matching")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("The SME's prefecture").select_option("32")
    page.get_by_label("Patents", exact=True).check()
    page.get_by_label("Licensing and contracts").check()
    page.get_by_label("Company type").select_option("rd")
    page.get_by_label("An on-site visit is wanted").check()
    page.get_by_role("button", name="Find professionals").click()

    expect(page).to_have_url(re.compile(r"prefecture=32.*specialty=patents.*specialty=licensing.*on_site=true"))
    cards = page.locator(".match-card")
    expect(cards.nth(0).get_by_role("heading")).to_have_text(f"Izumo {tag}")
    expect(cards.nth(0)).to_contain_text("Serves Shimane (same prefecture)")
    expect(cards.nth(0)).to_contain_text("Covers 2 of 2 needs: Licensing and contracts, Patents")
    expect(cards.nth(0)).to_contain_text("Available on site")
    hiroshima = cards.filter(has_text=f"Hiroshima {tag}")
    expect(hiroshima).to_contain_text("Same region: Chugoku")
    expect(hiroshima).to_contain_text("Missing: Licensing and contracts")
    expect(cards.filter(has_text=f"Kobe {tag}")).to_contain_text("Neighbouring region: Kinki")
    expect(cards.nth(0).get_by_role("link", name=re.compile("@example.org"))).to_be_visible()
    check_accessibility(page)

    # The same link, shared, in Japanese.
    page.get_by_role("button", name="日本語").click()
    expect(page.locator(".match-card").nth(0)).to_contain_text("島根県を担当（同じ都道府県）")
    expect(page.locator(".match-card").filter(has_text=f"Kobe {tag}")).to_contain_text("隣接する地方：近畿")
    check_accessibility(page)
