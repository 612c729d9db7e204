"""A hub coordinator manages their own hubs' listings in the admin, and reaches nothing of another hub's.

Coordinator A (of hub A) is tried against hub B's listing through every admin path: change list, search,
filters, change, delete and history views, autocomplete, bulk actions, and forms posting hub B's id.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from hubs.models import Hub, Listing
from products.models import Product
from tests.factories import make_hub, make_listing, make_product

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:hubs_listing_changelist")
ADD = reverse("admin:hubs_listing_add")


def change_url(listing):
    return reverse("admin:hubs_listing_change", args=[listing.pk])


def listing_form_data(*, product, hub, **overrides):
    """What the listing change form posts (the fields of ListingAdmin.fieldsets)."""
    data = {
        "product": product.pk,
        "hub": hub.pk,
        "quantity_available": 20,
        "quantity_unit": "units",
        "availability": "available",
        "lead_time_weeks": 6,
        "unit_price_eur": "",
        "valid_until": "",
        "licence_status": "required",
        "destination_countries": ["DE", "PL"],
        "notes": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def autocomplete(client, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "hubs", "model_name": "listing", "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return {result["text"] for result in response.json()["results"]}


@pytest.fixture
def listing_a(hub_a):
    return make_listing(make_product("Alpha Interceptor"), hub_a, quantity_available=12)


@pytest.fixture
def listing_b(hub_b):
    return make_listing(make_product("Bravo Sentinel"), hub_b, quantity_available=30, notes="Bravo's notes")


@pytest.fixture
def client_a(client, coordinator_a, listing_a, listing_b):
    client.force_login(coordinator_a)
    return client


def assert_unchanged(listing_b):
    before = (listing_b.hub_id, listing_b.quantity_available, listing_b.availability, listing_b.notes)
    listing_b.refresh_from_db()
    assert (listing_b.hub_id, listing_b.quantity_available, listing_b.availability, listing_b.notes) == before


# The change list, its search and its filters


def test_coordinator_sees_only_their_hubs_listings_in_the_change_list(client_a, listing_a, listing_b):
    response = client_a.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [listing_a]
    assert "Alpha Interceptor" in response.text
    assert "Bravo Sentinel" not in response.text
    assert "Hub B" not in response.text


def test_coordinator_sees_no_other_hub_in_the_filter_counts(client_a, listing_b):
    response = client_a.get(CHANGELIST, {"_facets": "1"})

    assert "Hub B" not in response.text
    assert "Bravo Sentinel" not in response.text


def test_coordinator_cannot_find_another_hubs_listing_by_searching(client_a, listing_b):
    response = client_a.get(CHANGELIST, {"q": "Sentinel"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert "Bravo Sentinel" not in response.text


def test_coordinator_cannot_search_by_another_hubs_name(client_a):
    response = client_a.get(CHANGELIST, {"q": '"Hub B"'})

    assert list(response.context["cl"].queryset) == []
    assert "Bravo Sentinel" not in response.text


def test_coordinator_cannot_filter_the_change_list_to_another_hub(client_a, listing_b, hub_b):
    response = client_a.get(CHANGELIST, {"hub__id__exact": hub_b.pk})

    # Django may answer a filter it does not offer with a redirect to ?e=1, or (with a single hub to choose
    # from, the filter is not shown) ignore it; either way nothing of hub B shows.
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert listing_b not in response.context["cl"].queryset
    assert "Bravo Sentinel" not in response.text
    assert "Hub B" not in response.text


def test_coordinator_hub_filter_lists_only_their_hubs(client, coordinator_a, listing_a, listing_b):
    second_hub = make_hub("Hub A-North", coordinators=[coordinator_a])
    make_listing(make_product("Alpha Relay"), second_hub)
    client.force_login(coordinator_a)

    response = client.get(CHANGELIST)

    hub_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "hub")
    assert {name for _pk, name in hub_filter.lookup_choices} == {"Hub A (DE)", "Hub A-North (DE)"}
    assert "Hub B" not in response.text


def test_coordinator_of_two_hubs_cannot_filter_to_a_third(client, coordinator_a, listing_a, listing_b, hub_b):
    make_listing(make_product("Alpha Relay"), make_hub("Hub A-North", coordinators=[coordinator_a]))
    client.force_login(coordinator_a)

    response = client.get(CHANGELIST, {"hub__id__exact": hub_b.pk})

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == []
    assert "Bravo Sentinel" not in response.text


# The change, history and delete views


def test_coordinator_cannot_open_another_hubs_listing(client_a, listing_b):
    response = client_a.get(change_url(listing_b))

    assert response.status_code == 404
    assert "Bravo" not in response.text


def test_coordinator_cannot_change_another_hubs_listing(client_a, listing_b):
    data = listing_form_data(
        product=listing_b.product, hub=listing_b.hub, quantity_available=1, notes="Taken"
    )

    response = client_a.post(change_url(listing_b), data)

    assert response.status_code in (403, 404)
    assert_unchanged(listing_b)


def test_coordinator_cannot_read_another_hubs_listing_history(client_a, listing_b):
    response = client_a.get(reverse("admin:hubs_listing_history", args=[listing_b.pk]))

    assert response.status_code == 404
    assert "Bravo" not in response.text


def test_coordinator_cannot_delete_another_hubs_listing(client_a, listing_b):
    url = reverse("admin:hubs_listing_delete", args=[listing_b.pk])

    assert client_a.get(url).status_code == 404
    assert client_a.post(url, {"post": "yes"}).status_code == 404
    assert Listing.objects.filter(pk=listing_b.pk).exists()


@pytest.mark.parametrize("object_id", ["999999", "not-a-number"])
def test_it_answers_an_unknown_listing_id_with_404(client_a, object_id):
    response = client_a.get(reverse("admin:hubs_listing_change", args=[object_id]))

    assert response.status_code == 404


def test_coordinator_has_no_object_permission_on_another_hubs_objects(
    rf, coordinator_a, listing_a, listing_b
):
    # A second line behind the scoped queryset, for any code path that hands an object to the admin directly.
    request = rf.get("/admin/")
    request.user = coordinator_a
    listings, hubs = admin.site.get_model_admin(Listing), admin.site.get_model_admin(Hub)

    assert listings.has_change_permission(request, listing_a)
    assert not listings.has_view_permission(request, listing_b)
    assert not listings.has_change_permission(request, listing_b)
    assert not listings.has_delete_permission(request, listing_b)
    assert hubs.has_view_permission(request, listing_a.hub)
    assert not hubs.has_view_permission(request, listing_b.hub)


# Autocomplete


def test_coordinator_cannot_see_another_hub_in_the_hub_autocomplete(client_a):
    assert autocomplete(client_a, "hub") == {"Hub A (DE)"}
    assert autocomplete(client_a, "hub", term="Warsaw") == set()  # Hub B's city


def test_coordinator_can_autocomplete_every_product(client_a):
    # Products are the shared catalogue: a coordinator may list any of them at their hub.
    assert autocomplete(client_a, "product", term="Sentinel") == {"Bravo Sentinel"}
    assert autocomplete(client_a, "product") >= {"Alpha Interceptor", "Bravo Sentinel"}


# Bulk actions


def test_coordinator_cannot_mark_another_hubs_listing_exhausted(client_a, listing_a, listing_b):
    response = client_a.post(CHANGELIST, {"action": "mark_exhausted", "_selected_action": [listing_b.pk]})

    assert response.status_code == 302
    assert_unchanged(listing_b)


def test_coordinator_bulk_action_ignores_another_hubs_ids(client_a, listing_a, listing_b):
    response = client_a.post(
        CHANGELIST,
        {"action": "mark_exhausted", "_selected_action": [listing_a.pk, listing_b.pk]},
        follow=True,
    )

    listing_a.refresh_from_db()
    assert listing_a.availability == Listing.Availability.EXHAUSTED
    assert_unchanged(listing_b)
    assert "1 listing was marked as exhausted." in response.text


def test_coordinator_cannot_delete_another_hubs_listing_with_the_bulk_action(client_a, listing_b):
    client_a.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [listing_b.pk], "post": "yes"}
    )

    assert Listing.objects.filter(pk=listing_b.pk).exists()


def test_coordinator_can_mark_their_listing_exhausted(client_a, listing_a):
    client_a.post(CHANGELIST, {"action": "mark_exhausted", "_selected_action": [listing_a.pk]})

    listing_a.refresh_from_db()
    assert listing_a.availability == Listing.Availability.EXHAUSTED
    assert listing_a.quantity_available == 12


# Forms that name another hub


def test_coordinator_cannot_add_a_listing_at_another_hub(client_a, hub_b):
    product = make_product("Charlie Jammer")

    response = client_a.post(ADD, listing_form_data(product=product, hub=hub_b))

    assert response.status_code == 200
    assert "hub" in response.context["adminform"].form.errors
    assert "Select a valid choice" in response.text
    assert not Listing.objects.filter(product=product).exists()


def test_coordinator_cannot_move_their_listing_to_another_hub(client_a, listing_a, hub_a, hub_b):
    response = client_a.post(change_url(listing_a), listing_form_data(product=listing_a.product, hub=hub_b))

    assert response.status_code == 200
    assert "hub" in response.context["adminform"].form.errors
    listing_a.refresh_from_db()
    assert listing_a.hub == hub_a


def test_coordinator_add_form_offers_only_their_hub(client_a, hub_a):
    response = client_a.get(ADD)

    form = response.context["adminform"].form
    assert list(form.fields["hub"].queryset) == [hub_a]
    assert form.initial["hub"] == hub_a.pk


# What a coordinator may do


def test_coordinator_can_add_a_listing_at_their_hub(client_a, hub_a):
    product = make_product("Delta Radar")

    response = client_a.post(ADD, listing_form_data(product=product, hub=hub_a, lead_time_weeks=10))

    assert response.status_code == 302
    listing = Listing.objects.get(product=product)
    assert listing.hub == hub_a
    assert listing.lead_time_weeks == 10


def test_coordinator_can_edit_their_listing(client_a, listing_a):
    data = listing_form_data(product=listing_a.product, hub=listing_a.hub, quantity_available=4, notes="Four")

    response = client_a.post(change_url(listing_a), data)

    assert response.status_code == 302
    listing_a.refresh_from_db()
    assert (listing_a.quantity_available, listing_a.notes) == (4, "Four")


def test_coordinator_can_read_their_listing_history(client_a, listing_a):
    response = client_a.get(reverse("admin:hubs_listing_history", args=[listing_a.pk]))

    assert response.status_code == 200


def test_coordinator_can_delete_their_listing(client_a, listing_a):
    response = client_a.post(reverse("admin:hubs_listing_delete", args=[listing_a.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Listing.objects.filter(pk=listing_a.pk).exists()


# Other roles


def test_it_shows_a_superuser_every_hubs_listings(client, superuser, listing_a, listing_b):
    client.force_login(superuser)

    response = client.get(CHANGELIST)

    assert set(response.context["cl"].queryset) == {listing_a, listing_b}
    assert client.get(change_url(listing_b)).status_code == 200


def test_it_offers_a_superuser_every_hub(client, superuser, listing_a, listing_b):
    client.force_login(superuser)

    assert autocomplete(client, "hub") == {"Hub A (DE)", "Hub B (PL)"}


def test_catalogue_editor_cannot_add_or_change_listings(client, editor, listing_b, hub_b):
    client.force_login(editor)
    product = make_product("Echo Mortar")

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, listing_form_data(product=product, hub=hub_b)).status_code == 403
    data = listing_form_data(product=listing_b.product, hub=hub_b, quantity_available=1)
    assert client.post(change_url(listing_b), data).status_code in (403, 404)
    assert not Listing.objects.filter(product=product).exists()
    assert_unchanged(listing_b)


def test_catalogue_editor_can_add_products(client, editor):
    client.force_login(editor)

    assert client.get(reverse("admin:products_product_add")).status_code == 200


def test_coordinator_cannot_add_or_change_products_but_can_view_them(client_a, listing_b):
    product = listing_b.product
    change = reverse("admin:products_product_change", args=[product.pk])

    assert client_a.get(reverse("admin:products_product_add")).status_code == 403
    view = client_a.get(change)
    assert view.status_code == 200
    assert "View product" in view.text
    response = client_a.post(change, {"name": "Renamed", "status": Product.Status.WITHDRAWN})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "Bravo Sentinel"


# The hubs' own admin


def test_coordinator_sees_only_their_hub_in_the_hub_admin(client_a, hub_a):
    response = client_a.get(reverse("admin:hubs_hub_changelist"))

    assert list(response.context["cl"].queryset) == [hub_a]
    assert "Hub B" not in response.text
    assert "Poland" not in response.text  # Hub B's country, from the country filter


def test_coordinator_cannot_open_another_hub(client_a, hub_b):
    for view in ("change", "history", "delete"):
        response = client_a.get(reverse(f"admin:hubs_hub_{view}", args=[hub_b.pk]))
        assert response.status_code == 404, view


def test_coordinator_can_view_but_not_change_their_hub(client_a, hub_a):
    url = reverse("admin:hubs_hub_change", args=[hub_a.pk])

    assert client_a.get(url).status_code == 200
    assert client_a.post(url, {"name": "Renamed hub"}).status_code == 403
    assert Hub.objects.get(pk=hub_a.pk).name == "Hub A"
