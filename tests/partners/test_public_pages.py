"""What anonymous visitors may see: the landing page, the login page and the request form; nothing of the
catalogue."""

import pytest

from tests.factories import make_hub, make_listing, make_published_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/access/request/", "/access/requested/", "/accounts/password_reset/"]
)
def test_anonymous_visitors_may_open_the_public_pages(client, url):
    assert client.get(url).status_code == 200


def test_the_landing_page_explains_the_programme_the_hubs_and_how_to_get_access(client):
    make_hub("Berlin Export Hub", country="DE", city="Berlin")

    page = client.get("/").content.decode()

    assert "Surplus Ukrainian defence technology" in page
    assert "Berlin Export Hub" in page
    assert "How to get access" in page
    assert 'href="/access/request/"' in page
    assert 'href="/accounts/login/"' in page


def test_the_landing_page_shows_nothing_of_the_catalogue_to_anonymous_visitors(client):
    hub = make_hub("Berlin Export Hub", country="DE", city="Berlin")
    product = make_published_product("Kestrel FPV Strike Drone")
    make_listing(product, hub, notes="Forty units ready in Berlin")

    page = client.get("/").content.decode()

    assert "Berlin Export Hub" in page
    assert "Kestrel" not in page
    assert "Forty units" not in page
    assert 'href="/catalogue/' not in page


def test_the_landing_page_shows_an_approved_buyer_the_way_into_the_catalogue(client, buyer_a):
    client.force_login(buyer_a.user)

    page = client.get("/").content.decode()

    assert "Open the catalogue" in page
    assert "How to get access" not in page


def test_the_landing_page_has_no_catalogue_button_for_a_suspended_buyer(client, buyer_a, organisation_a):
    organisation_a.suspend()
    client.force_login(buyer_a.user)

    assert "Open the catalogue" not in client.get("/").content.decode()


def test_the_landing_page_answers_only_get(client):
    assert client.post("/").status_code == 405
