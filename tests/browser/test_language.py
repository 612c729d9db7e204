"""Visitors and buyers switch the interface language with the menu at the top of every page."""

from playwright.sync_api import Page, expect

from tests.factories import make_published_product


def test_a_visitor_switches_the_landing_page_to_ukrainian(live_server, page: Page):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Surplus Ukrainian defence technology, proven in combat"
    )

    page.get_by_label("Language").select_option("uk")
    page.get_by_role("button", name="Change").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Надлишкова українська оборонна продукція, перевірена в бою"
    )
    expect(page.locator("html")).to_have_attribute("lang", "uk")


def test_a_buyer_keeps_the_chosen_language_across_pages(live_server, page: Page, buyer_a):
    make_published_product("Kestrel FPV")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change").click()

    page.locator("#id_username").fill("buyer-a")
    page.locator("#id_password").fill("pw")
    page.get_by_role("main").get_by_role("button", name="Anmelden").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Katalog")
    expect(page.get_by_role("main")).to_contain_text("Kestrel FPV")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Hubs").click()
    expect(page).to_have_url(f"{live_server.url}/hubs/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
