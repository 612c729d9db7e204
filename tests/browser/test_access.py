"""Getting access in a real browser: request it, be approved, choose a password, log in."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from partners.models import AccessRequest
from partners.onboarding import approve_access_request
from tests.factories import make_staff_user


@pytest.fixture
def site_url(settings, live_server):
    settings.SITE_URL = live_server.url


def test_a_visitor_requests_access_is_approved_chooses_a_password_and_logs_in(
    live_server, site_url, page: Page
):
    page.goto(live_server.url)
    page.get_by_role("main").get_by_role("link", name="Request access", exact=True).click()

    page.get_by_label("Full name").fill("Anna Schmidt")
    page.get_by_label("Work email").fill("not-an-address")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Work email")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Work email").fill("anna.schmidt@procurement.example")
    page.get_by_label("Role").fill("Procurement officer")
    page.get_by_label("Organisation", exact=True).fill("Federal Office for Test Procurement")
    page.get_by_label("Type of organisation").select_option(label="Procurement agency")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_label("Why you need access").fill("Counter-drone systems for base protection.")
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("your request has been received")
    access_request = AccessRequest.objects.get()

    approve_access_request(access_request, by=make_staff_user("vetter", superuser=True))

    call_command("mailworker", once=True, stdout=io.StringIO())  # the mail worker sends the outbox
    [message] = mail.outbox
    link = re.search(r"http://\S+/accounts/reset/\S+", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("main")).to_contain_text("This password is too short.")
    page.get_by_label("New password", exact=True).fill("Kestrel-over-Oder-7")
    page.get_by_label("New password confirmation").fill("Kestrel-over-Oder-7")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been saved")

    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("anna.schmidt@procurement.example")
    page.get_by_label("Password").fill("Kestrel-over-Oder-7")
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/catalogue/")
    page.goto(live_server.url)
    expect(page.get_by_role("link", name="Open the catalogue")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_login_form_works_by_keyboard_and_explains_a_wrong_password(live_server, page: Page, buyer_a):
    page.goto(f"{live_server.url}/accounts/login/")

    page.get_by_label("Username").focus()
    page.keyboard.type("buyer-a")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("wrong")
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    page.get_by_label("Password").fill("pw")
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/catalogue/")


def test_the_request_form_fits_a_phone_screen(live_server, page: Page):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/access/request/")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    expect(page.get_by_label("Country")).to_be_visible()
