"""Two-factor sign-in for staff (accounts/two_factor.py): with HUBCATALOG_STAFF_TWO_FACTOR on, a password
alone does not open the admin; staff enrol an authenticator app once, then confirm each sign-in with its code
or a single-use recovery code. Buyers are not asked."""

import base64
import re
import time
from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import RECOVERY_CODE_COUNT, replace_recovery_codes
from tests.hubcatalog.test_settings import run_python

pytestmark = pytest.mark.django_db

VERIFY = reverse("two_factor_verify")
SETUP = reverse("two_factor_setup")
RECOVERY_CODES = reverse("two_factor_recovery_codes")


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR = True


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, replace_recovery_codes(user)


def code_for(device: TOTPDevice, *, steps_ahead=0) -> str:
    """What the person's authenticator app shows now (or that many time steps later: a code already used
    is refused, so a second sign-in within the same 30 seconds uses the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    valid = {code_for(device, steps_ahead=steps) for steps in (-1, 0, 1)}
    return next(code for code in (f"{number:06d}" for number in range(1000)) if code not in valid)


def verified_client(client, user, device):
    client.force_login(user)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302
    return client


def test_it_sends_staff_who_gave_only_their_password_from_the_admin_to_the_verification_step(
    client, coordinator_a
):
    enrol(coordinator_a)
    client.force_login(coordinator_a)

    response = client.get("/admin/interests/expressionofinterest/")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/admin/interests/expressionofinterest/"


@pytest.mark.parametrize("staff", ["coordinator_a", "editor", "superuser"])
def test_it_asks_every_kind_of_staff_for_a_second_factor(client, request, staff):
    client.force_login(request.getfixturevalue(staff))

    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_it_sends_staff_without_an_authenticator_to_enrolment(client, coordinator_a):
    client.force_login(coordinator_a)

    response = client.get(VERIFY, {"next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_a_password_typed_on_the_admins_login_page_leads_to_enrolment_not_the_admin(client, coordinator_a):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "coordinator-a", "password": "pw", "next": "/admin/"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{SETUP}?next=%2Fadmin%2F"
    assert "Set up two-factor sign-in" in response.text


def test_a_password_typed_on_the_sites_login_page_does_not_open_the_admin(client, coordinator_a):
    enrol(coordinator_a)
    client.post(reverse("login"), {"username": "coordinator-a", "password": "pw"})

    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_it_shows_the_secret_as_a_qr_code_and_as_text(client, coordinator_a):
    client.force_login(coordinator_a)

    response = client.get(SETUP)

    device = TOTPDevice.objects.get(user=coordinator_a, confirmed=False)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', response.text).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    assert 'src="data:image/svg+xml;base64,' in response.text
    # The same secret on a second look: the app scanned from the first page must keep working.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=coordinator_a).count() == 1


def test_it_enrols_staff_with_a_code_from_their_new_authenticator_and_lets_them_in(client, coordinator_a):
    client.force_login(coordinator_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator_a)

    response = client.post(SETUP, {"code": code_for(device), "next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"] == f"{RECOVERY_CODES}?next=%2Fadmin%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=coordinator_a).count() == RECOVERY_CODE_COUNT
    assert client.get("/admin/").status_code == 200


def test_it_shows_the_new_recovery_codes_once(client, coordinator_a):
    client.force_login(coordinator_a)
    client.get(SETUP)
    client.post(SETUP, {"code": code_for(TOTPDevice.objects.get(user=coordinator_a))})
    codes = StaticToken.objects.filter(device__user=coordinator_a).values_list("token", flat=True)

    first_look = client.get(RECOVERY_CODES)
    second_look = client.get(RECOVERY_CODES)

    assert all(code in first_look.text for code in codes)
    assert not any(code in second_look.text for code in codes)
    assert "You have 10 unused recovery codes." in second_look.text


def test_it_refuses_a_wrong_code_at_enrolment(client, coordinator_a):
    client.force_login(coordinator_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator_a)

    response = client.post(SETUP, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "That code is not right." in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=coordinator_a).exists()


def test_it_refuses_a_wrong_code_and_keeps_the_admin_shut(client, coordinator_a):
    device, _ = enrol(coordinator_a)
    client.force_login(coordinator_a)

    response = client.post(VERIFY, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "That code is not right." in response.text
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get("/admin/")["Location"].startswith(VERIFY)


@pytest.mark.parametrize("nonsense", ["", "   ", "x" * 65, "12345678901234567890"])
def test_it_answers_nonsense_with_a_message_not_an_error(client, coordinator_a, nonsense):
    enrol(coordinator_a)
    client.force_login(coordinator_a)

    response = client.post(VERIFY, {"code": nonsense})

    assert response.status_code == 200
    assert 'class="invalid-feedback d-block"' in response.text


@pytest.mark.parametrize(
    ("wrong_codes_in_a_row", "message"),
    [(1, "Wait 1 second and try again."), (6, "Wait 32 seconds and try again."), (10, "Wait 9 minutes")],
)
def test_it_makes_people_wait_after_wrong_codes_even_for_the_right_one(
    client, coordinator_a, wrong_codes_in_a_row, message
):
    device, _ = enrol(coordinator_a)
    # Each wrong code in a row doubles the wait (django-otp's throttling): 1, 2, 4, 8… seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=wrong_codes_in_a_row, throttling_failure_timestamp=timezone.now()
    )
    client.force_login(coordinator_a)

    response = client.post(VERIFY, {"code": code_for(device)})

    assert response.status_code == 200
    assert f"Too many wrong codes. {message}" in response.text
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_the_right_code_works_once_the_wait_is_over(client, coordinator_a):
    device, _ = enrol(coordinator_a)
    client.force_login(coordinator_a)
    client.post(VERIFY, {"code": wrong_code_for(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )

    response = client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client, coordinator_a):
    _, codes = enrol(coordinator_a)
    client.force_login(coordinator_a)

    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/admin/"})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=coordinator_a).count() == RECOVERY_CODE_COUNT - 1

    client.logout()
    client.force_login(coordinator_a)
    response = client.post(VERIFY, {"code": codes[0]})
    assert "That recovery code is not right, or it was used already." in response.text
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_verification_lasts_for_the_session_and_ends_with_it(client, coordinator_a):
    device, _ = enrol(coordinator_a)
    verified_client(client, coordinator_a, device)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/hubs/listing/").status_code == 200

    client.post(reverse("logout"))
    client.force_login(coordinator_a)
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_unverified_staff_may_still_sign_out(client, coordinator_a):
    client.force_login(coordinator_a)

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("landing")
    assert "_auth_user_id" not in client.session


def test_it_does_not_send_people_on_to_another_site(client, coordinator_a):
    device, _ = enrol(coordinator_a)
    client.force_login(coordinator_a)

    response = client.post(VERIFY, {"code": code_for(device), "next": "https://attacker.example/"})

    assert response["Location"] == reverse("admin:index")


def test_it_makes_new_recovery_codes_after_a_fresh_code_and_the_old_ones_stop_working(client, coordinator_a):
    device, old_codes = enrol(coordinator_a)
    verified_client(client, coordinator_a, device)

    response = client.post(RECOVERY_CODES, {"code": code_for(device, steps_ahead=1)}, follow=True)

    new_codes = list(StaticToken.objects.filter(device__user=coordinator_a).values_list("token", flat=True))
    assert len(new_codes) == RECOVERY_CODE_COUNT
    assert not set(old_codes) & set(new_codes)
    assert all(code in response.text for code in new_codes)


def test_it_makes_no_new_recovery_codes_without_the_right_code(client, coordinator_a):
    device, old_codes = enrol(coordinator_a)
    verified_client(client, coordinator_a, device)

    response = client.post(RECOVERY_CODES, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "That code is not right." in response.text
    assert set(StaticToken.objects.filter(device__user=coordinator_a).values_list("token", flat=True)) == set(
        old_codes
    )


def test_the_recovery_codes_page_wants_a_verified_session(client, coordinator_a):
    enrol(coordinator_a)
    client.force_login(coordinator_a)

    assert client.get(RECOVERY_CODES)["Location"].startswith(VERIFY)


def test_buyers_are_not_asked_for_a_second_factor(client, buyer_a):
    client.force_login(buyer_a.user)

    assert client.get(reverse("catalogue")).status_code == 200
    assert client.get(VERIFY).status_code == 403
    assert client.get(SETUP).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_visitors_who_are_not_signed_in_are_sent_to_the_login_page(client):
    response = client.get(SETUP)

    assert response["Location"].startswith(reverse("login"))


def test_the_admin_site_itself_refuses_staff_who_have_not_given_their_second_factor(coordinator_a):
    request = RequestFactory().get("/admin/")
    request.user = coordinator_a  # without OTPMiddleware: nothing verified

    assert not admin.site.has_permission(request)


def test_with_two_factor_off_staff_reach_the_admin_with_their_password(client, settings, coordinator_a):
    settings.STAFF_TWO_FACTOR = False
    client.force_login(coordinator_a)

    assert client.get("/admin/").status_code == 200


def test_the_admin_links_to_the_two_factor_page(client, coordinator_a):
    device, _ = enrol(coordinator_a)
    verified_client(client, coordinator_a, device)

    response = client.get("/admin/")

    assert f'<a href="{RECOVERY_CODES}">Two-factor sign-in</a>' in response.text


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({"DJANGO_DEBUG": "0"}, True),
        ({"DJANGO_DEBUG": "1"}, False),
        ({"DJANGO_DEBUG": "0", "HUBCATALOG_STAFF_TWO_FACTOR": "0"}, False),
        ({"DJANGO_DEBUG": "1", "HUBCATALOG_STAFF_TWO_FACTOR": "1"}, True),
    ],
)
def test_it_is_required_in_production_and_not_in_development_unless_told_otherwise(environment, required):
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.STAFF_TWO_FACTOR)",
        DJANGO_SECRET_KEY="x" * 50,
        **environment,
    )

    assert result.stdout.strip() == str(required), result.stderr


def test_a_setting_that_is_no_yes_or_no_stops_start_up():
    result = run_python("import django; django.setup()", HUBCATALOG_STAFF_TWO_FACTOR="sometimes")

    assert "HUBCATALOG_STAFF_TWO_FACTOR must be a boolean" in result.stderr
