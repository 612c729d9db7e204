"""A coordinator cannot offer a listing to a country under an arms embargo in force: the destinations chooser
leaves those countries out (so "Choose all" chooses every other country), a form that sends one all the same
is refused with each embargo named, and the listings that name a country since put under embargo are found
with a filter and flagged on their page. The arms-embargo admin says how many listings a change concerns."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_countries import countries

from hubs.models import Listing
from interests.models import Embargo
from tests.factories import make_listing, make_product
from tests.hubs.test_coordinator_admin import listing_form_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:hubs_listing_add")
CHANGELIST = reverse("admin:hubs_listing_changelist")
# The starting list (interests/migrations/0002): full embargoes, partial ones and the declaration on China.
EMBARGOED = {"RU", "BY", "IR", "KP", "SY", "MM", "VE", "LY", "SD", "SS", "ZW", "CF"} | {
    "CD",
    "SO",
    "IQ",
    "LB",
    "YE",
    "HT",
    "CN",
}


@pytest.fixture
def client_a(client, coordinator_a, hub_a):
    client.force_login(coordinator_a)
    return client


def offered_countries(page: str) -> list[str]:
    """The codes of the destination chooser's options."""
    select = re.search(r'<select name="destination_countries".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([A-Z]{2})"', select)


def errors_of(response) -> list[str]:
    errors = response.context["adminform"].form.errors.get_json_data()
    return [error["message"] for error in errors.get("destination_countries", [])]


def test_the_chooser_leaves_out_every_country_under_an_embargo_in_force_and_says_so(client_a):
    page = client_a.get(ADD).content.decode()

    offered = offered_countries(page)
    assert not EMBARGOED & set(offered)
    assert {"DE", "PL", "GB", "FR"} <= set(offered)
    assert len(offered) == len(countries) - len(EMBARGOED)
    assert "Not listed, as under an arms embargo in force: " in page
    assert "Russia" in page and "Belarus" in page


def test_a_lifted_embargo_puts_its_country_back_in_the_chooser(client_a):
    embargo = Embargo.objects.get(country="VE")
    embargo.is_in_force = False
    embargo.save()

    assert "VE" in offered_countries(client_a.get(ADD).content.decode())


def test_choose_all_in_the_chooser_offers_every_country_but_the_embargoed_ones(client_a, hub_a):
    product = make_product("Kestrel FPV")
    everything_offered = offered_countries(client_a.get(ADD).content.decode())

    response = client_a.post(
        ADD, listing_form_data(product=product, hub=hub_a, destination_countries=everything_offered)
    )

    assert response.status_code == 302
    listing = Listing.objects.get(product=product)
    assert len(listing.destination_countries) == len(countries) - len(EMBARGOED)
    assert listing.destinations.count() == len(countries) - len(EMBARGOED)


def test_offering_to_embargoed_countries_is_refused_with_each_embargo_named(client_a, hub_a):
    Embargo.objects.filter(country="RU").update(source="EU Council Decision 2014/512/CFSP")
    product = make_product("Kestrel FPV")

    response = client_a.post(
        ADD, listing_form_data(product=product, hub=hub_a, destination_countries=["DE", "RU", "BY"])
    )

    assert response.status_code == 200
    errors = errors_of(response)
    assert errors[0] == "A listing cannot be offered to a country under an arms embargo:"
    assert sorted(errors[1:]) == [
        "Belarus: Arms embargo (EU), source: EU Sanctions Map and UN Security Council sanctions lists, via "
        "SIPRI Arms Embargoes Database, as of 1 Nov 2026",
        "Russia: Arms embargo (EU), source: EU Council Decision 2014/512/CFSP, as of 1 Nov 2026",
    ]
    assert not Listing.objects.filter(product=product).exists()


def test_a_form_sending_all_250_countries_is_refused_naming_the_embargoed_ones(client_a, hub_a):
    # "Choose all" on a page loaded before an embargo, or a hand-made request: nothing is saved silently.
    product = make_product("Kestrel FPV")

    response = client_a.post(
        ADD,
        listing_form_data(product=product, hub=hub_a, destination_countries=[code for code, _ in countries]),
    )

    refused = errors_of(response)[1:]
    assert len(refused) == len(EMBARGOED)
    assert any(refusal.startswith("China: Political declaration (EU), source: ") for refusal in refused)
    assert any(
        refusal.startswith("Iraq: Partial or non-state-actor embargo (EU and UN)") for refusal in refused
    )
    assert not Listing.objects.filter(product=product).exists()


