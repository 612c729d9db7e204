"""A buyer compares two products and finds a hub's listings, in a real browser."""

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from products.models import SpecAttribute
from tests.factories import make_attribute, make_category, make_listing, make_published_product, set_spec


def log_in(page: Page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def two_drones():
    uas = make_category("Unmanned aerial systems")
    range_km = make_attribute(uas, "Range", unit="km", direction=SpecAttribute.Direction.HIGHER_IS_BETTER)
    kestrel = make_published_product("Kestrel FPV", category=uas)
    osprey = make_published_product("Osprey Recon", category=uas)
    set_spec(kestrel, range_km, number=Decimal("12"))
    set_spec(osprey, range_km, number=Decimal("40"))
    return kestrel, osprey


def test_a_buyer_marks_two_products_and_sees_them_side_by_side(live_server, page: Page, buyer_a):
    kestrel, osprey = two_drones()
    log_in(page, live_server, "buyer-a")

    for product in (kestrel, osprey):
        page.goto(f"{live_server.url}/catalogue/{product.slug}/")
        page.get_by_role("button", name=f"Add to comparison ({product.name})").click()
        # With JavaScript the button turns into its opposite in place and a live region says so.
        remove = page.get_by_role("button", name=f"Remove from comparison ({product.name})")
        expect(remove).to_have_attribute("aria-pressed", "true")
        expect(page.get_by_role("status").filter(has_text=product.name)).to_have_count(1)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Compare products")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_contain_text(["Kestrel FPV", "Osprey Recon"])
    range_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile("Range")))
    expect(range_row.get_by_role("cell")).to_contain_text(["12 km", "40 km"])
    expect(range_row.get_by_role("cell").nth(1)).to_contain_text("Best")
    expect(range_row.get_by_role("cell").nth(0)).not_to_contain_text("Best")

    page.get_by_role("button", name="Remove Kestrel FPV").click()
    expect(table.get_by_role("columnheader")).to_have_count(1)
    expect(page.get_by_role("main")).to_contain_text("Kestrel FPV is no longer in the comparison.")


def test_without_javascript_the_comparison_forms_still_work(live_server, browser, buyer_a):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    kestrel, osprey = two_drones()
    log_in(page, live_server, "buyer-a")

    for product in (kestrel, osprey):
        page.goto(f"{live_server.url}/catalogue/{product.slug}/")
        page.get_by_role("button", name=f"Add to comparison ({product.name})").click()
        expect(page).to_have_url(f"{live_server.url}/catalogue/{product.slug}/")
        expect(page.get_by_role("main")).to_contain_text(f"{product.name} is in the comparison")

    page.goto(f"{live_server.url}/catalogue/compare/")
    expect(page.get_by_role("table").get_by_role("columnheader")).to_have_count(2)
    page.get_by_role("button", name="Clear comparison").click()
    expect(page.get_by_role("heading", name="No products to compare yet")).to_be_visible()
    context.close()


def test_a_buyer_finds_a_hub_on_the_map_and_sees_its_listings(live_server, page: Page, buyer_a, hub_a, hub_b):
    make_listing(make_published_product("Kestrel FPV"), hub_a, lead_time_weeks=3)
    make_listing(make_published_product("Poland-only Jammer"), hub_a, destination_countries=["PL"])
    log_in(page, live_server, "buyer-a")

    page.goto(f"{live_server.url}/hubs/")
    expect(page.get_by_role("list").filter(has_text="Hub A")).to_contain_text("1 listing")
    page.get_by_role("group", name="Map of Europe with the export hubs").get_by_role(
        "link", name=re.compile("Hub A")
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hub A")
    listings = page.get_by_role("table")
    expect(listings).to_contain_text("Kestrel FPV")
    expect(listings).to_contain_text("3 weeks")
    expect(listings).not_to_contain_text("Poland-only Jammer")

    page.get_by_role("link", name="Export hubs").click()
    page.get_by_role("link", name="Hub B", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("no listings offered to your country")


def test_on_a_phone_no_page_scrolls_sideways_and_the_comparison_scrolls_in_its_box(
    live_server, browser, buyer_a, hub_a
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    kestrel, osprey = two_drones()
    third = make_published_product("Heron Long-Range Reconnaissance Aircraft", category=kestrel.category)
    make_listing(kestrel, hub_a, unit_price_eur=Decimal("12500"))
    log_in(page, live_server, "buyer-a")
    for product in (kestrel, osprey, third):
        page.goto(f"{live_server.url}/catalogue/{product.slug}/")
        page.get_by_role("button", name=f"Add to comparison ({product.name})").click()
        expect(page.get_by_role("button", name=f"Remove from comparison ({product.name})")).to_be_visible()

    for path in (
        "/catalogue/",
        f"/catalogue/{kestrel.slug}/",
        "/catalogue/compare/",
        "/hubs/",
        f"/hubs/{hub_a.slug}/",
    ):
        page.goto(f"{live_server.url}{path}")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (path, widths)

    page.goto(f"{live_server.url}/catalogue/compare/")
    box = page.get_by_role("region", name="Products side by side")
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")  # it scrolls, not the page
    expect(page.get_by_text("The table scrolls sideways")).to_be_visible()
    context.close()
