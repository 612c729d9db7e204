"""Every partner-facing page passes axe-core's WCAG 2.2 AA rules, on a desktop and on a phone.

axe is injected with Playwright's page.evaluate, which runs outside the page's Content-Security-Policy: the
site's CSP stays as strict as ever and the autouse CSP fixture still fails on anything the page itself does.
"""

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import (
    make_attribute,
    make_buyer,
    make_category,
    make_listing,
    make_organisation,
    make_published_product,
    set_spec,
)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE = Axe()


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(request, page: Page) -> Page:
    page.set_viewport_size(VIEWPORTS[request.param])
    return page


def violations_on(page: Page) -> list[str]:
    """axe's violations on the page as it is now, one readable line per rule."""
    results = AXE.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]


def check_pages(page: Page, live_server, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        found[path] = violations_on(page)
    return found


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}\n  " + "\n  ".join(lines) for path, lines in found.items() if lines)


def log_in(page: Page, live_server, username: str, next_path: str = "/catalogue/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("main").get_by_role("button", name="Log in").click()


@pytest.fixture
def stock(buyer_a, hub_a, hub_b):
    """Enough for every part of the pages to show: facets, a range filter, two pages of results, listings
    at two hubs offered to buyer A's country (DE)."""
    uas = make_category("Unmanned aerial systems")
    fpv = make_category("Strike and FPV drones", parent=uas)
    ew = make_category("Electronic warfare")
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    products = [
        make_published_product(f"Kestrel drone {number}", category=fpv, is_combat_proven=number % 2 == 0)
        for number in range(1, 12)
    ]
    products.append(make_published_product("Osprey Jammer", category=ew, is_combat_proven=True))
    products.append(make_published_product("Heron drone", category=uas))
    for number, product in enumerate(products[:3], start=1):
        set_spec(product, range_km, number=Decimal(10 * number))
        make_listing(product, hub_a, lead_time_weeks=number)
    make_listing(products[0], hub_b, destination_countries=["DE"])
    return {"category": uas, "product": products[0], "hub": hub_a}


def test_public_pages_have_no_wcag_violations(live_server, sized_page: Page):
    page = sized_page
    found = check_pages(page, live_server, ["/", "/accounts/login/", "/access/request/", "/no-such-page/"])

    page.goto(f"{live_server.url}/access/request/")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    found["/access/request/ (POST with errors)"] = violations_on(page)

    assert not any(found.values()), report(found)


def test_buyer_pages_have_no_wcag_violations(live_server, sized_page: Page, stock):
    page = sized_page
    log_in(page, live_server, "buyer-a")
    expect(page.get_by_role("heading", name="Catalogue", level=1)).to_be_visible()
    found = check_pages(
        page,
        live_server,
        [
            "/",
            "/catalogue/",
            f"/catalogue/?category={stock['category'].slug}&available=yes",
            "/catalogue/?q=drone",
            f"/catalogue/{stock['product'].slug}/",
            "/hubs/",
            f"/hubs/{stock['hub'].slug}/",
            "/catalogue/no-such-product/",
        ],
    )

    page.goto(f"{live_server.url}/catalogue/")
    for name in ("Kestrel drone 1", "Heron drone"):
        page.get_by_role("button", name=f"Add to comparison ({name})").click()
        expect(page.get_by_role("button", name=f"Remove from comparison ({name})")).to_be_visible()
    page.goto(f"{live_server.url}/catalogue/compare/")
    expect(page.get_by_role("table").get_by_role("columnheader")).to_have_count(2)
    found["/catalogue/compare/ (two products)"] = violations_on(page)

    assert not any(found.values()), report(found)


def test_the_access_refused_page_has_no_wcag_violations(live_server, sized_page: Page):
    page = sized_page
    make_buyer("buyer-pending", organisation=make_organisation(vetting_status="pending"))
    log_in(page, live_server, "buyer-pending")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")

    found = {"403 (organisation still being vetted)": violations_on(page)}
    assert not any(found.values()), report(found)
