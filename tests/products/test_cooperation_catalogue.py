"""The catalogue's side of joint production: the filter by form of cooperation, the badges on cards, the
product page's cooperation section, the compare row and the hub page's forms of cooperation."""

import pytest
from django.urls import reverse

from products.compare import SESSION_KEY
from products.models import CooperationForm, Product, ProductCooperation
from tests.factories import make_listing, make_published_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


def open_to(product, *forms, **conditions):
    for form in forms:
        ProductCooperation.objects.create(product=product, form=form, **conditions)
    return product


def test_products_open_to_a_form_are_found_by_it(db):
    licensed = open_to(make_published_product("Kestrel"), CooperationForm.LICENSED_PRODUCTION)
    open_to(make_published_product("Osprey"), CooperationForm.LOCAL_ASSEMBLY)
    make_published_product("Heron")

    assert list(Product.objects.open_to(CooperationForm.LICENSED_PRODUCTION)) == [licensed]
    assert Product.objects.open_to().count() == 2


def test_the_catalogue_filters_by_form_of_cooperation(client_a):
    open_to(make_published_product("Kestrel"), CooperationForm.LICENSED_PRODUCTION)
    open_to(make_published_product("Osprey"), CooperationForm.LOCAL_ASSEMBLY)
    make_published_product("Heron")

    response = client_a.get(reverse("catalogue"), {"cooperation": ["licensed_production"]})

    names = [card.name for card in response.context["cards"]]
    assert names == ["Kestrel"]
    assert 'name="cooperation"' in response.text


def test_an_unknown_form_filters_nothing_and_fails_nothing(client_a):
    make_published_product("Heron")

    response = client_a.get(reverse("catalogue"), {"cooperation": ["piracy"]})

    assert response.status_code == 200


def test_a_card_names_the_forms_of_cooperation(client_a):
    open_to(make_published_product("Kestrel"), CooperationForm.CO_DEVELOPMENT)

    response = client_a.get(reverse("catalogue"))

    assert "Co-development" in response.text


def test_the_product_page_shows_the_conditions_and_the_way_to_propose(client_a, hub_a):
    product = open_to(
        make_published_product("Kestrel"),
        CooperationForm.LICENSED_PRODUCTION,
        minimum_annual_volume=500,
        volume_unit="airframes",
        stays_in_ukraine="Flight controller firmware",
    )

    response = client_a.get(reverse("product_detail", args=[product.slug]))

    assert "Minimum annual volume: 500 airframes" in response.text
    assert "Flight controller firmware" in response.text
    assert reverse("cooperation_propose", args=[product.slug]) in response.text


def test_a_product_closed_to_cooperation_has_no_section(client_a):
    product = make_published_product("Heron")

    response = client_a.get(reverse("product_detail", args=[product.slug]))

    assert reverse("cooperation_propose", args=[product.slug]) not in response.text


def test_compare_has_a_row_of_forms_of_cooperation(client_a):
    kestrel = open_to(make_published_product("Kestrel"), CooperationForm.TRIALS_EVALUATION)
    heron = make_published_product("Heron")
    session = client_a.session
    session[SESSION_KEY] = [kestrel.pk, heron.pk]
    session.save()

    response = client_a.get(reverse("compare"))

    assert "Open to cooperation" in response.text
    assert "Trials and evaluation" in response.text


def test_the_hub_page_names_the_forms_of_cooperation_it_coordinates(client_a, hub_a):
    product = open_to(make_published_product("Kestrel"), CooperationForm.LICENSED_PRODUCTION)
    make_listing(product, hub_a, destination_countries=["DE"])
    hub_a.cooperation_products.add(product)

    response = client_a.get(reverse("hub_detail", args=[hub_a.slug]))

    assert "Joint production coordinated here" in response.text
    assert "Licensed production" in response.text


@pytest.mark.parametrize("size", [3, 20])
def test_the_catalogue_reads_forms_of_cooperation_in_one_query(client_a, django_assert_max_num_queries, size):
    for index in range(size):
        open_to(
            make_published_product(f"Kestrel {index}"),
            CooperationForm.LICENSED_PRODUCTION,
            CooperationForm.LOCAL_ASSEMBLY,
        )
    with django_assert_max_num_queries(25) as captured:
        client_a.get(reverse("catalogue"))
    cooperation_queries = [q for q in captured.captured_queries if "products_productcooperation" in q["sql"]]
    # The card's forms of cooperation: one prefetch, however many cards (the filter's EXISTS is not run).
    assert len(cooperation_queries) == 1
