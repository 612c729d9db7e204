"""The product page (/catalogue/<slug>/): pictures, specifications, where it is listed for the buyer,
documents, related products and where an expression of interest starts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hubs.models import Listing
from products.models import SpecAttribute
from tests.factories import (
    make_attribute,
    make_buyer,
    make_category,
    make_document,
    make_hub,
    make_image,
    make_listing,
    make_organisation,
    make_product,
    make_published_product,
    set_spec,
)

pytestmark = pytest.mark.django_db

SHOP_WORDS = re.compile(
    r"\b(cart|basket|checkout|check out|buy|buy now|purchase|order now|add to order)\b", re.I
)


def product_url(product) -> str:
    return reverse("product_detail", args=[product.slug])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def kestrel(fpv):
    return make_published_product("Kestrel", category=fpv, summary="A strike drone for brigades.")


def test_it_shows_the_product(client_a, kestrel):
    response = client_a.get(product_url(kestrel))

    assert response.status_code == 200
    text = text_of(response)
    assert "Kestrel" in text
    assert "A strike drone for brigades." in text
    assert "ML10 – Aircraft, unmanned aerial vehicles, aero-engines" in text
    assert 'alt="Kestrel in the field"' in response.content.decode()


def test_its_specifications_come_in_the_categorys_order_with_units(client_a, uas, fpv, kestrel):
    Type = SpecAttribute.ValueType
    warhead = make_attribute(fpv, "Warhead", unit="kg", position=1)
    range_km = make_attribute(uas, "Range", unit="km", position=2)
    frequency = make_attribute(uas, "Frequency", unit="MHz", value_type=Type.RANGE, position=1)
    night = make_attribute(uas, "Night capability", value_type=Type.BOOLEAN, position=3)
    make_attribute(uas, "Ceiling", unit="m")  # no value: not shown
    set_spec(kestrel, warhead, number=Decimal("1.500"))
    set_spec(kestrel, range_km, number=Decimal("12"))
    set_spec(kestrel, frequency, number=Decimal("400"), number_max=Decimal("6000"))
    set_spec(kestrel, night, boolean=True)

    response = client_a.get(product_url(kestrel))

    assert [value.display() for value in response.context["specifications"]] == [
        "400–6000 MHz",  # the parent's attributes first, by position
        "12 km",
        "Yes",
        "1.5 kg",
    ]
    text = text_of(response)
    assert "Frequency 400–6000 MHz" in text
    assert "Ceiling" not in text


def test_it_lists_only_the_listings_visible_to_the_buyer(client_a, kestrel, hub_a, hub_b):
    make_listing(kestrel, hub_a, quantity_available=40, lead_time_weeks=3, unit_price_eur=Decimal("1250.00"))
    make_listing(kestrel, hub_b, quantity_available=777, destination_countries=["PL"])
    make_listing(kestrel, make_hub("Closed Hub", is_active=False), quantity_available=555)

    response = client_a.get(product_url(kestrel))

    text = text_of(response)
    assert [listing.hub for listing in response.context["listings"]] == [hub_a]
    assert "Hub A" in text
    assert "40 units" in text
    assert "3 weeks" in text
    assert "€1,250 (indicative)" in text  # format_money: whole euros without cents
    assert "Hub B" not in text and "777" not in text
    assert "Closed Hub" not in text and "555" not in text


def test_each_listing_shows_licence_status_validity_and_price_or_on_request(client_a, kestrel, hub_a):
    valid_until = timezone.localdate() + datetime.timedelta(days=30)
    make_listing(
        kestrel,
        hub_a,
        licence_status=Listing.LicenceStatus.PRE_CLEARED,
        valid_until=valid_until,
        quantity_unit=Listing.QuantityUnit.SYSTEMS,
        quantity_available=3,
    )

    response = client_a.get(product_url(kestrel))

    text = text_of(response)
    assert "Pre-cleared" in text
    assert "3 systems" in text
    assert "On request" in text
    assert str(valid_until.year) in text
    assert f'href="{reverse("hub_detail", args=[hub_a.slug])}"' in response.content.decode()


def test_an_expired_or_reserved_listing_says_so(client_a, kestrel, hub_a, hub_b):
    make_listing(kestrel, hub_a, valid_until=timezone.localdate() - datetime.timedelta(days=1))
    make_listing(kestrel, hub_b, availability=Listing.Availability.RESERVED)

    text = text_of(client_a.get(product_url(kestrel)))

    assert "Expired" in text
    assert "Reserved" in text


def test_without_a_visible_listing_it_shows_no_quantities(client_a, kestrel, hub_b):
    make_listing(kestrel, hub_b, quantity_available=999, destination_countries=["PL"])

    response = client_a.get(product_url(kestrel))

    assert response.context["listings"] == []
    text = text_of(response)
    assert "No hub lists this product for your country at present" in text
    assert "999" not in text


def test_another_countrys_buyer_sees_its_own_listings(client, kestrel, hub_a, hub_b, buyer_b):
    make_listing(kestrel, hub_a, destination_countries=["DE"])
    make_listing(kestrel, hub_b, destination_countries=["PL"])
    client.force_login(buyer_b.user)

    response = client.get(product_url(kestrel))

    assert [listing.hub for listing in response.context["listings"]] == [hub_b]


def test_documents_link_to_the_access_checked_download(client_a, kestrel):
    make_listing(kestrel, make_hub(), destination_countries=["DE"])
    document = make_document(kestrel, "Kestrel datasheet", pages=3)

    page = client_a.get(product_url(kestrel)).content.decode()

    assert f'href="{reverse("document_download", args=[document.pk])}">Kestrel datasheet</a>' in page
    assert "3 pages" in page
    assert document.file.name not in page


def test_it_shows_a_few_related_products_of_the_same_category(client_a, fpv, kestrel):
    for index in range(5):
        make_published_product(f"Falcon {index}", category=fpv)
    make_product("Draft Hawk", category=fpv)
    make_published_product("Osprey Jammer", category=make_category("EW"))

    response = client_a.get(product_url(kestrel))

    related = [product.name for product in response.context["related_products"]]
    assert related == ["Falcon 0", "Falcon 1", "Falcon 2", "Falcon 3"]
    assert "Draft Hawk" not in response.content.decode()


def test_it_says_where_an_expression_of_interest_starts_without_a_fake_button(client_a, kestrel):
    response = client_a.get(product_url(kestrel))

    page = response.content.decode()
    assert 'id="expression-of-interest"' in page
    assert "Expressions of interest are submitted from your shortlist." in page
    assert not SHOP_WORDS.search(text_of(response))
    assert "soon" not in text_of(response).lower()


def test_it_shows_all_pictures_with_their_text(client_a, kestrel):
    make_image(kestrel)

    response = client_a.get(product_url(kestrel))

    assert len(response.context["images"]) == 2
    assert response.content.decode().count("data-gallery-thumb") == 2


def test_a_draft_or_withdrawn_product_is_not_found(client_a, fpv):
    draft = make_product("Draft Hawk", category=fpv)
    withdrawn = make_published_product("Old Owl", category=fpv)
    withdrawn.withdraw()

    assert client_a.get(product_url(draft)).status_code == 404
    assert client_a.get(product_url(withdrawn)).status_code == 404
    assert client_a.get(reverse("product_detail", args=["no-such-product"])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, kestrel):
    response = client.get(product_url(kestrel))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# A suspended organisation's buyer is logged out and sent to log in (accounts.sessions).
@pytest.mark.parametrize(("status", "outcome"), [("pending", 403), ("suspended", 302)])
def test_a_buyer_of_an_organisation_not_approved_cannot_see_it(client, kestrel, status, outcome):
    client.force_login(make_buyer(organisation=make_organisation(vetting_status=status)).user)

    assert client.get(product_url(kestrel)).status_code == outcome


def test_a_coordinator_without_a_buyer_profile_cannot_see_it(client, kestrel, coordinator_a):
    client.force_login(coordinator_a)

    assert client.get(product_url(kestrel)).status_code == 403


def test_it_answers_only_get(client_a, kestrel):
    assert client_a.post(product_url(kestrel)).status_code == 405


@pytest.mark.parametrize("size", [3, 30])
def test_the_product_page_runs_a_fixed_number_of_queries(
    client_a, django_assert_max_num_queries, uas, fpv, size
):
    product = make_published_product("Kestrel", category=fpv)
    for index in range(size):
        make_image(product)
        attribute = make_attribute(uas if index % 2 else fpv, unit="km")
        set_spec(product, attribute, number=Decimal(index))
        make_listing(product, make_hub(), destination_countries=["DE"])
        make_document(product, f"Manual {index}", pages=1)
        make_published_product(f"Falcon {index}", category=fpv)

    # session, user with buyer and organisation (2); the product with manufacturer and category lineage
    # (1); the listings with their hubs (1); the specification values with attributes, the category's
    # attributes (2); images (1); documents (1); related products, their manufacturers, categories, images,
    # key specifications and listings' price and openness (6); the product's forms of cooperation, and those
    # of the related products (2); the shortlist counted for the header (1: hubcatalog/context_processors.py).
    with django_assert_max_num_queries(17):
        response = client_a.get(product_url(product))

    assert len(response.context["specifications"]) == size
    assert len(response.context["listings"]) == size
