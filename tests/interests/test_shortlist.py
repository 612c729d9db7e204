"""The shortlist: buyers set products aside from the catalogue and product pages, kept per user; only
products a hub offers to their country, open to expressions of interest, can be set aside."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hubs.models import Listing
from interests.models import ShortlistItem
from tests.factories import make_buyer, make_hub, make_listing, make_product, make_published_product

pytestmark = pytest.mark.django_db

ADD = reverse("shortlist_add")
REMOVE = reverse("shortlist_remove")
SHORTLIST = reverse("shortlist")


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def product():
    """A product a hub offers to Germany, organisation A's country."""
    product = make_published_product("Kestrel FPV")
    make_listing(product, make_hub(), destination_countries=["DE"])
    return product


def test_it_adds_a_product_and_goes_back_to_the_page(client_a, buyer_a, product):
    next_url = reverse("product_detail", args=[product.slug])

    response = client_a.post(ADD, {"product": product.pk, "next": next_url})

    assert response.status_code == 302
    assert response.url == next_url
    assert list(ShortlistItem.objects.filter(user=buyer_a.user).values_list("product", flat=True)) == [
        product.pk
    ]


def test_adding_twice_keeps_one_item(client_a, buyer_a, product):
    client_a.post(ADD, {"product": product.pk})
    client_a.post(ADD, {"product": product.pk})

    assert ShortlistItem.objects.filter(user=buyer_a.user).count() == 1


def test_it_ignores_an_unsafe_next_url(client_a, product):
    response = client_a.post(ADD, {"product": product.pk, "next": "https://evil.example/"})

    assert response.url == SHORTLIST


def test_it_removes_a_product(client_a, buyer_a, product):
    ShortlistItem.objects.create(user=buyer_a.user, product=product)

    response = client_a.post(REMOVE, {"product": product.pk, "next": SHORTLIST})

    assert response.status_code == 302
    assert not ShortlistItem.objects.filter(user=buyer_a.user).exists()


def test_the_shortlist_is_kept_per_user_across_sessions(client, buyer_a, buyer_b, product):
    client.force_login(buyer_a.user)
    client.post(ADD, {"product": product.pk})
    client.logout()
    client.force_login(buyer_a.user)

    response = client.get(SHORTLIST)

    assert [item.product for item in response.context["items"]] == [product]
    client.force_login(buyer_b.user)
    assert client.get(SHORTLIST).context["items"] == []


def test_buyer_cannot_shortlist_a_draft_product(client_a, buyer_a):
    draft = make_product("Prototype")

    response = client_a.post(ADD, {"product": draft.pk})

    assert response.status_code == 404
    assert not ShortlistItem.objects.exists()


def test_a_missing_product_is_a_bad_request(client_a):
    response = client_a.post(ADD, {"product": "abc"})

    assert response.status_code == 400
    assert not ShortlistItem.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, product):
    response = client.post(ADD, {"product": product.pk})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not ShortlistItem.objects.exists()


def test_staff_without_an_organisation_get_403(client, coordinator_a, product):
    client.force_login(coordinator_a)

    assert client.post(ADD, {"product": product.pk}).status_code == 403
    assert client.get(SHORTLIST).status_code == 403


def test_buyer_of_a_pending_organisation_gets_403(client, product):
    buyer = make_buyer()
    buyer.organisation.vetting_status = "pending"
    buyer.organisation.save()
    client.force_login(buyer.user)

    assert client.post(ADD, {"product": product.pk}).status_code == 403


@pytest.mark.parametrize("url", [ADD, REMOVE])
def test_toggles_accept_only_post(client_a, product, url):
    assert client_a.get(url, {"product": product.pk}).status_code == 405


def test_the_shortlist_page_accepts_only_get_and_post(client_a):
    assert client_a.put(SHORTLIST).status_code == 405


def test_the_page_shows_each_products_eligible_listings_only(client_a, buyer_a, hub_a, hub_b):
    product = make_published_product("Osprey Recon")
    ShortlistItem.objects.create(user=buyer_a.user, product=product)
    shown = make_listing(product, hub_a, destination_countries=["DE"])
    make_listing(product, hub_b, destination_countries=["PL"])  # not offered to Germany

    response = client_a.get(SHORTLIST)

    assert response.status_code == 200
    form = response.context["formset"].forms[0]
    assert list(form.listings) == [shown.pk]
    assert "Hub A" in response.content.decode()
    assert "Submit expression of interest" in response.content.decode()


