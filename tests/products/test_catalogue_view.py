"""The catalogue page (/catalogue/) and the search box's suggestions (/catalogue/suggest/)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubs.models import Listing
from partners.models import PartnerOrganisation
from products.models import Product
from tests.factories import (
    make_attribute,
    make_buyer,
    make_category,
    make_hub,
    make_image,
    make_listing,
    make_manufacturer,
    make_organisation,
    make_product,
    make_published_product,
    make_staff_user,
    set_spec,
)

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("catalogue")
SUGGEST = reverse("catalogue_suggest")
SHOP_WORDS = re.compile(
    r"\b(cart|basket|checkout|check out|buy|buy now|purchase|order now|add to order)\b", re.I
)


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


def card_names(response) -> list[str]:
    return [product.name for product in response.context["products"]]


def test_it_shows_published_products_as_cards(client_a):
    category = make_category("Counter-UAS")
    make_published_product(
        "Kestrel Shield",
        category=category,
        manufacturer=make_manufacturer("North Works"),
        summary="Detects and defeats small drones.",
        military_list_category="ML5",
        technology_readiness_level=8,
        is_combat_proven=True,
    )

    response = client_a.get(CATALOGUE)

    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Kestrel Shield",
        "North Works",
        "Counter-UAS",
        "Detects and defeats small drones.",
        "TRL 8",
    ):
        assert text in page
    assert "EU Military List ML5" in page
    assert "Combat-proven</li>" in page
    assert 'alt="Kestrel Shield in the field"' in page
    assert reverse("product_detail", args=[Product.objects.get().slug]) in page


def test_it_hides_drafts_and_withdrawn_products(client_a):
    make_published_product("Kestrel")
    make_product("Draft Hawk")
    make_published_product("Old Owl").withdraw()

    response = client_a.get(CATALOGUE)

    assert card_names(response) == ["Kestrel"]
    assert "Draft Hawk" not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(CATALOGUE + "?category=x")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


# A suspended organisation's buyer is logged out and sent to log in (accounts.sessions).
@pytest.mark.parametrize(("status", "outcome"), [("pending", 403), ("suspended", 302)])
def test_a_buyer_of_an_organisation_not_approved_cannot_browse(client, status, outcome):
    buyer = make_buyer(organisation=make_organisation(vetting_status=status))
    client.force_login(buyer.user)

    assert client.get(CATALOGUE).status_code == outcome
    assert client.get(SUGGEST + "?q=kestrel").status_code == outcome


def test_staff_without_a_partner_organisation_cannot_browse(client, editor):
    client.force_login(editor)

    assert client.get(CATALOGUE).status_code == 403


def test_it_answers_only_get(client_a):
    assert client_a.post(CATALOGUE).status_code == 405
    assert client_a.post(SUGGEST, {"q": "kestrel"}).status_code == 405


def test_a_card_counts_only_the_hubs_that_offer_it_to_the_buyer(client_a, hub_a, hub_b):
    product = make_published_product("Kestrel")
    make_listing(product, hub_a, lead_time_weeks=9)
    make_listing(product, hub_b, lead_time_weeks=1, destination_countries=["PL"])
    make_published_product("Osprey")

    page = client_a.get(CATALOGUE).content.decode()

    assert "Listed at 1 hub for you" in page
    assert "lead time from 9 weeks" in page
    assert "lead time from 1 week" not in page
    assert "Not listed for your country at present" in page  # Osprey


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_card_shows_the_lowest_indicative_price_among_the_listings_the_buyer_may_see(
    client_a, hub_a, hub_b
):
    kestrel = make_published_product("Kestrel")
    make_listing(kestrel, hub_a, unit_price_eur=Decimal("123456.00"))
    make_listing(kestrel, hub_b, unit_price_eur=Decimal("99000.50"))
    # Not offered to a German buyer.
    make_listing(kestrel, make_hub(), unit_price_eur=Decimal("5.00"), destination_countries=["PL"])

    text = text_of(client_a.get(CATALOGUE))

    assert "Indicative unit price from €99,000.50" in text
    assert "€5" not in text
    assert "123,456" not in text


def test_a_card_says_price_on_request_when_its_listings_have_no_price(client_a, hub_a):
    make_listing(make_published_product("Kestrel"), hub_a, unit_price_eur=None)
    make_published_product("Osprey")  # not listed for the buyer: no price line at all

    text = text_of(client_a.get(CATALOGUE))

    assert text.count("Price on request") == 1
    assert text.count("Indicative unit price") == 1


def test_a_card_shows_its_first_three_filterable_specifications_by_position(client_a):
    uas = make_category("UAS")
    kestrel = make_published_product("Kestrel", category=uas)
    for position, name, number in [
        (40, "Speed", 90),
        (10, "Range", 40),
        (30, "Payload", 2),
        (20, "Span", 55),
    ]:
        attribute = make_attribute(uas, name, position=position, is_filterable=True)
        set_spec(kestrel, attribute, number=Decimal(number))
    set_spec(kestrel, make_attribute(uas, "Colour code", position=1), number=Decimal("7"))  # not filterable

    text = text_of(client_a.get(CATALOGUE))

    assert "Range 40 Span 55 Payload 2" in text
    assert "Speed:" not in text
    assert "Colour code" not in text


def test_a_card_picture_keeps_its_own_proportions(client_a):
    kestrel = make_published_product("Kestrel")
    kestrel.images.update(position=1)
    make_image(kestrel, size=(300, 200))  # 3:2, first

    page = client_a.get(CATALOGUE).content.decode()

    (tag,) = re.findall(r"<img[^>]*product-card-image[^>]*>", page)
    assert 'width="300" height="200"' in tag


def test_the_filter_form_shows_counts_in_its_labels_and_never_submits_itself(client_a):
    counter_uas = make_category("Counter-UAS")
    for _index in range(4):
        make_published_product(category=counter_uas)

    page = client_a.get(CATALOGUE).content.decode()

    assert re.search(r"Counter-UAS <span class=\"facet-count\">\(4\)</span>", page)
    assert '<form id="catalogue-filters" method="get"' in page
    assert "Apply filters" in page
    assert f'href="{CATALOGUE}">Clear all' in page
    assert "onchange" not in page


def test_active_filters_are_chips_that_remove_just_themselves(client_a, hub_a):
    make_listing(make_published_product("Kestrel", is_combat_proven=True), hub_a)

    response = client_a.get(CATALOGUE, {"combat_proven": "yes", "hub": hub_a.slug, "page": "1"})

    page = response.content.decode()
    assert card_names(response) == ["Kestrel"]
    assert f'href="{CATALOGUE}?hub={hub_a.slug}">Combat-proven' in page
    assert f'href="{CATALOGUE}?combat_proven=yes">Hub: Hub A' in page


def test_the_whole_state_is_in_the_url(client_a, hub_a):
    for index in range(14):
        make_listing(make_published_product(f"Kestrel {index:02}", is_combat_proven=True), hub_a)

    response = client_a.get(CATALOGUE, {"combat_proven": "yes", "sort": "newest", "page": "2"})

    page = response.content.decode()
    assert response.context["page_obj"].number == 2
    assert 'href="?combat_proven=yes&amp;sort=newest&amp;page=1"' in page
    assert '<option value="newest" selected>' in page
    assert 'name="combat_proven" value="yes" id="filter-combat_proven" checked' in page


@pytest.mark.parametrize(
    "query",
    [
        {"category": "no-such-category"},
        {"hub": "nowhere"},
        {"country": "XX"},
        {"trl_min": "eleven"},
        {"lead_time_max": "soon"},
        {"lead_time_max": "9" * 400},
        {"combat_proven": "banana"},
        {"sort": "price"},
        {"q": "x" * 500},
        {"ml": ["ML10", "ML99"]},
    ],
)
def test_a_value_that_makes_no_sense_gives_a_message_not_an_error(client_a, query):
    make_published_product("Kestrel")

    response = client_a.get(CATALOGUE, query)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Some filters could not be used and were left out" in page
    assert card_names(response) == ["Kestrel"]


@pytest.mark.parametrize(
    "url, query",
    [
        (CATALOGUE, {"category": "a\x00b"}),
        (CATALOGUE, {"hub": "\x00"}),
        (CATALOGUE, {"manufacturer": "\x00"}),
        (CATALOGUE, {"q": "kestrel\x00"}),
        (SUGGEST, {"q": "\x00"}),
        (SUGGEST, {"q": "\x00kestrel\x00"}),
    ],
)
def test_a_control_character_is_refused_before_any_filter_or_search(client_a, url, query):
    """hubcatalog/hostile_input.py answers before the view: on PostgreSQL a NUL byte cannot reach a query."""
    response = client_a.get(url, query)

    assert response.status_code == 400
    assert "The request could not be accepted" in response.content.decode()


def test_a_nonsensical_specification_bound_gives_a_message(client_a):
    uas = make_category("UAS")
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    set_spec(make_published_product("Kestrel", category=uas), range_km, number=Decimal("12"))

    response = client_a.get(
        CATALOGUE, {"category": uas.slug, "spec_range_min": "1e999", "spec_range_max": "far"}
    )

    assert response.status_code == 200
    assert card_names(response) == ["Kestrel"]
    assert "Range (km), minimum" in response.content.decode()


def test_it_filters_by_category_and_specification_range(client_a):
    uas = make_category("UAS")
    fpv = make_category("FPV", parent=uas)
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    set_spec(make_published_product("Near", category=fpv), range_km, number=Decimal("5"))
    set_spec(make_published_product("Far", category=fpv), range_km, number=Decimal("50"))
    make_published_product("Jammer", category=make_category("EW"))

    response = client_a.get(CATALOGUE, {"category": uas.slug, "spec_range_min": "10"})

    assert card_names(response) == ["Far"]
    page = response.content.decode()
    assert "Range (km)" in page
    assert 'name="spec_range_min" value="10"' in page
    assert "Range at least 10 km" in page
    assert "Specifications: UAS" in page
    assert f'value="{uas.slug}" id="category-{uas.slug}" checked' in page
    assert f'value="{fpv.slug}" id="category-{fpv.slug}">' in page  # not checked


def test_it_shows_the_products_of_several_categories_at_once(client_a):
    uas, ew, maritime = make_category("UAS"), make_category("EW"), make_category("Maritime")
    make_published_product("Kestrel", category=uas)
    make_published_product("Osprey Jammer", category=ew)
    make_published_product("Sea Baby", category=maritime)

    response = client_a.get(f"{CATALOGUE}?category={uas.slug}&category={ew.slug}")

    assert card_names(response) == ["Kestrel", "Osprey Jammer"]
    page = response.content.decode()
    for category in (uas, ew):
        assert f'value="{category.slug}" id="category-{category.slug}" checked' in page
    assert f'value="{maritime.slug}" id="category-{maritime.slug}">' in page
    # Each chip removes its own category only.
    assert f'href="{CATALOGUE}?category={ew.slug}">Category: UAS' in page
    assert f'href="{CATALOGUE}?category={uas.slug}">Category: EW' in page
    assert "The chosen categories have no specification in common to filter by." in page


def test_it_keeps_the_products_offered_to_the_buyers_country(client_a, hub_a):
    make_listing(make_published_product("Kestrel"), hub_a)  # offered to DE, available
    make_listing(make_published_product("Heron"), hub_a, availability=Listing.Availability.RESERVED)
    make_listing(make_published_product("Osprey"), hub_a, destination_countries=["PL"])
    make_listing(make_published_product("Owl"), hub_a, availability=Listing.Availability.EXHAUSTED)
    make_published_product("Sea Baby")  # listed nowhere

    response = client_a.get(CATALOGUE, {"offered": "yes"})

    assert card_names(response) == ["Heron", "Kestrel"]
    text = text_of(response)
    assert "Offered to your country (2)" in text
    assert "Offered to your country ×" in text  # its chip


def test_a_search_with_a_typo_offers_the_corrected_search(client_a):
    make_published_product("Osprey Jammer")
    make_published_product("Kestrel")

    response = client_a.get(CATALOGUE, {"q": "Jamer", "available": ""})

    assert card_names(response) == ["Osprey Jammer"]
    page = response.content.decode()
    assert f'Did you mean <a href="{CATALOGUE}?q=jammer">jammer</a>?' in page


def test_a_search_spelled_right_offers_no_correction(client_a):
    make_published_product("Osprey Jammer")

    assert "Did you mean" not in client_a.get(CATALOGUE, {"q": "jammer"}).content.decode()


def test_a_range_whose_minimum_exceeds_its_maximum_says_so_next_to_the_field(client_a):
    uas = make_category("UAS")
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    set_spec(make_published_product("Near", category=uas), range_km, number=Decimal("5"))
    set_spec(make_published_product("Far", category=uas), range_km, number=Decimal("50"))

    response = client_a.get(CATALOGUE, {"category": uas.slug, "spec_range_min": "40", "spec_range_max": "10"})

    assert response.status_code == 200
    assert card_names(response) == ["Far"]  # the minimum still applies; the reversed maximum is left out
    page = response.content.decode()
    assert 'aria-describedby="spec_range_max-error"' in page
    assert 'id="spec_range_max-error">The maximum, 10, is less than the minimum, 40.</p>' in page


def test_a_page_past_the_end_shows_the_last_page_with_a_message(client_a):
    for _index in range(13):
        make_published_product()

    response = client_a.get(CATALOGUE, {"page": "99999"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert "There is no page 99999; showing the last page, 2." in response.content.decode()


@pytest.mark.parametrize("page_number", ["two", "1.5", "0", "-3", "²", "9" * 5000])
def test_a_page_that_is_no_page_number_shows_the_first_page_with_a_message(client_a, page_number):
    make_published_product()

    response = client_a.get(CATALOGUE, {"page": page_number})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert response.context["notices"]


def test_it_shows_12_or_24_products_per_page(client_a):
    for _index in range(25):
        make_published_product()

    assert len(client_a.get(CATALOGUE).context["products"]) == 12
    assert len(client_a.get(CATALOGUE, {"per_page": "24"}).context["products"]) == 24
    for nonsense in ("100000", "²", "-12", "twelve"):
        response = client_a.get(CATALOGUE, {"per_page": nonsense})
        assert len(response.context["products"]) == 12
        assert "Products per page can be 12 or 24" in response.content.decode()


def test_an_empty_page_says_what_to_do(client_a):
    response = client_a.get(CATALOGUE, {"combat_proven": "yes"})

    assert "No product matches." in response.content.decode()


def test_a_search_shows_its_matches_and_its_chip(client_a):
    make_published_product("Kestrel FPV")
    make_published_product("Osprey Jammer")

    response = client_a.get(CATALOGUE, {"q": "kestrel"})

    assert card_names(response) == ["Kestrel FPV"]
    page = response.content.decode()
    assert "Search: “kestrel”" in page
    assert 'value="kestrel"' in page
    assert '<option value="" selected>Best match</option>' in page


def test_it_sorts_by_shortest_lead_time_with_unlisted_products_last(client_a, hub_a):
    make_listing(make_published_product("Slow"), hub_a, lead_time_weeks=20)
    make_published_product("Unlisted")
    make_listing(make_published_product("Quick"), hub_a, lead_time_weeks=2)

    response = client_a.get(CATALOGUE, {"sort": "lead_time"})

    assert card_names(response) == ["Quick", "Slow", "Unlisted"]


def test_nothing_on_the_page_reads_like_a_shop(client_a, hub_a):
    make_listing(make_published_product("Kestrel"), hub_a)

    page = client_a.get(CATALOGUE).content.decode()

    assert not SHOP_WORDS.search(re.sub(r"<[^>]+>", " ", page))


def make_stock(size: int) -> dict:
    """`size` published products matching every catalogue filter at once, each with a visible listing."""
    uas = make_category("UAS")
    fpv = make_category("FPV", parent=uas)
    range_km = make_attribute(uas, "Range", unit="km", slug="range", is_filterable=True)
    maker = make_manufacturer("North Works")
    hub = make_hub("Berlin Hub", country="DE")
    for index in range(size):
        product = make_published_product(
            f"Kestrel {index:03}",
            category=fpv,
            manufacturer=maker,
            military_list_category="ML10",
            is_combat_proven=True,
            is_authorised_for_use=True,
        )
        set_spec(product, range_km, number=Decimal(20 + index))
        make_listing(product, hub, lead_time_weeks=4, unit_price_eur=Decimal(1000 + index))
        make_listing(product, make_hub(country="PL"), destination_countries=["PL"])  # not Germany's
    return {
        "q": "kestrel",
        "category": [uas.slug, fpv.slug],
        "spec_range_min": "10",
        "spec_range_max": "5000",
        "hub": hub.slug,
        "country": "DE",
        "manufacturer": maker.slug,
        "ml": "ML10",
        "trl_min": "7",
        "combat_proven": "yes",
        "authorised": "yes",
        "available": "yes",
        "offered": "yes",
        "lead_time_max": "8",
        "sort": "lead_time",
        "per_page": "24",
    }


@pytest.mark.parametrize("size", [3, 30])
def test_the_fully_filtered_list_runs_a_fixed_number_of_queries(client_a, django_assert_num_queries, size):
    every_filter = make_stock(size)

    # session, user with buyer and organisation (2); the category tree and the chosen category's
    # specification attributes (2); validating the manufacturers and the hubs (2); the spellings of the
    # search's words (1); every count with the number of results (1); the names of the active hubs and of
    # the manufacturers counted (2); the page of products, their manufacturers, categories, images, key
    # specifications, forms of cooperation and their listings' price and openness (7); the number of
    # products on the buyer's shortlist, in the menu (1).
    with django_assert_num_queries(18):
        response = client_a.get(CATALOGUE, every_filter)

    assert len(response.context["products"]) == min(size, 24)
    assert not response.context["errors"]


@pytest.mark.parametrize("size", [3, 30])
def test_a_search_runs_a_fixed_number_of_queries(client_a, django_assert_num_queries, size):
    make_stock(size)

    # session, user with buyer and organisation (2); the category tree (1); the spellings of the words (1);
    # every count with the number of results (1); the names of the active hubs and of the manufacturers
    # counted (2); the page of products, their manufacturers, categories, images, key specifications, forms
    # of cooperation and their listings' price and openness (7); the number of products on the buyer's
    # shortlist, in the menu (1).
    with django_assert_num_queries(15):
        response = client_a.get(CATALOGUE, {"q": "kestrel", "per_page": "24"})

    assert len(response.context["products"]) == min(size, 24)


def test_suggestions_are_products_the_buyer_may_see_as_json(client_a):
    kestrel = make_published_product("Kestrel FPV")
    make_product("Kestrel Prototype")  # a draft

    response = client_a.get(SUGGEST, {"q": "kestrel"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {
                "name": "Kestrel FPV",
                "slug": kestrel.slug,
                "url": reverse("product_detail", args=[kestrel.slug]),
            }
        ]
    }


@pytest.mark.parametrize("query", ["", " ", "k", " ke "])
def test_a_short_query_suggests_nothing(client_a, django_assert_max_num_queries, query):
    make_published_product("Kestrel")

    # session, user, buyer: no search
    with django_assert_max_num_queries(3):
        response = client_a.get(SUGGEST, {"q": query})

    assert response.json() == {"results": []}


@pytest.mark.parametrize("query", ["!!", "the", ":", "a & b | !c:*", "'; drop table"])
def test_any_text_gets_an_answer_never_an_error(client_a, query):
    make_published_product("Kestrel")

    response = client_a.get(SUGGEST, {"q": query})

    assert response.status_code == 200
    assert set(response.json()) == {"results"}


def test_suggestions_are_few(client_a):
    for index in range(12):
        make_published_product(f"Kestrel {index}")

    assert len(client_a.get(SUGGEST, {"q": "kestrel"}).json()["results"]) == 8


def test_an_anonymous_visitor_gets_no_suggestions(client):
    make_published_product("Kestrel")

    response = client.get(SUGGEST, {"q": "kestrel"})

    assert response.status_code == 302
    assert "Kestrel" not in response.content.decode()


def test_a_staff_user_without_organisation_gets_no_suggestions(client):
    client.force_login(make_staff_user("staff-only"))

    assert client.get(SUGGEST, {"q": "kestrel"}).status_code == 403


def test_the_search_box_is_enhanced_by_a_script_and_works_without_it(client_a):
    page = client_a.get(CATALOGUE).content.decode()

    assert 'data-suggest-url="/catalogue/suggest/"' in page
    assert 'role="listbox"' in page
    assert 'name="q" form="catalogue-filters"' in page
    assert "js/search_suggest.js" in page
    assert "<script>" not in page and " style=" not in page


def test_it_checks_the_organisation_on_every_request(client_a, buyer_a):
    make_published_product("Kestrel")
    assert client_a.get(CATALOGUE).status_code == 200

    buyer_a.organisation.set_vetting_status(PartnerOrganisation.VettingStatus.SUSPENDED)

    assert client_a.get(CATALOGUE).url.startswith(reverse("login"))


def test_the_counts_read_only_the_columns_they_group_by(client_a):
    """The counts' table of products stays narrow (a covering index answers it on PostgreSQL): the
    translated texts (summaries in five languages) never enter it."""
    make_stock(3)

    with CaptureQueriesContext(connection) as queries:
        client_a.get(CATALOGUE, {"q": "kestrel"})

    statements = [query["sql"] for query in queries.captured_queries]
    counts = [sql for sql in statements if sql.startswith("WITH facet_table")]
    assert len(counts) == 1
    narrow_table = counts[0].split(") ,")[0].split("FROM")[0]
    assert "summary" not in narrow_table
    assert "name_uk" not in narrow_table