@pytest.fixture
def listing_to_venezuela(hub_a):
    """A listing offered to Venezuela while its embargo was lifted, which is then put back in force."""
    Embargo.objects.filter(country="VE").update(is_in_force=False)
    listing = make_listing(make_product("Kestrel FPV"), hub_a, destination_countries=["DE", "VE"])
    embargo = Embargo.objects.get(country="VE")
    embargo.is_in_force = True
    embargo.save()
    return listing


def change_url(listing):
    return reverse("admin:hubs_listing_change", args=[listing.pk])


def test_the_change_page_warns_of_embargoed_destinations_and_keeps_them_shown_marked(
    client_a, listing_to_venezuela
):
    response = client_a.get(change_url(listing_to_venezuela))

    (warning,) = [str(message) for message in get_messages(response.wsgi_request)]
    assert "not shown to buyers of the countries below" in warning
    assert "Venezuela: Arms embargo (EU), source: EU Sanctions Map" in warning
    page = response.content.decode()
    assert '<option value="VE" selected>Venezuela (arms embargo)</option>' in page
    assert "RU" not in offered_countries(page)


def test_the_listing_is_saved_once_the_embargoed_destination_is_removed(client_a, listing_to_venezuela):
    url, product, hub = (
        change_url(listing_to_venezuela),
        listing_to_venezuela.product,
        listing_to_venezuela.hub,
    )

    refused = client_a.post(
        url, listing_form_data(product=product, hub=hub, destination_countries=["DE", "VE"])
    )
    assert errors_of(refused)[1].startswith("Venezuela: Arms embargo (EU)")

    saved = client_a.post(url, listing_form_data(product=product, hub=hub, destination_countries=["DE"]))
    assert saved.status_code == 302
    listing_to_venezuela.refresh_from_db()
    assert [country.code for country in listing_to_venezuela.destination_countries] == ["DE"]


def test_a_listing_without_embargoed_destinations_has_no_warning(client_a, hub_a):
    listing = make_listing(make_product(), hub_a, destination_countries=["DE", "PL"])

    response = client_a.get(change_url(listing))

    assert list(get_messages(response.wsgi_request)) == []


def test_the_list_filter_finds_the_listings_offered_to_an_embargoed_country(
    client_a, hub_a, hub_b, listing_to_venezuela
):
    make_listing(make_product(), hub_a, destination_countries=["DE", "PL"])
    make_listing(make_product(), hub_b, destination_countries=["VE"])  # another hub's: never shown to A

    page = client_a.get(CHANGELIST).content.decode()
    assert "By offered to an embargoed country" in page

    for value in ("yes", "VE", "ve"):
        response = client_a.get(CHANGELIST, {"embargoed": value})
        assert list(response.context["cl"].result_list) == [listing_to_venezuela], value
    assert list(client_a.get(CHANGELIST, {"embargoed": "DE"}).context["cl"].result_list) == []


def test_the_embargo_admin_counts_and_links_the_listings_a_change_concerns(
    client, superuser, listing_to_venezuela
):
    client.force_login(superuser)
    embargo = Embargo.objects.get(country="VE")
    url = reverse("admin:interests_embargo_change", args=[embargo.pk])
    filtered = f"{CHANGELIST}?embargoed=VE"

    page = client.get(url).content.decode()
    assert f'<a href="{filtered}">1 listing</a>' in page

    data = {
        "country": "VE",
        "authority": "eu",
        "scope": "full",
        "source": "Council Decision (CFSP) 2017/2074",
        "as_of": "2026-12-01",
        "notes": "",
        "is_in_force": "on",
        "_save": "Save",
    }
    response = client.post(url, data, follow=True)
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(
        "1 listing names Venezuela as a destination: it is no longer shown there." in m for m in messages
    )
    assert any(f'href="{filtered}"' in m for m in messages)

    del data["is_in_force"]
    response = client.post(url, data, follow=True)
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("1 listing names Venezuela as a destination: it is shown there again." in m for m in messages)
    assert Embargo.objects.get(country="VE").as_of == datetime.date(2026, 12, 1)