def test_the_page_says_so_when_the_shortlist_is_empty(client_a):
    response = client_a.get(SHORTLIST)

    assert "Your shortlist is empty" in response.content.decode()


def test_the_catalogue_and_product_page_offer_the_shortlist_button(client_a, product):
    for url in (reverse("catalogue"), reverse("product_detail", args=[product.slug])):
        content = client_a.get(url).content.decode()
        assert f'action="{ADD}"' in content
        assert button("Kestrel FPV") in content


def button(name: str) -> str:
    return f'Add to shortlist<span class="visually-hidden"> ({name})</span>'


YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
NOT_REQUESTABLE = {
    "unlisted": lambda product: None,
    "listed-for-another-country": lambda product: make_listing(product, destination_countries=["PL"]),
    "exhausted": lambda product: make_listing(
        product, destination_countries=["DE"], availability=Listing.Availability.EXHAUSTED
    ),
    "expired": lambda product: make_listing(product, destination_countries=["DE"], valid_until=YESTERDAY),
}


@pytest.mark.parametrize("make", NOT_REQUESTABLE.values(), ids=NOT_REQUESTABLE.keys())
def test_the_button_is_offered_only_where_an_interest_can_be_expressed(client_a, product, make):
    other = make_published_product("Osprey Recon")
    make(other)

    for url in (reverse("catalogue"), reverse("product_detail", args=[other.slug])):
        content = client_a.get(url).content.decode()
        assert button("Osprey Recon") not in content
        assert "Not open to expressions of interest from your country at present" in content
    assert button("Kestrel FPV") in client_a.get(reverse("catalogue")).content.decode()


def test_a_reserved_listing_is_enough_to_shortlist(client_a, buyer_a):
    reserved = make_published_product("Osprey Recon")
    make_listing(reserved, destination_countries=["DE"], availability=Listing.Availability.RESERVED)

    assert button("Osprey Recon") in client_a.get(reverse("catalogue")).content.decode()
    assert client_a.post(ADD, {"product": reserved.pk}).status_code == 302
    assert ShortlistItem.objects.filter(user=buyer_a.user, product=reserved).exists()


@pytest.mark.parametrize("make", NOT_REQUESTABLE.values(), ids=NOT_REQUESTABLE.keys())
def test_adding_a_product_that_cannot_be_asked_about_is_refused_with_the_reason(client_a, buyer_a, make):
    other = make_published_product("Osprey Recon")
    make(other)

    response = client_a.post(ADD, {"product": other.pk, "next": reverse("catalogue")})

    assert response.status_code == 409
    assert "Osprey Recon cannot be added to your shortlist: no hub offers it to Germany" in (
        response.content.decode()
    )
    assert not ShortlistItem.objects.filter(user=buyer_a.user).exists()


def test_a_product_already_shortlisted_can_still_be_removed_when_it_is_no_longer_offered(client_a, buyer_a):
    other = make_published_product("Osprey Recon")
    ShortlistItem.objects.create(user=buyer_a.user, product=other)

    response = client_a.post(REMOVE, {"product": other.pk})

    assert response.status_code == 302
    assert not ShortlistItem.objects.exists()


@pytest.mark.parametrize("size", [2, 8])
def test_the_shortlist_page_runs_a_fixed_number_of_queries(
    client_a, buyer_a, django_assert_max_num_queries, size
):
    hub = make_hub()
    for index in range(size):
        product = make_published_product(f"Product {index}")
        make_listing(product, hub, destination_countries=["DE"])
        ShortlistItem.objects.create(user=buyer_a.user, product=product)

    # session, user with buyer and organisation (2); the shortlist with products, manufacturers and
    # categories (1); the eligible listings with their hubs (1); the embargoes in force that mark delivery
    # countries, on a cold cache only (1: interests/embargoes.py); the shortlist counted for the header (1:
    # hubcatalog/context_processors.py).
    with django_assert_max_num_queries(6):
        response = client_a.get(SHORTLIST)

    assert len(response.context["items"]) == size
