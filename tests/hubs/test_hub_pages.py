"""Hub pages: the map and list of the active hubs, and each hub's contact details and listings, shown on a
need-to-know basis (only what is offered to the buyer's country)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from hubs.models import Listing
from hubs.views import LISTINGS_PER_PAGE
from partners.models import PartnerOrganisation
from tests.factories import (
    make_buyer,
    make_hub,
    make_listing,
    make_organisation,
    make_product,
    make_published_product,
)

pytestmark = pytest.mark.django_db

HUB_LIST_URL = reverse("hub_list")


def detail_url(hub) -> str:
    return reverse("hub_detail", args=[hub.slug])


@pytest.fixture
def logged_in(client, buyer_a):
    """A buyer of organisation A, in Germany."""
    client.force_login(buyer_a.user)
    return client


# The list and the map.


def test_it_lists_the_active_hubs_with_the_listings_the_buyer_may_see(logged_in, hub_a, hub_b):
    for _ in range(3):
        make_listing(make_published_product(), hub_a)
    make_listing(make_published_product(), hub_b)
    closed = make_hub("Closed Hub", is_active=False)

    response = logged_in.get(HUB_LIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert detail_url(hub_a) in page and detail_url(hub_b) in page
    assert "Closed Hub" not in page and detail_url(closed) not in page
    counts = {hub.name: hub.visible_listings for hub in response.context["hubs"]}
    assert counts == {"Hub A": 3, "Hub B": 1}
    assert "3 listings" in page and "1 listing" in page


def test_a_listing_not_offered_to_the_buyers_country_is_not_counted(logged_in, hub_a):
    make_listing(make_published_product(), hub_a, destination_countries=["DE"])
    make_listing(make_published_product(), hub_a, destination_countries=["PL", "DK"])
    make_listing(make_product(), hub_a)  # a draft product's listing is nobody's business yet

    response = logged_in.get(HUB_LIST_URL)

    (hub,) = response.context["hubs"]
    assert hub.visible_listings == 1


def test_another_countrys_buyer_sees_other_counts(client, buyer_b, hub_a):
    make_listing(make_published_product(), hub_a, destination_countries=["DE"])
    make_listing(make_published_product(), hub_a, destination_countries=["PL"])
    make_listing(make_published_product(), hub_a, destination_countries=["PL", "DE"])
    client.force_login(buyer_b.user)

    (hub,) = client.get(HUB_LIST_URL).context["hubs"]

    assert hub.visible_listings == 2


def test_the_map_has_a_linked_marker_for_each_hub(logged_in, hub_a, hub_b):
    response = logged_in.get(HUB_LIST_URL)

    page = response.content.decode()
    assert 'viewBox="0 0 ' in page
    assert "img/europe.svg" in page
    for hub in (hub_a, hub_b):
        assert f'<a class="hub-marker" href="{detail_url(hub)}">' in page
        assert f"<title>{hub.name} – {hub.city}" in page
    assert [marker.hub for marker in response.context["markers"]] == [hub_a, hub_b]


def test_each_hub_on_the_map_is_numbered_and_named_in_a_key_beside_it(logged_in, hub_a, hub_b):
    page = logged_in.get(HUB_LIST_URL).content.decode()

    # On a phone the names do not fit on the map: each dot shows its number, and the key names it.
    for number, hub in enumerate((hub_a, hub_b), start=1):
        assert re.search(rf'<text class="hub-marker-number"[^>]*>{number}</text>', page)
        assert (
            f'<li><span class="hub-map-key-number" aria-hidden="true">{number}</span> '
            f'<a href="{detail_url(hub)}">{hub.city}</a></li>'
        ) in page


def test_a_hub_in_the_list_links_to_its_page(logged_in, hub_a):
    page = logged_in.get(HUB_LIST_URL).content.decode()

    assert f'<a class="fw-semibold stretched-link" href="{detail_url(hub_a)}">{hub_a.name}</a>' in page


def test_a_hubs_own_page_has_no_map_key(logged_in, hub_a):
    page = logged_in.get(detail_url(hub_a)).content.decode()

    assert "hub-marker-label" in page
    assert "hub-map-key" not in page


def test_a_hub_outside_the_map_is_listed_without_a_marker(logged_in, hub_a):
    faraway = make_hub("Far Away Hub", city="Ottawa", latitude=Decimal("45.42"), longitude=Decimal("-75.70"))

    response = logged_in.get(HUB_LIST_URL)

    assert detail_url(faraway) in response.content.decode()
    assert [marker.hub for marker in response.context["markers"]] == [hub_a]


def test_the_marker_coordinates_are_not_localised(logged_in, hub_a):
    """A German page would write 536,6 for 536.6, which SVG does not read."""
    response = logged_in.get(HUB_LIST_URL, headers={"Accept-Language": "de"})

    (marker,) = response.context["markers"]
    assert f'cx="{marker.x}"' in response.content.decode()


def test_the_hub_list_refuses_post(logged_in):
    assert logged_in.post(HUB_LIST_URL).status_code == 405


def test_its_queries_do_not_grow_with_the_number_of_listings(
    logged_in, hub_a, hub_b, django_assert_num_queries
):
    for size in (2, 20):
        Listing.objects.all().delete()
        for index in range(size):
            make_listing(make_published_product(), hub_a if index % 2 else hub_b)
        # 1. session, 2. user with buyer and organisation, 3. active hubs, 4. visible listings counted per
        # hub, 5. the shortlist counted for the header (hubcatalog/context_processors.py)
        with django_assert_num_queries(5):
            response = logged_in.get(HUB_LIST_URL)
        assert sum(hub.visible_listings for hub in response.context["hubs"]) == size


# A hub's page.


def test_it_shows_the_hubs_contact_details(logged_in):
    hub = make_hub(
        "Berlin Export Hub",
        contact_name="Iryna Melnyk",
        contact_email="berlin@hubs.example",
        contact_phone="+49 30 5550 1200",
        address="Spreebogen-Allee 41\n10557 Berlin",
        description="Joint drone production.",
    )

    response = logged_in.get(detail_url(hub))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Berlin Export Hub",
        "Iryna Melnyk",
        "Joint drone production.",
        "Spreebogen-Allee 41<br>10557",
    ):
        assert text in page
    assert 'href="mailto:berlin@hubs.example"' in page
    assert 'href="tel:+493055501200"' in page


def test_it_shows_the_listings_offered_to_the_buyer(logged_in, hub_a, hub_b):
    kestrel = make_published_product("Kestrel FPV")
    make_listing(
        kestrel,
        hub_a,
        quantity_available=120,
        quantity_unit=Listing.QuantityUnit.KITS,
        lead_time_weeks=3,
        licence_status=Listing.LicenceStatus.PRE_CLEARED,
        valid_until=datetime.date(2030, 6, 28),
    )
    make_listing(make_published_product("Osprey Jammer"), hub_b)

    response = logged_in.get(detail_url(hub_a))

    page = response.content.decode()
    assert list(response.context["listings"].values_list("product__name", flat=True)) == ["Kestrel FPV"]
    assert reverse("product_detail", args=[kestrel.slug]) in page
    for text in ("120 kits", "Available", "3 weeks", "Pre-cleared", "28 Jun 2030"):
        assert text in page
    assert "Osprey Jammer" not in page


def test_it_marks_an_expired_or_reserved_listing(logged_in, hub_a):
    make_listing(make_published_product("Old stock"), hub_a, valid_until=datetime.date(2020, 1, 1))
    make_listing(make_published_product("Held stock"), hub_a, availability=Listing.Availability.RESERVED)

    page = logged_in.get(detail_url(hub_a)).content.decode()

    assert "Expired" in page
    assert "Reserved" in page


def test_buyer_cannot_see_a_listing_not_offered_to_their_country(logged_in, hub_a):
    make_listing(make_published_product("Only for Poland"), hub_a, destination_countries=["PL"])
    make_listing(make_product("Still a draft"), hub_a)

    response = logged_in.get(detail_url(hub_a))

    page = response.content.decode()
    assert "Only for Poland" not in page
    assert "Still a draft" not in page
    assert "no listings offered to your country" in page


def test_an_inactive_hub_is_404(logged_in):
    closed = make_hub("Closed Hub", is_active=False)
    make_listing(make_published_product(), closed)

    assert logged_in.get(detail_url(closed)).status_code == 404


def test_an_unknown_hub_is_404(logged_in):
    assert logged_in.get(reverse("hub_detail", args=["no-such-hub"])).status_code == 404


def test_the_hub_page_refuses_post(logged_in, hub_a):
    assert logged_in.post(detail_url(hub_a)).status_code == 405


def test_its_detail_queries_do_not_grow_with_the_number_of_listings(
    logged_in, hub_a, django_assert_num_queries
):
    for size in (2, 25):
        Listing.objects.all().delete()
        for _ in range(size):
            make_listing(make_published_product(), hub_a)
        # 1. session, 2. user with buyer and organisation, 3. the hub, 4. its visible listings counted,
        # 5. a page of them with products and their manufacturers, 6. the forms of cooperation it coordinates,
        # 7. the shortlist counted for the header (hubcatalog/context_processors.py)
        with django_assert_num_queries(7):
            response = logged_in.get(detail_url(hub_a))
        assert len(response.context["listings"]) == size


# Who may look.


def test_an_anonymous_visitor_is_sent_to_log_in(client, hub_a):
    for url in (HUB_LIST_URL, detail_url(hub_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_coordinator_without_a_partner_organisation_gets_403(client, coordinator_a, hub_a):
    client.force_login(coordinator_a)

    assert client.get(HUB_LIST_URL).status_code == 403
    assert client.get(detail_url(hub_a)).status_code == 403


def test_a_buyer_of_a_suspended_organisation_is_logged_out_and_sent_to_log_in(client, hub_a):
    suspended = make_organisation(vetting_status=PartnerOrganisation.VettingStatus.SUSPENDED)
    client.force_login(make_buyer(organisation=suspended).user)

    assert client.get(HUB_LIST_URL).url.startswith(reverse("login"))
    assert client.get(detail_url(hub_a)).url.startswith(reverse("login"))


def test_a_hubs_listings_come_a_page_at_a_time(logged_in, hub_a):
    for number in range(LISTINGS_PER_PAGE + 3):
        make_listing(make_published_product(f"Drone {number:02}"), hub_a)

    first = logged_in.get(detail_url(hub_a))
    second = logged_in.get(detail_url(hub_a), {"page": "2"})
    past_the_end = logged_in.get(detail_url(hub_a), {"page": "99"})
    nonsense = logged_in.get(detail_url(hub_a), {"page": "x'"})

    assert len(first.context["listings"]) == LISTINGS_PER_PAGE
    assert [listing.product.name for listing in second.context["listings"]] == [
        "Drone 25",
        "Drone 26",
        "Drone 27",
    ]
    assert f"({LISTINGS_PER_PAGE + 3})" in first.content.decode()
    assert 'rel="next"' in first.content.decode()
    assert past_the_end.context["page_obj"].number == 2
    assert nonsense.status_code == 200 and nonsense.context["page_obj"].number == 1
