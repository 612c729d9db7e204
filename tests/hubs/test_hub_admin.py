"""The admin of hubs and listings as a place to work: columns, filters, the hub form, query counts.

Who may reach which hub and listing is specified in test_coordinator_admin.py.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from hubs.models import Hub, Listing
from tests.factories import make_hub, make_listing, make_manufacturer, make_product, make_staff_user

pytestmark = pytest.mark.django_db

LISTINGS = reverse("admin:hubs_listing_changelist")
HUBS = reverse("admin:hubs_hub_changelist")


def hub_form_data(hub, **overrides):
    """What the hub change form posts (the fields of HubAdmin.fieldsets)."""
    data = {
        "name": hub.name,
        "slug": hub.slug,
        "is_active": "on" if hub.is_active else "",
        "opened_on": "",
        "description": hub.description,
        "country": hub.country.code,
        "city": hub.city,
        "address": hub.address,
        "latitude": hub.latitude,
        "longitude": hub.longitude,
        "contact_name": hub.contact_name,
        "contact_email": hub.contact_email,
        "contact_phone": hub.contact_phone,
        "coordinators": [user.pk for user in hub.coordinators.all()],
        "_save": "Save",
    }
    data.update(overrides)
    return data


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


# Listings


def test_it_shows_listings_terms_in_the_change_list(superuser_client, hub_a):
    make_listing(
        make_product("Owl Radar"),
        hub_a,
        quantity_available=12,
        quantity_unit=Listing.QuantityUnit.SYSTEMS,
        lead_time_weeks=1,
        unit_price_eur=Decimal("1250000.50"),
        valid_until=days_from_today(-1),
    )
    make_listing(make_product("Lynx Jammer"), hub_a, lead_time_weeks=8, valid_until=days_from_today(10))

    response = superuser_client.get(LISTINGS)

    assert "12 systems" in response.text
    assert "1 week" in response.text
    assert "8 weeks" in response.text
    assert "€1,250,000.50" in response.text
    assert "on request" in response.text
    assert response.text.count('class="hc-flag hc-flag--expired"') == 1


@pytest.mark.parametrize(
    ("validity", "expected"),
    [
        ("expired", {"Expired"}),
        ("valid", {"Open", "Next month", "Next year"}),
        ("expiring", {"Next month"}),
        ("open", {"Open"}),
    ],
)
def test_it_filters_listings_by_validity(superuser_client, hub_a, validity, expected):
    make_listing(make_product("Expired"), hub_a, valid_until=days_from_today(-3))
    make_listing(make_product("Open"), hub_a, valid_until=None)
    make_listing(make_product("Next month"), hub_a, valid_until=days_from_today(20))
    make_listing(make_product("Next year"), hub_a, valid_until=days_from_today(300))

    response = superuser_client.get(LISTINGS, {"validity": validity})

    assert {listing.product.name for listing in response.context["cl"].result_list} == expected


def test_it_searches_listings_by_manufacturer(superuser_client, hub_a):
    make_listing(make_product("Owl Radar", manufacturer=make_manufacturer("Skyworks")), hub_a)
    make_listing(make_product("Lynx Jammer"), hub_a)

    response = superuser_client.get(LISTINGS, {"q": "Skyworks"})

    assert [listing.product.name for listing in response.context["cl"].result_list] == ["Owl Radar"]


def test_it_records_the_bulk_action_in_the_listings_history(client, coordinator_a, hub_a):
    listing = make_listing(hub=hub_a)
    client.force_login(coordinator_a)

    client.post(LISTINGS, {"action": "mark_exhausted", "_selected_action": [listing.pk]})

    entry = LogEntry.objects.get(object_id=str(listing.pk))
    assert entry.user == coordinator_a
    assert entry.get_change_message() == "Marked as exhausted."


def test_it_does_not_choose_a_hub_for_a_user_of_several_hubs(superuser_client, hub_a, hub_b):
    response = superuser_client.get(reverse("admin:hubs_listing_add"))

    assert "hub" not in response.context["adminform"].form.initial


@pytest.mark.parametrize("size", [3, 15])
def test_the_listing_change_list_query_count_does_not_grow(
    client, coordinator_a, hub_a, size, django_assert_max_num_queries
):
    for _number in range(size):
        make_listing(make_product(), hub_a, valid_until=days_from_today(-1))
    client.force_login(coordinator_a)

    # 1 session, 1 user, 2 the coordinator's own and group permissions, 1 hubs of the coordinator's listings
    # (hub filter), 2 counts (filtered and total), 1 page of listings with their product and hub.
    with django_assert_max_num_queries(8):
        response = client.get(LISTINGS)

    assert response.context["cl"].result_count == size


# Hubs


def test_it_lists_hubs_with_their_listing_counts(superuser_client, hub_a, hub_b):
    make_listing(hub=hub_a)
    make_listing(hub=hub_a)

    response = superuser_client.get(HUBS)

    counts = {hub.name: hub.listing_count for hub in response.context["cl"].result_list}
    assert counts == {"Hub A": 2, "Hub B": 0}


def test_it_filters_hubs_by_the_countries_they_are_in(superuser_client, hub_a, hub_b):
    response = superuser_client.get(HUBS, {"country": "PL"})

    assert [hub.name for hub in response.context["cl"].result_list] == ["Hub B"]
    assert "Poland" in response.text
    assert "France" not in response.text  # no hub there, so not offered


def test_superuser_can_choose_a_hubs_coordinators(superuser_client, hub_a, coordinator_a, coordinator_b):
    url = reverse("admin:hubs_hub_change", args=[hub_a.pk])

    response = superuser_client.post(url, hub_form_data(hub_a, coordinators=[coordinator_b.pk]))

    assert response.status_code == 302
    assert list(hub_a.coordinators.all()) == [coordinator_b]


def test_it_offers_only_staff_as_coordinators(superuser_client, hub_a):
    make_staff_user("another-coordinator")
    User.objects.create_user("a-buyer", password="pw")

    response = superuser_client.get(reverse("admin:hubs_hub_change", args=[hub_a.pk]))

    offered = {user.username for user in response.context["adminform"].form.fields["coordinators"].queryset}
    assert "another-coordinator" in offered
    assert "a-buyer" not in offered


def test_coordinator_cannot_change_who_coordinates_their_hub(client, coordinator_a, coordinator_b, hub_a):
    # Even given the right to change their hub, a coordinator cannot hand it to someone else.
    coordinator_a.user_permissions.add(Permission.objects.get(codename="change_hub"))
    client.force_login(coordinator_a)
    url = reverse("admin:hubs_hub_change", args=[hub_a.pk])

    response = client.post(url, hub_form_data(hub_a, city="Hamburg", coordinators=[coordinator_b.pk]))

    assert response.status_code == 302
    hub_a.refresh_from_db()
    assert hub_a.city == "Hamburg"
    assert list(hub_a.coordinators.all()) == [coordinator_a]


@pytest.mark.parametrize("size", [3, 15])
def test_the_hub_change_list_query_count_does_not_grow(superuser_client, size, django_assert_max_num_queries):
    for _number in range(size):
        make_listing(hub=make_hub())

    # 1 session, 1 user, 1 countries of the hubs (country filter), 2 counts (filtered and total), 1 page of
    # hubs with their listing counts. A superuser's permissions need no query.
    with django_assert_max_num_queries(6):
        response = superuser_client.get(HUBS)

    assert response.context["cl"].result_count == size
    assert Hub.objects.count() == size
