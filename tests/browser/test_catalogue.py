"""A buyer browses the catalogue in a real browser: filters, a specification range, search, a product page,
and the filters used with the keyboard alone."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.factories import (
    make_attribute,
    make_category,
    make_listing,
    make_manufacturer,
    make_published_product,
    set_spec,
)


@pytest.fixture
def stock(buyer_a, hub_a):
    uas = make_category("Unmanned aerial systems")
    fpv = make_category("Strike and FPV", parent=uas)
    ew = make_category("Electronic warfare")
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    maker = make_manufacturer("Sokil Works")
    near = make_published_product("Kestrel Short", category=fpv, manufacturer=maker, is_combat_proven=True)
    far = make_published_product("Kestrel Long", category=fpv, manufacturer=maker)
    set_spec(near, range_km, number=Decimal("5"))
    set_spec(far, range_km, number=Decimal("40"))
    make_listing(far, hub_a, lead_time_weeks=3)
    make_published_product("Osprey Jammer", category=ew, is_combat_proven=True)


def log_in(page: Page, live_server, username="buyer-a"):
    page.goto(f"{live_server.url}/accounts/login/?next=/catalogue/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Catalogue", level=1)).to_be_visible()


def card_titles(page: Page):
    return page.locator("#results .card-title")


def test_a_buyer_filters_by_category_and_range_searches_and_opens_a_product(live_server, page: Page, stock):
    log_in(page, live_server)
    expect(card_titles(page)).to_have_count(3)

    filters = page.get_by_role("form", name="Filter products")
    filters.get_by_label(re.compile(r"^Unmanned aerial systems \(2\)")).check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(card_titles(page)).to_have_count(2)

    range_group = page.get_by_role("group", name="Range (km)")
    range_group.get_by_label("Minimum").fill("10")
    page.get_by_role("button", name="Apply filters").click()
    expect(card_titles(page)).to_have_text(["Kestrel Long"])
    expect(page).to_have_url(re.compile(r"spec_range_min=10"))
    expect(page.get_by_role("link", name=re.compile("Range at least 10 km"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Category: Unmanned aerial systems")).click()
    expect(card_titles(page)).to_have_count(3)

    # Several categories at once.
    filters.get_by_label(re.compile(r"^Strike and FPV \(2\)")).check()
    filters.get_by_label(re.compile(r"^Electronic warfare \(1\)")).check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(card_titles(page)).to_have_count(3)
    expect(page).to_have_url(re.compile(r"category=.+&category="))
    page.get_by_role("link", name=re.compile("Category: Electronic warfare")).click()
    expect(card_titles(page)).to_have_count(2)
    page.get_by_role("link", name="Clear all").first.click()

    search = page.get_by_label("Search the catalogue")
    search.fill("osprey")
    search.press("Enter")
    expect(card_titles(page)).to_have_text(["Osprey Jammer"])

    page.get_by_role("link", name="Osprey Jammer").click()
    expect(page.get_by_role("heading", name="Osprey Jammer", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Expressions of interest")).to_be_visible()


def test_the_search_box_suggests_products_as_one_types(live_server, page: Page, stock):
    log_in(page, live_server)

    search = page.get_by_role("combobox", name="Search the catalogue")
    search.press_sequentially("kestrel long", delay=30)
    options = page.get_by_role("listbox", name="Suggested products").get_by_role("option")
    expect(options.first).to_have_text("Kestrel Long")  # the best match first
    expect(search).to_have_attribute("aria-expanded", "true")

    search.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", re.compile("option-0"))
    search.press("Enter")
    expect(page.get_by_role("heading", name="Kestrel Long", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="3 weeks")).to_be_visible()


def test_the_filters_work_with_the_keyboard_alone(live_server, page: Page, stock):
    log_in(page, live_server)

    # From the search box, Tab walks into the filters: first the skip link, then the category checkboxes.
    page.get_by_label("Search the catalogue").focus()
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the results")).to_be_focused()
    page.keyboard.press("Tab")  # the summary that folds the filters
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile(r"^Electronic warfare \(\d+\)"))).to_be_focused()

    combat_proven = page.get_by_label(re.compile(r"^Combat-proven \(\d+\)"))
    for _step in range(40):
        if combat_proven.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(combat_proven).to_be_focused()
    outline = combat_proven.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused checkbox shows no focus indicator"
    page.keyboard.press("Space")
    expect(combat_proven).to_be_checked()
    assert "combat_proven" not in page.url, "ticking a box must not submit the form by itself"

    apply = page.get_by_role("button", name="Apply filters")
    for _step in range(60):
        if apply.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(apply).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"combat_proven=yes"))
    expect(card_titles(page)).to_have_text(["Kestrel Short", "Osprey Jammer"])
    # Empty fields are left out of the address, so it can be shared as it is.
    assert "lead_time_max=" not in page.url and "q=" not in page.url
