"""A buyer proposes cooperation on a product from the catalogue, the hub that coordinates it decides in the
admin, and the buyer reads the decision: in a real browser."""

import re

from playwright.sync_api import Page, expect

from interests.models import ExpressionOfInterest, Kind, Reason, Status
from products.models import CooperationForm, ProductCooperation
from tests.browser.admin_steps import log_in_to_admin, record_step
from tests.factories import make_listing, make_published_product


def log_in_as_buyer(page: Page, live_server, username: str):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def test_a_buyer_proposes_licensed_production_and_reads_the_coordinators_decline(
    live_server, page: Page, hub_a, hub_b, buyer_a, coordinator_a
):
    kestrel = make_published_product("Kestrel FPV")
    ProductCooperation.objects.create(
        product=kestrel,
        form=CooperationForm.LICENSED_PRODUCTION,
        minimum_annual_volume=500,
        volume_unit="airframes",
        partner_provides="an airframe line and final assembly",
        stays_in_ukraine="the video link's encryption",
        months_to_first_output=5,
    )
    hub_a.cooperation_products.add(kestrel)
    # Listed at Hub B, which does not coordinate its cooperation: the proposal goes to Hub A alone.
    make_listing(kestrel, hub_b, destination_countries=["DE"])
    make_listing(make_published_product("Osprey Recon"), hub_a, destination_countries=["DE"])

    # The buyer narrows the catalogue to products open to licensed production.
    log_in_as_buyer(page, live_server, "buyer-a")
    page.goto(f"{live_server.url}/catalogue/")
    filters = page.get_by_role("form", name="Filter products")
    filters.get_by_role("group", name="Open to cooperation").get_by_label("Licensed production").check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results .card-title")).to_have_text(["Kestrel FPV"])
    page.locator("#results").get_by_role("link", name="Kestrel FPV").first.click()

    cooperation = page.locator("#cooperation")
    expect(cooperation).to_contain_text("Minimum annual volume: 500 airframes")
    cooperation.get_by_role("link", name="Propose cooperation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose cooperation on Kestrel FPV")
    expect(page.get_by_role("main")).to_contain_text("Hub A")

    page.get_by_role("radio", name="Licensed production").check()
    page.get_by_label("Partner's industrial company").fill("Nordwerk Systems GmbH")
    page.get_by_label("Company registration").fill("HRB 123456")
    page.get_by_label("Intended annual volume").fill("800")
    page.get_by_label("Intended duration (years)").fill("5")
    page.get_by_label("Proposed production site").fill("Werk 2, Kassel")
    page.get_by_label("Technology transfer asked for").fill("Airframe drawings, assembly jigs, firmware.")
    page.get_by_label("End user", exact=True).fill("Drone Battalion 3")
    page.get_by_label("Territorial defence").check()
    page.get_by_label("In preparation").check()
    page.get_by_label("National budget").check()
    page.get_by_label("Contact person").fill("Anna Beispiel")
    page.get_by_label("Contact phone").fill("+49 30 1234567")
    page.get_by_label(re.compile("I declare that the information given is accurate")).check()
    page.get_by_role("button", name="Submit proposal of cooperation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Expression of interest submitted")
    reference = page.locator(".interest-reference").inner_text()
    expect(page.get_by_role("main")).to_contain_text("Proposed cooperation")
    interest = ExpressionOfInterest.objects.get(reference=reference)
    assert interest.kind == Kind.COOPERATION
    assert [line.hub for line in interest.lines.all()] == [hub_a]

    # Hub A's coordinator reviews it in the admin and declines it with a reason of the cooperation kind.
    log_in_to_admin(page, live_server, "coordinator-a")
    page.goto(f"{live_server.url}/admin/interests/expressionofinterest/")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#content")).to_contain_text("Nordwerk Systems GmbH")
    record_step(page, "Under review")
    expect(page.locator(".messagelist")).to_contain_text("is now “Under review”")
    record_step(
        page,
        "Declined",
        reason="Technology transfer not authorised",
        comment="The firmware is not licensed for production abroad.",
    )
    expect(page.locator(".messagelist")).to_contain_text("is now “Declined”")

    interest.refresh_from_db()
    assert interest.status == Status.DECLINED
    assert interest.history.get(to_status=Status.DECLINED).reason == Reason.TRANSFER_NOT_AUTHORISED

    # The buyer reads the decision, its reason and the comment on the EOI's page.
    log_in_as_buyer(page, live_server, "buyer-a")
    page.goto(f"{live_server.url}/interests/")
    page.get_by_role("link", name=reference).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Declined")
    expect(main).to_contain_text("Technology transfer not authorised")
    expect(main).to_contain_text("The firmware is not licensed for production abroad.")
    expect(main).to_contain_text("Nordwerk Systems GmbH")
