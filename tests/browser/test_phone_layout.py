"""On a phone (390 px wide) no buyer page scrolls sideways, and the header's menu opens from its button; on
a laptop (1280 px) the navigation is in the header, without a button."""

import re

import pytest
from playwright.sync_api import Page, expect

from interests.models import ShortlistItem
from tests.browser.test_expression_of_interest import log_in
from tests.factories import make_interest, make_listing, make_published_product

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def buyer_pages(buyer_a, hub_a):
    """A shortlist of two products and an expression of interest: every buyer page has rows to show."""
    listings = []
    for name in ("Kestrel FPV long-range reconnaissance drone", "Osprey Recon"):
        product = make_published_product(name)
        listings.append(make_listing(product, hub_a, quantity_available=12500, destination_countries=["DE"]))
        ShortlistItem.objects.create(user=buyer_a.user, product=product)
    interest = make_interest(buyer_a, listings)
    return [
        "/",
        "/interests/shortlist/",
        f"/interests/{interest.reference}/",
        "/interests/",
        f"/interests/{interest.reference}/withdraw/",
    ]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_no_page_scrolls_sideways_on_a_phone(live_server, page: Page, buyer_pages):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert fits_the_screen(page), "/accounts/login/"
    log_in(page, live_server, "buyer-a")

    for path in buyer_pages:
        page.goto(f"{live_server.url}{path}")
        assert fits_the_screen(page), path


def test_the_header_menu_opens_from_its_button_on_a_phone(live_server, page: Page, buyer_pages):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "buyer-a")
    page.goto(f"{live_server.url}/")
    menu = page.get_by_role("button", name="Menu")
    navigation = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()

    menu.click()

    expect(menu).to_have_attribute("aria-expanded", "true")
    navigation.get_by_role("link", name="Shortlist (2)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shortlist")


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(live_server, page: Page, buyer_pages):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("main").get_by_role("link", name="Request access").click()
    page.get_by_role("button", name="Send the request").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    summary.get_by_role("link", name="Full name: This field is required.").click()
    expect(page.get_by_label("Full name")).to_be_focused()


def test_the_navigation_is_in_the_header_on_a_laptop(live_server, page: Page, buyer_pages):
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server, "buyer-a")
    page.goto(f"{live_server.url}/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Shortlist (2)")
    ).to_be_visible()
