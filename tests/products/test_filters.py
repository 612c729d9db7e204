"""ProductFilter: what each catalogue filter keeps, how it sorts, and what it does with bad values."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from hubs.models import Listing
from products.filters import ProductFilter
from products.models import Product, SpecAttribute
from tests.factories import (
    make_attribute,
    make_category,
    make_hub,
    make_listing,
    make_manufacturer,
    make_product,
    make_published_product,
    set_spec,
)

pytestmark = pytest.mark.django_db

Type = SpecAttribute.ValueType


def product_filter(organisation, query: str = "") -> ProductFilter:
    queryset = Product.objects.visible_to(organisation).for_catalogue()
    return ProductFilter(QueryDict(query), queryset=queryset, organisation=organisation)


def names(organisation, query: str = "") -> list[str]:
    return [product.name for product in product_filter(organisation, query).qs]


def test_it_keeps_only_published_products(organisation_a):
    make_published_product("Kestrel")
    make_product("Draft Hawk")
    withdrawn = make_published_product("Old Owl")
    withdrawn.withdraw()

    assert names(organisation_a) == ["Kestrel"]


def test_a_parent_category_includes_its_subcategories(organisation_a, uas, fpv, ew):
    make_published_product("Kestrel", category=fpv)
    make_published_product("Survey Wing", category=uas)
    make_published_product("Osprey Jammer", category=ew)

    assert names(organisation_a, f"category={uas.slug}") == ["Kestrel", "Survey Wing"]
    assert names(organisation_a, f"category={fpv.slug}") == ["Kestrel"]


def test_it_filters_by_manufacturers_any_of_them(organisation_a):
    north, south = make_manufacturer("North Works"), make_manufacturer("South Works")
    make_published_product("Kestrel", manufacturer=north)
    make_published_product("Osprey", manufacturer=south)
    make_published_product("Heron")

    assert names(organisation_a, f"manufacturer={north.slug}") == ["Kestrel"]
    assert names(organisation_a, f"manufacturer={north.slug}&manufacturer={south.slug}") == [
        "Kestrel",
        "Osprey",
    ]


def test_it_filters_by_military_list_readiness_and_flags(organisation_a):
    make_published_product("Kestrel", military_list_category="ML10", technology_readiness_level=9)
    make_published_product(
        "Osprey", military_list_category="ML11", technology_readiness_level=7, is_combat_proven=True
    )
    make_published_product("Heron", military_list_category="ML5", is_authorised_for_use=True)

    assert names(organisation_a, "ml=ML11&ml=ML5") == ["Heron", "Osprey"]
    assert names(organisation_a, "trl_min=8") == ["Heron", "Kestrel"]
    assert names(organisation_a, "combat_proven=yes") == ["Osprey"]
    assert names(organisation_a, "authorised=yes") == ["Heron"]


def test_hub_filters_look_only_at_listings_offered_to_the_buyers_country(organisation_a, hub_a, hub_b):
    offered = make_published_product("Kestrel")
    make_listing(offered, hub_a, destination_countries=["DE"])
    elsewhere = make_published_product("Osprey")
    make_listing(elsewhere, hub_a, destination_countries=["PL"])  # Germany's buyer must not learn of it
    make_listing(make_published_product("Heron"), hub_b, destination_countries=["DE"])

    assert names(organisation_a, f"hub={hub_a.slug}") == ["Kestrel"]
    assert names(organisation_a, "country=DE") == ["Kestrel"]
    assert names(organisation_a, "country=PL") == ["Heron"]


def test_a_listing_at_an_inactive_hub_counts_for_nothing(organisation_a):
    closed = make_hub("Closed Hub", is_active=False)
    make_listing(make_published_product("Kestrel"), closed)

    assert names(organisation_a, "country=DE") == []
    assert names(organisation_a, "available=yes") == []


def test_available_now_means_a_visible_listing_that_is_available_and_not_expired(organisation_a, hub_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_listing(make_published_product("Kestrel"), hub_a)
    make_listing(make_published_product("Expired Owl"), hub_a, valid_until=yesterday)
    make_listing(make_published_product("Reserved Heron"), hub_a, availability=Listing.Availability.RESERVED)
    make_listing(make_published_product("Hidden Hawk"), hub_a, destination_countries=["PL"])
    make_published_product("Unlisted Ibis")

    assert names(organisation_a, "available=yes") == ["Kestrel"]


def test_lead_time_at_most_counts_visible_listings_only(organisation_a, hub_a, hub_b):
    make_listing(make_published_product("Kestrel"), hub_a, lead_time_weeks=4)
    make_listing(make_published_product("Slow Owl"), hub_a, lead_time_weeks=12)
    make_listing(
        make_published_product("Hidden Hawk"), hub_b, lead_time_weeks=1, destination_countries=["PL"]
    )

    assert names(organisation_a, "lead_time_max=4") == ["Kestrel"]
    assert names(organisation_a, "lead_time_max=0") == []


def test_listing_filters_must_hold_for_one_and_the_same_listing(organisation_a, hub_a, hub_b):
    # Quick at hub B, but only hub A is asked for, where it is slow.
    product = make_published_product("Kestrel")
    make_listing(product, hub_a, lead_time_weeks=20)
    make_listing(product, hub_b, lead_time_weeks=2)

    assert names(organisation_a, f"hub={hub_a.slug}&lead_time_max=4") == []
    assert names(organisation_a, f"hub={hub_b.slug}&lead_time_max=4") == ["Kestrel"]


def test_it_adds_range_filters_for_the_categorys_filterable_numbers_with_units(organisation_a, uas, fpv):
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    make_attribute(uas, "Ceiling", unit="m", slug="ceiling")  # not filterable
    make_attribute(fpv, "Video link", slug="video-link", value_type=Type.TEXT, is_filterable=True)
    frequency = make_attribute(
        fpv, "Frequency", unit="MHz", slug="frequency", value_type=Type.RANGE, is_filterable=True
    )

    chosen = product_filter(organisation_a, f"category={fpv.slug}")

    assert set(chosen.form.fields) >= {"spec_range_min", "spec_range_max", "spec_frequency_min"}
    assert "spec_ceiling_min" not in chosen.form.fields
    assert "spec_video-link_min" not in chosen.form.fields
    assert [group["attribute"] for group in chosen.spec_groups()] == [range_km, frequency]
    assert "Range (km)" in str(chosen.form.fields["spec_range_min"].label)
    assert "spec_range_min" not in product_filter(organisation_a).form.fields


def test_it_filters_by_a_specification_range(organisation_a, uas, fpv):
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    frequency = make_attribute(
        fpv, "Frequency", unit="MHz", slug="frequency", value_type=Type.RANGE, is_filterable=True
    )
    near = make_published_product("Near Kestrel", category=fpv)
    far = make_published_product("Far Kestrel", category=fpv)
    set_spec(near, range_km, number=Decimal("8"))
    set_spec(far, range_km, number=Decimal("40"))
    set_spec(near, frequency, number=Decimal("400"), number_max=Decimal("900"))
    set_spec(far, frequency, number=Decimal("2400"), number_max=Decimal("5800"))

    assert names(organisation_a, f"category={fpv.slug}&spec_range_min=10") == ["Far Kestrel"]
    assert names(organisation_a, f"category={fpv.slug}&spec_range_max=10") == ["Near Kestrel"]
    assert names(organisation_a, f"category={uas.slug}&spec_range_min=5&spec_range_max=50") == [
        "Far Kestrel",
        "Near Kestrel",
    ]
    # A range matches when it overlaps what is asked for.
    assert names(organisation_a, f"category={fpv.slug}&spec_frequency_min=800&spec_frequency_max=1000") == [
        "Near Kestrel"
    ]


def test_a_specification_filter_without_its_category_is_ignored(organisation_a, uas):
    make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    make_published_product("Kestrel", category=uas)

    assert names(organisation_a, "spec_range_min=1000") == ["Kestrel"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=no-such-category", "category"),
        ("hub=no-such-hub", "hub"),
        ("country=XX", "country"),
        ("manufacturer=nobody", "manufacturer"),
        ("ml=ML99", "ml"),
        ("trl_min=12", "trl_min"),
        ("trl_min=high", "trl_min"),
        ("combat_proven=banana", "combat_proven"),
        ("available=1", "available"),
        ("lead_time_max=soon", "lead_time_max"),
        ("lead_time_max=-1", "lead_time_max"),
        ("lead_time_max=" + "9" * 5000, "lead_time_max"),
        ("sort=price", "sort"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_an_invalid_value_is_reported_and_filters_nothing(organisation_a, query, field):
    make_published_product("Kestrel")

    chosen = product_filter(organisation_a, query)

    assert [product.name for product in chosen.qs] == ["Kestrel"]
    assert field in chosen.errors
    assert chosen.error_messages()


@pytest.mark.parametrize("bound", ["abc", "NaN", "Infinity", "1e400", "1" * 40, "0.0001"])
def test_an_invalid_specification_bound_is_reported_and_filters_nothing(organisation_a, uas, bound):
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    product = make_published_product("Kestrel", category=uas)
    set_spec(product, range_km, number=Decimal("8"))

    chosen = product_filter(organisation_a, f"category={uas.slug}&spec_range_min={bound}")

    assert [product.name for product in chosen.qs] == ["Kestrel"]
    assert "spec_range_min" in chosen.errors


def test_other_valid_filters_still_apply_beside_an_invalid_one(organisation_a):
    make_published_product("Kestrel", is_combat_proven=True)
    make_published_product("Osprey")

    chosen = product_filter(organisation_a, "combat_proven=yes&trl_min=99")

    assert [product.name for product in chosen.qs] == ["Kestrel"]


def test_it_sorts_by_name_newest_and_shortest_lead_time(organisation_a, hub_a, hub_b):
    now = timezone.now()
    alpha = make_published_product("Alpha")
    bravo = make_published_product("Bravo")
    charlie = make_published_product("Charlie")
    Product.objects.filter(pk=alpha.pk).update(published_at=now - datetime.timedelta(days=3))
    Product.objects.filter(pk=bravo.pk).update(published_at=now - datetime.timedelta(days=1))
    Product.objects.filter(pk=charlie.pk).update(published_at=now - datetime.timedelta(days=2))
    make_listing(bravo, hub_a, lead_time_weeks=8)
    make_listing(charlie, hub_a, lead_time_weeks=10)
    make_listing(charlie, hub_b, lead_time_weeks=2)
    make_listing(alpha, hub_b, lead_time_weeks=1, destination_countries=["PL"])  # not for Germany: unlisted

    assert names(organisation_a) == ["Alpha", "Bravo", "Charlie"]
    assert names(organisation_a, "sort=newest") == ["Bravo", "Charlie", "Alpha"]
    assert names(organisation_a, "sort=lead_time") == ["Charlie", "Bravo", "Alpha"]


def test_a_search_is_sorted_by_relevance_unless_the_buyer_chose_another_order(organisation_a):
    make_published_product("Kestrel FPV")
    make_published_product("Osprey Jammer")

    searching = product_filter(organisation_a, "q=kestrel")

    assert [product.name for product in searching.qs] == ["Kestrel FPV"]
    assert searching.sort_key == "relevance"
    assert product_filter(organisation_a, "q=kestrel&sort=newest").sort_key == "newest"
    assert product_filter(organisation_a, "sort=relevance").sort_key == "name"  # nothing to be relevant to


def test_cards_are_annotated_with_the_buyers_hub_count_and_shortest_lead_time(organisation_a, hub_a, hub_b):
    product = make_published_product("Kestrel")
    make_listing(product, hub_a, lead_time_weeks=9)
    make_listing(product, hub_b, lead_time_weeks=1, destination_countries=["PL"])
    make_published_product("Osprey")

    kestrel, osprey = product_filter(organisation_a).qs

    assert (kestrel.hub_count, kestrel.shortest_lead_time) == (1, 9)
    assert (osprey.hub_count, osprey.shortest_lead_time) == (0, None)


def test_several_categories_keep_the_products_of_any_of_them(organisation_a, uas, fpv, ew):
    make_published_product("Kestrel", category=fpv)
    make_published_product("Osprey Jammer", category=ew)
    make_published_product("Sea Baby", category=make_category("Maritime"))

    assert names(organisation_a, f"category={uas.slug}&category={ew.slug}") == ["Kestrel", "Osprey Jammer"]
    # A category and one below it: the products of the one above, once each.
    assert names(organisation_a, f"category={uas.slug}&category={fpv.slug}") == ["Kestrel"]


def test_several_categories_filter_by_the_specifications_they_share(organisation_a, uas, fpv):
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    make_attribute(fpv, "Frame", unit="in", slug="frame", is_filterable=True)
    recon = make_category("Reconnaissance", parent=uas)
    set_spec(make_published_product("Kestrel", category=fpv), range_km, number=Decimal("5"))
    set_spec(make_published_product("Falcon Eye", category=recon), range_km, number=Decimal("50"))

    chosen = product_filter(organisation_a, f"category={fpv.slug}&category={recon.slug}&spec_range_min=10")

    assert chosen.spec_category == uas
    assert [group["attribute"] for group in chosen.spec_groups()] == [range_km]  # not the frame size
    assert [product.name for product in chosen.qs] == ["Falcon Eye"]
    assert "category" in product_filter(organisation_a, f"category={fpv.slug}&category=no-such").errors


def test_a_range_whose_minimum_exceeds_its_maximum_is_an_error_on_the_maximum(organisation_a, uas):
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    set_spec(make_published_product("Near", category=uas), range_km, number=Decimal("5"))
    set_spec(make_published_product("Far", category=uas), range_km, number=Decimal("50"))

    chosen = product_filter(organisation_a, f"category={uas.slug}&spec_range_min=40&spec_range_max=10")

    assert [product.name for product in chosen.qs] == ["Far"]
    assert list(chosen.errors) == ["spec_range_max"]
    assert chosen.errors["spec_range_max"] == ["The maximum, 10, is less than the minimum, 40."]
    assert chosen.form.fields["spec_range_max"].widget.attrs["aria-invalid"] == "true"
    # Equal ends are a valid range: what is exactly that.
    assert names(organisation_a, f"category={uas.slug}&spec_range_min=50&spec_range_max=50") == ["Far"]


def test_offered_keeps_products_with_a_listing_open_to_interest_from_the_buyers_country(
    organisation_a, hub_a
):
    make_listing(make_published_product("Kestrel"), hub_a)
    make_listing(make_published_product("Heron"), hub_a, availability=Listing.Availability.RESERVED)
    make_listing(make_published_product("Osprey"), hub_a, destination_countries=["PL"])
    make_listing(make_published_product("Owl"), hub_a, availability=Listing.Availability.EXHAUSTED)
    make_listing(
        make_published_product("Old Hawk"),
        hub_a,
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    make_published_product("Sea Baby")

    assert names(organisation_a) == ["Heron", "Kestrel", "Old Hawk", "Osprey", "Owl", "Sea Baby"]
    assert names(organisation_a, "offered=yes") == ["Heron", "Kestrel"]
    # With the other listing filters, on the same listing: Heron is reserved, not available now.
    assert names(organisation_a, "offered=yes&available=yes") == ["Kestrel"]
