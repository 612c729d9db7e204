"""A buyer shortlists products, expresses interest in all of them at once and follows it, in a browser."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import make_hub, make_listing, make_published_product


def log_in(page: Page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def test_a_buyer_shortlists_three_products_and_submits_one_expression_of_interest(
    live_server, page: Page, buyer_a, hub_a
):
    hub_c = make_hub("Hub C", country="DK", city="Copenhagen")
    products = [make_published_product(name) for name in ("Kestrel FPV", "Osprey Recon", "Harrier EW")]
    for product, hub in zip(products, (hub_a, hub_c, hub_a), strict=True):
        make_listing(product, hub, quantity_available=10, destination_countries=["DE"])
    log_in(page, live_server, "buyer-a")

    # Two from the catalogue, one from its product page.
    page.goto(f"{live_server.url}/catalogue/")
    for product in products[:2]:
        page.get_by_role("button", name=f"Add to shortlist ({product.name})").click()
        expect(page.locator(".messages")).to_contain_text(f"{product.name} is on your shortlist")
    page.goto(f"{live_server.url}/catalogue/{products[2].slug}/")
    page.get_by_role("button", name=f"Add to shortlist ({products[2].name})").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Shortlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shortlist")
    start = timezone.localdate() + datetime.timedelta(days=30)
    for index, product in enumerate(products):
        item = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=product.name))
        expect(item.get_by_label("Include in this expression of interest")).to_be_checked()
        item.get_by_label("Hub and listing").select_option(index=1)
        confirmation = item.get_by_label(re.compile("I understand that this exceeds the quantity listed"))
        expect(confirmation).to_be_hidden()
        item.get_by_label("Quantity", exact=True).fill(str(index + 12))  # more than the 10 listed
        # Flagged as it is typed (static/js/shortlist.js); nothing goes out before it is confirmed.
        expect(item.get_by_text("This is more than the quantity listed")).to_be_visible()
        confirmation.check()
        item.get_by_label("Delivery wanted from").fill(start.isoformat())
        item.get_by_label("Delivery wanted until").fill((start + datetime.timedelta(days=60)).isoformat())
    page.get_by_label("End user").fill("1st Air Defence Battalion")
    page.get_by_label("Air defence").check()
    page.get_by_label("In preparation").check()
    page.get_by_label("National budget").check()
    page.get_by_label("Contact person").fill("Anna Beispiel")
    page.get_by_label("Contact phone").fill("+49 30 1234567")
    page.get_by_label(re.compile("I declare that the information given is accurate")).check()
    page.get_by_role("button", name="Submit expression of interest").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Expression of interest submitted")
    reference = page.locator(".interest-reference").inner_text()
    assert re.fullmatch(r"EOI-\d{4}-\d{5}", reference)
    lines = page.get_by_role("table").get_by_role("row")
    expect(lines).to_have_count(4)  # a header row and three lines
    expect(page.get_by_role("table")).to_contain_text("More than listed")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My expressions of interest").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("Submitted")
    expect(row.get_by_role("cell").nth(3)).to_have_text("3")

    # Withdrawing asks first; "Keep it" changes nothing.
    row.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Withdraw expression of interest…").click()
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    page.get_by_role("link", name="Withdraw expression of interest…").click()
    page.get_by_label("Reason (optional)").fill("Budget moved to next year")
    page.get_by_role("button", name="Withdraw this expression of interest").click()
    expect(page.locator(".messages")).to_contain_text(f"You withdrew {reference}.")
    expect(page.get_by_role("main")).to_contain_text("Budget moved to next year")
