"""A hub coordinator reviews an expression of interest in the admin, in a real browser, step by step."""

import re

from playwright.sync_api import Page, expect

from interests.models import ExpressionOfInterest, Status
from tests.browser.admin_steps import log_in_to_admin, record_step
from tests.factories import make_interest, make_listing, make_product


def test_a_coordinator_reviews_an_interest_to_acceptance(
    live_server, page: Page, hub_a, buyer_a, coordinator_a
):
    interest = make_interest(buyer_a, [make_listing(make_product("Kestrel FPV"), hub_a)])

    log_in_to_admin(page, live_server, "coordinator-a")
    page.goto(f"{live_server.url}/admin/interests/expressionofinterest/")
    page.get_by_role("link", name=interest.reference).click()
    expect(page.locator("#lines-group")).to_contain_text("Kestrel FPV")

    record_step(page, "Under review")
    expect(page.locator(".messagelist")).to_contain_text("is now “Under review”")

    record_step(
        page,
        "Information requested",
        reason="End-user certificate needed or unclear",
        comment="Please send the draft certificate.",
    )
    expect(page.locator(".messagelist")).to_contain_text("is now “Information requested”")

    ExpressionOfInterest.objects.get(pk=interest.pk).answer(by=buyer_a.user, comment="Attached, see above.")
    page.reload()
    record_step(page, "Accepted (forwarded to the manufacturer)", comment="Forwarded.")
    expect(page.locator(".messagelist")).to_contain_text("is now “Accepted")

    history = page.locator("#history-group")
    for text in (
        "Submitted",
        "Under review",
        "Information requested",
        "End-user certificate needed or unclear",
        "Please send the draft certificate.",
        "Answered",
        "Attached, see above.",
        "Accepted (forwarded to the manufacturer)",
        "coordinator-a",
        "buyer-a",
    ):
        expect(history).to_contain_text(text)
    expect(page.get_by_role("button", name="Record this step")).to_have_count(0)
    expect(page).to_have_title(re.compile(interest.reference))
    assert ExpressionOfInterest.objects.get(pk=interest.pk).status == Status.ACCEPTED


def test_a_coordinator_is_told_when_a_reason_is_missing(
    live_server, page: Page, hub_a, buyer_a, coordinator_a
):
    interest = make_interest(buyer_a, [make_listing(hub=hub_a)])
    interest.start_review(by=coordinator_a)

    log_in_to_admin(page, live_server, "coordinator-a")
    page.goto(f"{live_server.url}/admin/interests/expressionofinterest/{interest.pk}/change/")
    record_step(page, "Declined", comment="No.")

    expect(page.locator(".messagelist")).to_contain_text("Choose a reason.")
    assert ExpressionOfInterest.objects.get(pk=interest.pk).status == Status.UNDER_REVIEW


def test_a_coordinator_chooses_a_reviewer_and_records_a_step_in_one_submit(
    live_server, page: Page, hub_a, buyer_a, coordinator_a
):
    interest = make_interest(buyer_a, [make_listing(hub=hub_a)])

    log_in_to_admin(page, live_server, "coordinator-a")
    page.goto(f"{live_server.url}/admin/interests/expressionofinterest/{interest.pk}/change/")
    page.get_by_label("Reviewer").select_option(label="coordinator-a")
    record_step(page, "Under review")

    expect(page.locator(".messagelist")).to_contain_text("is now “Under review”")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    interest = ExpressionOfInterest.objects.get(pk=interest.pk)
    assert (interest.status, interest.reviewer) == (Status.UNDER_REVIEW, coordinator_a)


def test_a_coordinator_declines_their_hubs_line_and_the_other_hub_still_reviews(
    live_server, page: Page, hub_a, hub_b, buyer_a, coordinator_a
):
    interest = make_interest(
        buyer_a,
        [make_listing(make_product("Kestrel FPV"), hub_a), make_listing(make_product("Bravo Jammer"), hub_b)],
    )
    interest.start_review(by=coordinator_a)

    log_in_to_admin(page, live_server, "coordinator-a")
    page.goto(f"{live_server.url}/admin/interests/expressionofinterest/{interest.pk}/change/")
    expect(page.locator("#content")).not_to_contain_text("Bravo Jammer")
    record_step(page, "Declined", reason="Surplus no longer available", comment="Sold at A.")

    expect(page.locator(".messagelist")).to_contain_text("other lines are still under review")
    expect(page.locator("#line-decisions-group")).to_contain_text("Sold at A.")
    interest = ExpressionOfInterest.objects.get(pk=interest.pk)
    assert interest.status == Status.UNDER_REVIEW
    assert sorted(interest.lines.values_list("decision", flat=True)) == ["declined", "pending"]
