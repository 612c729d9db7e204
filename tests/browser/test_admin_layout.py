"""The admin on a laptop (1280 × 900): a coordinator's change lists fit their key columns without scrolling
sideways, and an EOI's page reads in words, not stored codes."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from interests.models import Reason, Status
from tests.factories import make_buyer, make_interest, make_listing, make_organisation, make_product

LAPTOP = {"width": 1280, "height": 900}

# The results table is as wide as its box allows; a pixel over is the browser rounding a fractional width.
FITS = """() => {
    const table = document.querySelector('#result_list');
    const box = table.parentElement;
    return {
        table: table.scrollWidth,
        box: box.clientWidth,
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
    };
}"""


@pytest.fixture
def laptop(page: Page):
    page.set_viewport_size(LAPTOP)
    return page


def log_in(page: Page, live_server, username: str):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()


def assert_fits(page: Page):
    widths = page.evaluate(FITS)
    assert widths["table"] <= widths["box"] + 1, widths
    assert widths["page"] <= widths["viewport"], widths


@pytest.fixture
def busy_hub(hub_a, hub_b, coordinator_a):
    """Hub A with long names in every column: EOIs across both hubs, long organisation and product names."""
    hub_b.coordinators.add(coordinator_a)
    organisation = make_organisation("Territorial Defence Procurement Directorate of the Armed Forces")
    buyer = make_buyer(organisation=organisation)
    for index in range(12):
        listings = [
            make_listing(
                make_product(f"Long-range reconnaissance system Mk {index}"), hub, unit_price_eur=361900
            )
            for hub in (hub_a, hub_b)
        ]
        make_interest(
            buyer,
            listings,
            end_user="1st Air Defence Battalion",
            submitted_at=timezone.now() - datetime.timedelta(days=3 * index),
        )
    return buyer


def test_the_eoi_change_list_fits_a_laptop(live_server, laptop: Page, busy_hub):
    log_in(laptop, live_server, "coordinator-a")
    laptop.goto(f"{live_server.url}/admin/interests/expressionofinterest/")

    expect(laptop.locator("#result_list tbody tr")).to_have_count(12)
    for column in ("Organisation", "Hubs", "Submitted", "Age", "Review due", "Reviewer"):
        expect(laptop.locator("#result_list thead")).to_contain_text(column, ignore_case=True)
    assert_fits(laptop)


def test_the_listing_change_list_fits_a_laptop(live_server, laptop: Page, busy_hub):
    log_in(laptop, live_server, "coordinator-a")
    laptop.goto(f"{live_server.url}/admin/hubs/listing/")

    for column in ("Export licence", "Unit price", "Valid until"):
        expect(laptop.locator("#result_list thead")).to_contain_text(column, ignore_case=True)
    expect(laptop.locator("#result_list tbody").first).to_contain_text("€361,900")
    assert_fits(laptop)


def test_the_eoi_page_shows_its_history_in_words(live_server, laptop: Page, hub_a, buyer_a, coordinator_a):
    interest = make_interest(
        buyer_a, [make_listing(make_product("Kestrel FPV"), hub_a, quantity_available=10)], quantity=50
    )
    interest.transition(Status.UNDER_REVIEW, by=coordinator_a)
    interest.transition(
        Status.INFORMATION_REQUESTED, by=coordinator_a, reason=Reason.CERTIFICATE, comment="Please attach it."
    )

    log_in(laptop, live_server, "coordinator-a")
    laptop.goto(f"{live_server.url}/admin/interests/expressionofinterest/{interest.pk}/change/")

    history = laptop.locator("#history-group")
    expect(history).to_contain_text("Under review → Information requested")
    expect(history).not_to_contain_text("under_review")
    expect(laptop.locator("#lines-group")).to_contain_text("Yes, 40 units more than listed")
    widths = laptop.evaluate(
        "() => [document.querySelector('#lines-group table').scrollWidth,"
        " document.querySelector('#lines-group').clientWidth]"
    )
    assert widths[0] <= widths[1], widths
