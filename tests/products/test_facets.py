"""CatalogueFacets: the counts beside the catalogue's results, the chips that remove a filter, their cost."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from products.facets import MAX_CHOICES, CatalogueFacets
from products.filters import ProductFilter
from products.models import Product
from tests.factories import (
    make_attribute,
    make_category,
    make_hub,
    make_listing,
    make_manufacturer,
    make_published_product,
)

pytestmark = pytest.mark.django_db


def catalogue_facets(organisation, query: str = "") -> CatalogueFacets:
    queryset = Product.objects.visible_to(organisation).for_catalogue()
    return CatalogueFacets(ProductFilter(QueryDict(query), queryset=queryset, organisation=organisation))


def choices(facet) -> dict[str, int]:
    return {choice.label: choice.count for choice in facet.choices}


def test_facet_counts_apply_the_other_filters_but_not_their_own(organisation_a, hub_a):
    north, south = make_manufacturer("North Works"), make_manufacturer("South Works")
    make_published_product("Kestrel", manufacturer=north, is_combat_proven=True)
    make_published_product("Heron", manufacturer=north)
    make_published_product("Osprey", manufacturer=south, is_combat_proven=True)

    facets = catalogue_facets(organisation_a, f"manufacturer={north.slug}&combat_proven=yes").facets()

    # Manufacturer counts with combat-proven applied, and both manufacturers still offered as choices.
    assert choices(facets["manufacturer"]) == {"North Works": 1, "South Works": 1}
    # Combat-proven counted within North Works.
    assert choices(facets["status"])["Combat-proven"] == 1
    assert [choice.selected for choice in facets["manufacturer"].choices] == [True, False]


def test_a_parent_categorys_count_includes_its_subcategories(organisation_a, uas, fpv, ew):
    make_published_product("Kestrel", category=fpv)
    make_published_product("Falcon", category=fpv)
    make_published_product("Survey Wing", category=uas)
    make_published_product("Osprey Jammer", category=ew)

    tree = catalogue_facets(organisation_a).facets()["category"].choices

    assert [(choice.label, choice.count) for choice in tree] == [
        ("Electronic warfare", 1),
        ("Unmanned aerial systems", 3),
    ]
    assert [(choice.label, choice.count) for choice in tree[1].children] == [("Strike and FPV", 2)]


def test_hub_and_country_counts_come_from_the_buyers_visible_listings(organisation_a, hub_a, hub_b):
    make_listing(make_published_product("Kestrel"), hub_a)
    make_listing(make_published_product("Osprey"), hub_a, destination_countries=["PL"])
    make_listing(make_published_product("Heron"), hub_b)

    facets = catalogue_facets(organisation_a).facets()

    assert choices(facets["hub"]) == {"Hub A": 1, "Hub B": 1}
    assert choices(facets["country"]) == {"Germany": 1, "Poland": 1}
    assert choices(facets["availability"]) == {"Offered to your country": 2, "Available now": 2}


def test_a_chosen_value_stays_in_its_facet_when_nothing_is_left_in_it(organisation_a):
    north = make_manufacturer("North Works")
    make_published_product("Kestrel", manufacturer=north)

    facets = catalogue_facets(organisation_a, f"manufacturer={north.slug}&ml=ML22").facets()

    # Nothing of North Works is on ML22, yet the ticked box stays, so that it can be unticked.
    assert [(choice.label, choice.count, choice.selected) for choice in facets["manufacturer"].choices] == [
        ("North Works", 0, True)
    ]


def test_readiness_counts_are_cumulative(organisation_a):
    for level in (9, 8, 8, 6):
        make_published_product(technology_readiness_level=level)

    facet = catalogue_facets(organisation_a).facets()["trl_min"]

    # Below TRL 6 every product would count again: those levels are not offered.
    assert [(choice.value, choice.count) for choice in facet.choices] == [
        ("9", 1),
        ("8", 3),
        ("7", 3),
        ("6", 4),
    ]


def test_all_the_counts_are_one_statement_however_many_choices(organisation_a):
    def count_queries(size):
        for index in range(size):
            product = make_published_product(
                manufacturer=make_manufacturer(), military_list_category=f"ML{index % 22 + 1}"
            )
            make_listing(product, make_hub(country=["DE", "PL", "FR"][index % 3]))
        chosen = catalogue_facets(organisation_a, "trl_min=7")
        assert chosen.filter.is_valid()  # validation first: its queries are not the facets'
        with CaptureQueriesContext(connection) as captured:
            chosen.facets()
        return len(captured)

    # every count and the number of results in one statement; the names of the active hubs and of the
    # manufacturers shown (the category tree was read with the filter): 3 queries.
    assert count_queries(2) == count_queries(12) == 3


def test_a_chip_removes_just_its_own_filter_value(organisation_a, hub_a, hub_b):
    chosen = catalogue_facets(organisation_a, f"hub={hub_a.slug}&hub={hub_b.slug}&trl_min=7&page=3&q=")

    chips = {chip.label: chip.query for chip in chosen.chips()}

    assert chips["Hub: Hub A"] == f"?hub={hub_b.slug}&trl_min=7"
    assert chips["TRL at least 7"] == f"?hub={hub_a.slug}&hub={hub_b.slug}"
    assert len(chips) == 3


def test_removing_the_category_chip_removes_its_specification_filters(organisation_a, uas):
    make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)

    chosen = catalogue_facets(organisation_a, f"category={uas.slug}&spec_range_min=10&combat_proven=yes")
    chips = {chip.label: chip.query for chip in chosen.chips()}

    assert chips["Category: Unmanned aerial systems"] == "?combat_proven=yes"
    assert chips["Range at least 10 km"] == f"?category={uas.slug}&combat_proven=yes"


def test_an_invalid_value_makes_no_chip(organisation_a):
    assert catalogue_facets(organisation_a, "trl_min=99&hub=nowhere").chips() == []


def test_chosen_categories_are_counted_within_the_results_and_the_others_offered_uncounted(
    organisation_a, uas, fpv, ew
):
    recon = make_category("Reconnaissance", parent=uas)
    make_published_product("Kestrel", category=fpv, is_combat_proven=True)
    make_published_product("Falcon Eye", category=recon, is_combat_proven=True)
    make_published_product("Osprey Jammer", category=ew, is_combat_proven=True)
    make_published_product("Owl Jammer", category=ew)

    def tree(query):
        def rows(choices):
            return [(c.label, c.count, c.selected, rows(c.children)) for c in choices]

        return rows(catalogue_facets(organisation_a, query).facets()["category"].choices)

    # None chosen: every category with results, counted with the other filters (Owl is not combat-proven).
    assert tree("combat_proven=yes") == [
        ("Electronic warfare", 1, False, []),
        (
            "Unmanned aerial systems",
            2,
            False,
            [("Reconnaissance", 1, False, []), ("Strike and FPV", 1, False, [])],
        ),
    ]
    # Some chosen: they and what is below them are counted within the results; the rest can be ticked too,
    # uncounted (counting them would mean counting the whole catalogue without the category).
    assert tree(f"category={fpv.slug}&category={ew.slug}") == [
        ("Electronic warfare", 2, True, []),
        (
            "Unmanned aerial systems",
            None,
            False,
            [("Reconnaissance", None, False, []), ("Strike and FPV", 1, True, [])],
        ),
    ]


def test_each_chosen_categorys_chip_removes_only_it(organisation_a, uas, ew):
    chips = {
        chip.label: chip.query
        for chip in catalogue_facets(organisation_a, f"category={uas.slug}&category={ew.slug}").chips()
    }

    assert chips == {
        "Category: Unmanned aerial systems": f"?category={ew.slug}",
        "Category: Electronic warfare": f"?category={uas.slug}",
    }


def test_offered_counts_the_products_with_an_open_listing_for_the_buyer(organisation_a, hub_a):
    make_listing(make_published_product("Kestrel"), hub_a)
    make_listing(make_published_product("Heron"), hub_a, availability="reserved")
    make_listing(make_published_product("Owl"), hub_a, availability="exhausted")
    make_listing(make_published_product("Osprey"), hub_a, destination_countries=["PL"])

    assert choices(catalogue_facets(organisation_a).facets()["availability"]) == {
        "Offered to your country": 2,
        "Available now": 1,
    }
    chosen = catalogue_facets(organisation_a, "offered=yes")
    assert choices(chosen.facets()["availability"]) == {"Offered to your country": 2, "Available now": 1}
    assert chosen.total == 2


def test_a_mistyped_search_is_offered_spelled_as_the_catalogue_spells_it(organisation_a):
    make_published_product("Osprey Jammer")

    correction = catalogue_facets(organisation_a, "q=Jamer+kit&ml=ML11&page=2").correction()

    assert correction.text == "jammer kit"
    assert correction.query == "?q=jammer+kit&ml=ML11"
    assert catalogue_facets(organisation_a, "q=jammer").correction() is None
    assert catalogue_facets(organisation_a).correction() is None


def test_a_long_facet_shows_its_most_frequent_choices_and_every_chosen_one(organisation_a):
    makers = [make_manufacturer(f"Works {number:02}") for number in range(MAX_CHOICES + 3)]
    for number, maker in enumerate(makers):
        for _copy in range(1 if number < 3 else 2):
            make_published_product(manufacturer=maker)

    facet = catalogue_facets(organisation_a, f"manufacturer={makers[0].slug}").facets()["manufacturer"]

    shown = {choice.label: (choice.count, choice.selected) for choice in facet.choices}
    assert len(shown) == MAX_CHOICES + 1
    assert shown["Works 00"] == (1, True)  # chosen, though among the least frequent
    assert "Works 01" not in shown and "Works 02" not in shown


def test_the_number_of_results_comes_with_the_counts(organisation_a):
    for level in (9, 8, 6):
        make_published_product(technology_readiness_level=level)

    assert catalogue_facets(organisation_a).total == 3
    assert catalogue_facets(organisation_a, "trl_min=8").total == 2
