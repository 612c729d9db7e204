"""A hub coordinator works in the admin in a real browser and sees only their own hub."""

import re

from playwright.sync_api import Page, expect

from tests.factories import make_listing, make_product


def log_in(page: Page, live_server, username: str, password: str = "pw"):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_coordinator_logs_in_and_sees_only_their_hubs_listings(live_server, page: Page, hub_a, hub_b):
    make_listing(make_product("Kestrel FPV"), hub_a)
    make_listing(make_product("Osprey Jammer"), hub_b)

    log_in(page, live_server, "coordinator-a")
    expect(page).to_have_title(re.compile("Hub Catalogue"))
    page.goto(f"{live_server.url}/admin/hubs/listing/")

    expect(page.locator("#result_list")).to_contain_text("Kestrel FPV")
    expect(page.locator("#result_list")).not_to_contain_text("Osprey Jammer")


def test_the_landing_page_shows_the_hubs_and_a_language_switcher(live_server, page: Page, hub_a):
    page.goto(live_server.url)

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Hub A")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    expect(page.get_by_label("Language")).to_be_visible()
