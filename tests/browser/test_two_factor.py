"""Two-factor sign-in in a real browser: a hub coordinator enrols an authenticator app at their first sign-in,
keeps the recovery codes, reaches the admin; at the next sign-in the admin asks for a code first."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR = True


def authenticator_code(secret: str, *, steps_ahead=0) -> str:
    """What an authenticator app that was given this secret shows (30-second steps, 6 digits)."""
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def log_in_to_the_admin(page: Page, live_server, username: str, password: str = "pw"):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_coordinator_enrols_at_the_first_sign_in_and_gives_a_code_at_the_next(
    live_server, page: Page, hub_a
):
    log_in_to_the_admin(page, live_server, "coordinator-a")

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to add Hub Catalogue to an authenticator app")
    ).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text()
    page.get_by_label("Code").fill("000000" if authenticator_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right.")

    # The wrong code above makes the next try wait a second (django-otp's throttling).
    page.wait_for_timeout(1100)
    page.get_by_label("Code").fill(authenticator_code(secret))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Recovery codes", exact=True)).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Catalogue, hubs and listings")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in_to_the_admin(page, live_server, "coordinator-a")

    expect(page.get_by_role("heading", name="Confirm your sign-in")).to_be_visible()
    # The code used to enrol is spent; the app's next one is accepted too.
    page.get_by_label("Code").fill(authenticator_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Catalogue, hubs and listings")).to_be_visible()
