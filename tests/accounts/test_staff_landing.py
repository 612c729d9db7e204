"""Where signing in at /accounts/login/ leads (accounts.views.signed_in, settings.LOGIN_REDIRECT_URL): staff
to the admin, buyers to the catalogue, anyone to a safe `next` they came with; with two-factor sign-in on,
staff confirm their second factor on the way."""

import pytest
from django.urls import reverse

from tests.accounts.test_two_factor import code_for, enrol

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
SIGNED_IN = reverse("signed_in")
ADMIN = reverse("admin:index")
CATALOGUE = reverse("catalogue")
VERIFY = reverse("two_factor_verify")


def sign_in(client, user, next_url=None):
    url = LOGIN if next_url is None else f"{LOGIN}?next={next_url}"
    data = {"username": user.username, "password": "pw"}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data, follow=True)


def path_chain(response) -> list[str]:
    return [url for url, _status in response.redirect_chain]


@pytest.mark.parametrize("staff", ["coordinator_a", "editor", "superuser"])
def test_staff_land_in_the_admin(client, request, staff):
    response = sign_in(client, request.getfixturevalue(staff))

    assert path_chain(response) == [SIGNED_IN, ADMIN]
    assert response.status_code == 200


def test_a_buyer_lands_in_the_catalogue(client, buyer_a):
    response = sign_in(client, buyer_a.user)

    assert path_chain(response) == [SIGNED_IN, CATALOGUE]
    assert response.status_code == 200


def test_a_safe_next_still_wins_for_staff(client, coordinator_a):
    response = sign_in(client, coordinator_a, "/admin/hubs/")

    assert path_chain(response)[0] == "/admin/hubs/"


def test_a_safe_next_still_wins_for_a_buyer(client, buyer_a):
    response = sign_in(client, buyer_a.user, "/hubs/")

    assert path_chain(response) == ["/hubs/"]


def test_a_next_to_another_site_is_ignored(client, coordinator_a):
    response = sign_in(client, coordinator_a, "https://evil.example/admin/")

    assert path_chain(response) == [SIGNED_IN, ADMIN]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(SIGNED_IN)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_it_answers_only_get(client, coordinator_a):
    client.force_login(coordinator_a)

    assert client.post(SIGNED_IN).status_code == 405


class TestWithTwoFactorOn:
    @pytest.fixture(autouse=True)
    def two_factor_on(self, settings):
        settings.STAFF_TWO_FACTOR = True

    def test_staff_confirm_their_second_factor_then_land_in_the_admin(self, client, coordinator_a):
        device, _codes = enrol(coordinator_a)

        response = sign_in(client, coordinator_a)

        assert path_chain(response) == [SIGNED_IN, f"{VERIFY}?next={SIGNED_IN}"]
        confirmed = client.post(f"{VERIFY}?next={SIGNED_IN}", {"code": code_for(device)}, follow=True)
        assert path_chain(confirmed) == [SIGNED_IN, ADMIN]
        assert confirmed.status_code == 200

    def test_staff_with_a_safe_next_confirm_then_go_there(self, client, coordinator_a):
        device, _codes = enrol(coordinator_a)

        response = sign_in(client, coordinator_a, "/admin/hubs/")

        assert path_chain(response) == ["/admin/hubs/", f"{VERIFY}?next=/admin/hubs/"]
        confirmed = client.post(f"{VERIFY}?next=/admin/hubs/", {"code": code_for(device)})
        assert confirmed["Location"] == "/admin/hubs/"

    def test_a_buyer_is_not_asked_and_lands_in_the_catalogue(self, client, buyer_a):
        response = sign_in(client, buyer_a.user)

        assert path_chain(response) == [SIGNED_IN, CATALOGUE]
        assert response.status_code == 200
