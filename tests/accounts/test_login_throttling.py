"""Sign-in throttling (django-axes, accounts/lockout.py): wrong passwords in a row pause signing in to that
account from that address, on the site's login and the admin's alike."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests.factories import make_buyer

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"
RIGHT = "pw"  # the factories' password


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def sign_in(client, url, username, password, address="203.0.113.7", **headers):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def fail(client, url, username, times, address="203.0.113.7", **headers):
    return [sign_in(client, url, username, "wrong", address, **headers).status_code for _ in range(times)]


def test_wrong_passwords_are_answered_with_the_form_until_the_limit(client, buyer_a):
    assert fail(client, LOGIN, "buyer-a", 4) == [200] * 4

    assert sign_in(client, LOGIN, "buyer-a", RIGHT).status_code == 302


def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_page(client, buyer_a):
    statuses = fail(client, LOGIN, "buyer-a", 5)

    response = sign_in(client, LOGIN, "buyer-a", RIGHT)

    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Sign-in paused" in page
    assert "Signing in to it from here is paused for 15 minutes." in page
    assert 'href="/accounts/password_reset/"' in page
    assert "_auth_user_id" not in client.session


def test_the_pause_is_for_that_account_from_that_address_only(client, buyer_a, buyer_b):
    fail(client, LOGIN, "buyer-a", 5, address="203.0.113.7")

    assert sign_in(client, LOGIN, "buyer-b", RIGHT, address="203.0.113.7").status_code == 302
    client.logout()
    assert sign_in(client, LOGIN, "buyer-a", RIGHT, address="198.51.100.20").status_code == 302


def test_an_unknown_username_is_paused_like_a_real_one(client):
    """The answer must not tell which usernames exist."""
    statuses = fail(client, LOGIN, "nobody-by-this-name", 6)

    assert statuses == [200, 200, 200, 200, 429, 429]


def test_the_pause_ends_after_the_cool_off(client, buyer_a):
    fail(client, LOGIN, "buyer-a", 5)

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    assert sign_in(client, LOGIN, "buyer-a", RIGHT).status_code == 302


def test_a_try_during_the_pause_starts_it_again(client, buyer_a):
    fail(client, LOGIN, "buyer-a", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=10))

    assert sign_in(client, LOGIN, "buyer-a", "wrong").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=10))

    assert sign_in(client, LOGIN, "buyer-a", RIGHT).status_code == 429


def test_signing_in_clears_the_count_of_wrong_passwords(client, buyer_a):
    fail(client, LOGIN, "buyer-a", 4)
    sign_in(client, LOGIN, "buyer-a", RIGHT)
    client.logout()

    assert fail(client, LOGIN, "buyer-a", 4) == [200] * 4


def test_the_limit_and_the_cool_off_come_from_settings(client, buyer_a, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=3)

    assert fail(client, LOGIN, "buyer-a", 2) == [200, 429]
    response = sign_in(client, LOGIN, "buyer-a", RIGHT)
    assert "paused for 3 minutes" in response.content.decode()


def test_the_admin_login_is_paused_the_same_way(client, superuser):
    statuses = fail(client, ADMIN_LOGIN, "root", 5)

    refused = sign_in(client, ADMIN_LOGIN, "root", RIGHT)
    elsewhere = sign_in(client, ADMIN_LOGIN, "root", RIGHT, address="198.51.100.20")

    assert statuses == [200, 200, 200, 200, 429]
    assert refused.status_code == 429
    assert "Sign-in paused" in refused.content.decode()
    assert elsewhere.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_failures_on_one_login_count_on_the_other(client, superuser):
    fail(client, LOGIN, "root", 3)
    fail(client, ADMIN_LOGIN, "root", 2)

    assert sign_in(client, ADMIN_LOGIN, "root", RIGHT).status_code == 429


def test_a_new_password_from_the_emailed_link_ends_the_pause(client, buyer_a, outbox):
    buyer_a.user.email = "buyer-a@example.org"
    buyer_a.user.save()
    fail(client, LOGIN, "buyer-a", 5)

    client.post("/accounts/password_reset/", {"email": "buyer-a@example.org"})
    [email] = outbox()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "Kestrel-over-Oder-7"
    done = client.post(set_password_url, {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    assert sign_in(client, LOGIN, "buyer-a", new).status_code == 302


def test_asking_for_a_reset_link_alone_does_not_end_the_pause(client, buyer_a):
    fail(client, LOGIN, "buyer-a", 5)

    client.post("/accounts/password_reset/", {"email": "buyer-a@example.org"})

    assert sign_in(client, LOGIN, "buyer-a", RIGHT).status_code == 429


class TestBehindTheProxy:
    """Behind the TLS proxy the client's address is the one the proxy appended to X-Forwarded-For."""

    def test_the_address_the_proxy_saw_is_the_one_paused(self, client, buyer_a, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        fail(client, LOGIN, "buyer-a", 5, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")

        same_client = sign_in(client, LOGIN, "buyer-a", RIGHT, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
        other_client = sign_in(
            client, LOGIN, "buyer-a", RIGHT, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20"
        )

        assert same_client.status_code == 429
        assert other_client.status_code == 302
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}

    def test_a_client_cannot_escape_by_writing_its_own_x_forwarded_for(self, client, buyer_a, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        statuses = [
            sign_in(
                client,
                LOGIN,
                "buyer-a",
                "wrong",
                "10.0.0.2",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
            ).status_code
            for n in range(5)
        ]

        assert statuses == [200, 200, 200, 200, 429]

    def test_without_the_proxy_the_header_is_ignored(self, client, buyer_a, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        statuses = [
            sign_in(client, LOGIN, "buyer-a", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
            for n in range(5)
        ]

        assert statuses == [200, 200, 200, 200, 429]
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_superusers_see_the_attempts_in_the_admin_and_others_do_not(client, superuser, coordinator_a):
    make_buyer("buyer-x")
    fail(client, LOGIN, "buyer-x", 5)

    client.force_login(superuser)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "buyer-x" in page.content.decode()
    client.force_login(coordinator_a)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
