"""Compare: a buyer marks up to four products and sees them side by side, attribute by attribute."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import PartnerOrganisation
from products.compare import (
    MISSING,
    SESSION_KEY,
    build_comparison,
    comparable_attributes,
    compared_ids,
    comparison_rows,
    products_for_comparison,
)
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

Type = SpecAttribute.ValueType
Direction = SpecAttribute.Direction
TOGGLE_URL = reverse("compare_toggle")
COMPARE_URL = reverse("compare")


@pytest.fixture
def schema(uas):
    """A small UAS schema: one attribute of each kind that matters to a comparison."""
    return {
        "range": make_attribute(uas, "Range", unit="km", direction=Direction.HIGHER_IS_BETTER, position=1),
        "weight": make_attribute(
            uas, "Take-off weight", unit="kg", direction=Direction.LOWER_IS_BETTER, position=2
        ),
        "bands": make_attribute(
            uas,
            "Datalink band",
            value_type=Type.RANGE,
            unit="MHz",
            direction=Direction.HIGHER_IS_BETTER,
            position=3,
        ),
        "night": make_attribute(uas, "Night capability", value_type=Type.BOOLEAN, position=4),
        "airframe": make_attribute(uas, "Airframe", value_type=Type.TEXT, position=5),
        "internal": make_attribute(
            uas, "Internal code", value_type=Type.TEXT, position=6, is_comparable=False
        ),
    }


@pytest.fixture
def logged_in(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


def mark(client, *products):
    session = client.session
    session[SESSION_KEY] = [product.pk for product in products]
    session.save()


def marked(client) -> list[int]:
    return client.session.get(SESSION_KEY, [])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def rows_by_label(products, organisation):
    products = products_for_comparison(organisation, [product.pk for product in products])
    return {row.label: row for row in comparison_rows(products, comparable_attributes(products))}


# Marking and unmarking.


def test_it_marks_a_product_and_goes_back_to_the_page_the_buyer_came_from(logged_in):
    product = make_published_product("Kestrel")

    response = logged_in.post(TOGGLE_URL, {"product": product.pk, "next": "/catalogue/?q=kestrel"})

    assert response.status_code == 302
    assert response.url == "/catalogue/?q=kestrel"
    assert marked(logged_in) == [product.pk]
    assert messages_of(response) == ["Kestrel is in the comparison (1 of 4)."]


def test_it_unmarks_a_marked_product(logged_in):
    kestrel, osprey = make_published_product("Kestrel"), make_published_product("Osprey")
    mark(logged_in, kestrel, osprey)

    response = logged_in.post(TOGGLE_URL, {"product": kestrel.pk})

    assert response.status_code == 302
    assert marked(logged_in) == [osprey.pk]
    assert messages_of(response) == ["Kestrel is no longer in the comparison."]


def test_explicit_add_and_remove_are_idempotent(logged_in):
    product = make_published_product()

    logged_in.post(TOGGLE_URL, {"product": product.pk, "action": "add"})
    logged_in.post(TOGGLE_URL, {"product": product.pk, "action": "add"})
    assert marked(logged_in) == [product.pk]

    logged_in.post(TOGGLE_URL, {"product": product.pk, "action": "remove"})
    logged_in.post(TOGGLE_URL, {"product": product.pk, "action": "remove"})
    assert marked(logged_in) == []


def test_it_keeps_the_order_in_which_products_were_marked(logged_in):
    products = [make_published_product() for _ in range(3)]
    for product in reversed(products):
        logged_in.post(TOGGLE_URL, {"product": product.pk})

    assert marked(logged_in) == [product.pk for product in reversed(products)]


def test_buyer_cannot_mark_a_fifth_product(logged_in):
    four = [make_published_product() for _ in range(4)]
    mark(logged_in, *four)
    fifth = make_published_product("Fifth")

    response = logged_in.post(TOGGLE_URL, {"product": fifth.pk, "next": "/catalogue/"})

    assert response.status_code == 302
    assert marked(logged_in) == [product.pk for product in four]
    assert messages_of(response) == ["You can compare up to 4 products. Remove one before adding Fifth."]


def test_it_answers_fetch_with_json(logged_in):
    kestrel, osprey = make_published_product("Kestrel"), make_published_product("Osprey")
    mark(logged_in, kestrel)

    response = logged_in.post(TOGGLE_URL, {"product": osprey.pk}, headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json() == {
        "message": "Osprey is in the comparison (2 of 4).",
        "product": osprey.pk,
        "compared": [kestrel.pk, osprey.pk],
        "count": 2,
        "maximum": 4,
        "full": False,
    }
    assert marked(logged_in) == [kestrel.pk, osprey.pk]
    assert messages_of(response) == []


def test_a_fifth_product_by_fetch_is_a_409_that_changes_nothing(logged_in):
    four = [make_published_product() for _ in range(4)]
    mark(logged_in, *four)
    fifth = make_published_product("Fifth")

    response = logged_in.post(TOGGLE_URL, {"product": fifth.pk}, headers={"Accept": "application/json"})

    assert response.status_code == 409
    assert response.json()["full"] is True
    assert "up to 4 products" in response.json()["message"]
    assert marked(logged_in) == [product.pk for product in four]


def test_it_clears_the_comparison(logged_in):
    mark(logged_in, make_published_product(), make_published_product())

    response = logged_in.post(TOGGLE_URL, {"action": "clear", "next": COMPARE_URL})

    assert response.status_code == 302
    assert response.url == COMPARE_URL
    assert marked(logged_in) == []


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)", ""]
)
def test_it_goes_back_only_to_a_page_of_this_site(logged_in, next_url):
    product = make_published_product()

    response = logged_in.post(TOGGLE_URL, {"product": product.pk, "next": next_url})

    assert response.status_code == 302
    assert response.url == COMPARE_URL


@pytest.mark.parametrize(
    "data", [{"product": "abc"}, {"product": "-3"}, {}, {"product": "1", "action": "buy"}]
)
def test_it_refuses_malformed_input_with_a_message(logged_in, data):
    mark(logged_in, make_published_product())
    before = marked(logged_in)

    response = logged_in.post(TOGGLE_URL, data)

    assert response.status_code == 400
    assert messages_of(response)
    assert marked(logged_in) == before


def test_buyer_cannot_mark_a_product_they_may_not_see(logged_in):
    draft = make_product("Secret draft")

    response = logged_in.post(TOGGLE_URL, {"product": draft.pk})

    assert response.status_code == 404
    assert marked(logged_in) == []


def test_buyer_cannot_mark_a_product_that_does_not_exist(logged_in):
    response = logged_in.post(TOGGLE_URL, {"product": 987654}, headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert marked(logged_in) == []


def test_toggle_refuses_get(logged_in):
    product = make_published_product()

    response = logged_in.get(TOGGLE_URL, {"product": product.pk})

    assert response.status_code == 405
    assert marked(logged_in) == []


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    product = make_published_product()

    for response in (client.post(TOGGLE_URL, {"product": product.pk}), client.get(COMPARE_URL)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_staff_without_a_partner_organisation_get_403(client, editor):
    client.force_login(editor)

    assert client.get(COMPARE_URL).status_code == 403
    assert client.post(TOGGLE_URL, {"product": make_published_product().pk}).status_code == 403


def test_buyer_of_an_organisation_still_being_vetted_gets_403(client):
    pending = make_organisation(vetting_status=PartnerOrganisation.VettingStatus.PENDING)
    client.force_login(make_buyer(organisation=pending).user)

    assert client.get(COMPARE_URL).status_code == 403
    assert client.post(TOGGLE_URL, {"product": make_published_product().pk}).status_code == 403


def test_compared_ids_ignores_junk_in_the_session(rf):
    request = rf.get("/")
    request.session = {SESSION_KEY: [3, "4", 3, True, -1, 5, 6, 7, 8, 9]}

    assert compared_ids(request) == [3, 5, 6, 7]
    request.session = {SESSION_KEY: "not a list"}
    assert compared_ids(request) == []


# The comparison page.


def test_it_shows_the_marked_products_side_by_side(logged_in, uas, schema):
    kestrel = make_published_product("Kestrel", category=uas)
    osprey = make_published_product("Osprey", category=uas)
    set_spec(kestrel, schema["range"], number=Decimal("40"))
    set_spec(osprey, schema["range"], number=Decimal("25"))
    set_spec(kestrel, schema["internal"], text="K-INTERNAL-7")
    mark(logged_in, osprey, kestrel)

    response = logged_in.get(COMPARE_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Osprey") < page.index("Kestrel")
    assert reverse("product_detail", args=[kestrel.slug]) in page
    assert "40 km" in page and "25 km" in page
    assert "Best" in page
    assert "differs" in page
    assert "K-INTERNAL-7" not in page
    assert "Clear comparison" in page
    assert response.context["comparison"].products == [osprey, kestrel]


def test_it_can_show_only_the_rows_that_differ(logged_in, uas, schema):
    kestrel = make_published_product("Kestrel", category=uas)
    osprey = make_published_product("Osprey", category=uas)
    set_spec(kestrel, schema["range"], number=Decimal("40"))
    set_spec(osprey, schema["range"], number=Decimal("25"))
    set_spec(kestrel, schema["airframe"], text="Quadcopter")
    set_spec(osprey, schema["airframe"], text="Quadcopter")
    mark(logged_in, kestrel, osprey)

    response = logged_in.get(COMPARE_URL, {"show": "differences"})

    labels = [row.label for row in response.context["comparison"].specifications]
    assert labels == ["Range"]
    assert logged_in.get(COMPARE_URL, {"show": "nonsense"}).status_code == 200


def test_it_silently_drops_products_that_are_no_longer_visible(logged_in):
    kept, withdrawn = make_published_product("Kept"), make_published_product("Withdrawn")
    mark(logged_in, withdrawn, kept)
    withdrawn.withdraw()

    response = logged_in.get(COMPARE_URL)

    assert response.status_code == 200
    assert "Withdrawn" not in response.content.decode()
    assert marked(logged_in) == [kept.pk]


def test_it_shows_an_empty_state_that_leads_to_the_catalogue(logged_in):
    response = logged_in.get(COMPARE_URL)

    assert response.status_code == 200
    assert "No products to compare yet" in response.content.decode()
    assert f'href="{reverse("catalogue")}"' in response.content.decode()


def test_the_comparison_page_refuses_post(logged_in):
    assert logged_in.post(COMPARE_URL).status_code == 405


def test_its_queries_do_not_grow_with_the_number_of_products(logged_in, uas, schema):
    fpv = make_category("Strike and FPV", parent=uas)
    warhead = make_attribute(fpv, "Warhead", unit="kg", direction=Direction.HIGHER_IS_BETTER)
    maritime = make_category("Maritime drones")
    speed = make_attribute(maritime, "Speed", unit="kn", direction=Direction.HIGHER_IS_BETTER)
    hub = make_hub()
    products = []
    for index, (category, attribute) in enumerate([(uas, schema["range"]), (fpv, warhead)] * 2):
        product = make_published_product(category=category)
        set_spec(product, attribute, number=Decimal(10 + index))
        set_spec(product, schema["night"], boolean=index % 2 == 0)
        make_listing(product, hub, lead_time_weeks=4 + index)
        make_document(product, f"Datasheet {index}")
        make_document(product, f"Manual {index}", audience="every_partner")
        products.append(product)
    products[3] = make_published_product(category=maritime)
    set_spec(products[3], speed, number=Decimal("30"))

    counts = []
    for size in (2, 4):
        mark(logged_in, *products[:size])
        # 1. session, 2. user with buyer and organisation, 3. products with manufacturer and category
        # lineage, 4. their images, 5. their specification values with attributes, 6. the documents the buyer
        # may download, 7. their forms of cooperation, 8. the attributes of their categories, 9. the shortest
        # lead times, grouped by product, 10. the shortlist counted for the header
        # (hubcatalog/context_processors.py)
        with CaptureQueriesContext(connection) as queries:
            response = logged_in.get(COMPARE_URL)
        assert response.status_code == 200
        assert len(response.context["comparison"].columns) == size
        assert response.context["comparison"].has_documents
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 10


def test_its_query_count_is_capped(logged_in, django_assert_max_num_queries, uas, schema):
    products = [make_published_product(category=uas) for _ in range(4)]
    for product in products:
        set_spec(product, schema["range"], number=Decimal("12"))
    mark(logged_in, *products)

    # session, user with buyer, products, images, specification values, documents, forms of cooperation,
    # attributes, lead times, the shortlist counted for the header (hubcatalog/context_processors.py)
    with django_assert_max_num_queries(10):
        logged_in.get(COMPARE_URL)


# The comparison as plain data.


def test_rows_flag_the_attributes_whose_values_differ(uas, schema, organisation_a):
    kestrel, osprey = make_published_product(category=uas), make_published_product(category=uas)
    set_spec(kestrel, schema["airframe"], text="Quadcopter")
    set_spec(osprey, schema["airframe"], text="Quadcopter")
    set_spec(kestrel, schema["night"], boolean=True)
    set_spec(osprey, schema["night"], boolean=False)

    rows = rows_by_label([kestrel, osprey], organisation_a)

    assert rows["Airframe"].differs is False
    assert rows["Night capability"].differs is True
    assert [cell.text for cell in rows["Night capability"].cells] == ["Yes", "No"]


def test_the_best_value_is_the_highest_where_higher_is_better(uas, schema, organisation_a):
    products = [make_published_product(category=uas) for _ in range(3)]
    for product, kilometres in zip(products, ["12", "40", "25"], strict=True):
        set_spec(product, schema["range"], number=Decimal(kilometres))

    row = rows_by_label(products, organisation_a)["Range"]

    assert [cell.is_best for cell in row.cells] == [False, True, False]
    assert [cell.text for cell in row.cells] == ["12 km", "40 km", "25 km"]
    assert row.direction_label == "higher is better"


def test_the_best_value_is_the_lowest_where_lower_is_better(uas, schema, organisation_a):
    products = [make_published_product(category=uas) for _ in range(3)]
    for product, kilograms in zip(products, ["6.2", "2.9", "5.6"], strict=True):
        set_spec(product, schema["weight"], number=Decimal(kilograms))

    row = rows_by_label(products, organisation_a)["Take-off weight"]

    assert [cell.is_best for cell in row.cells] == [False, True, False]
    assert row.direction_label == "lower is better"


def test_a_range_is_ranked_by_its_upper_end_where_higher_is_better(uas, schema, organisation_a):
    wide, narrow = make_published_product(category=uas), make_published_product(category=uas)
    set_spec(wide, schema["bands"], number=Decimal("400"), number_max=Decimal("6000"))
    set_spec(narrow, schema["bands"], number=Decimal("900"), number_max=Decimal("2400"))

    row = rows_by_label([narrow, wide], organisation_a)["Datalink band"]

    assert [cell.is_best for cell in row.cells] == [False, True]
    assert row.cells[1].text == "400–6000 MHz"


def test_equal_best_values_are_all_marked_and_all_equal_values_none(uas, schema, organisation_a):
    a, b, c = (make_published_product(category=uas) for _ in range(3))
    for product, kilometres in ((a, "40"), (b, "40"), (c, "10")):
        set_spec(product, schema["range"], number=Decimal(kilometres))
    for product in (a, b, c):
        set_spec(product, schema["weight"], number=Decimal("3"))

    rows = rows_by_label([a, b, c], organisation_a)

    assert [cell.is_best for cell in rows["Range"].cells] == [True, True, False]
    assert not rows["Take-off weight"].has_best
    assert rows["Take-off weight"].differs is False


def test_a_missing_value_shows_a_dash_and_is_never_best(uas, schema, organisation_a):
    with_range, without = make_published_product(category=uas), make_published_product(category=uas)
    set_spec(with_range, schema["range"], number=Decimal("40"))

    row = rows_by_label([with_range, without], organisation_a)["Range"]

    assert [cell.text for cell in row.cells] == ["40 km", MISSING]
    assert row.cells[1].is_missing
    assert row.differs is True
    # One value alone is not compared with anything: no cell is marked best.
    assert not row.has_best


def test_a_neutral_attribute_has_no_best(uas, organisation_a):
    length = make_attribute(uas, "Length", unit="cm")
    short, long = make_published_product(category=uas), make_published_product(category=uas)
    set_spec(short, length, number=Decimal("30"))
    set_spec(long, length, number=Decimal("90"))

    row = rows_by_label([short, long], organisation_a)["Length"]

    assert row.differs is True
    assert not row.has_best


def test_products_of_different_categories_compare_on_the_union_of_their_schemas(uas, schema, organisation_a):
    fpv = make_category("Strike and FPV", parent=uas)
    warhead = make_attribute(fpv, "Warhead", unit="kg", position=0)
    maritime = make_category("Maritime drones")
    speed = make_attribute(maritime, "Speed", unit="kn", direction=Direction.HIGHER_IS_BETTER)
    strike = make_published_product(category=fpv)
    boat = make_published_product(category=maritime)
    set_spec(strike, schema["range"], number=Decimal("20"))
    set_spec(strike, warhead, number=Decimal("1.5"))
    set_spec(boat, speed, number=Decimal("45"))

    products = products_for_comparison(organisation_a, [strike.pk, boat.pk])
    rows = comparison_rows(products, comparable_attributes(products))

    # The first product's schema in its category's order (the parent's attributes first), then the second's.
    assert [row.label for row in rows] == [
        "Range",
        "Take-off weight",
        "Datalink band",
        "Night capability",
        "Airframe",
        "Warhead",
        "Speed",
    ]
    by_label = {row.label: row for row in rows}
    assert [cell.text for cell in by_label["Warhead"].cells] == ["1.5 kg", MISSING]
    assert [cell.text for cell in by_label["Speed"].cells] == [MISSING, "45 kn"]
    assert build_comparison(organisation_a, [strike.pk, boat.pk]).mixes_categories


def test_the_overview_rows_compare_readiness_and_the_ministrys_flags(organisation_a):
    proven = make_published_product(technology_readiness_level=9, is_combat_proven=True, is_codified=True)
    prototype = make_published_product(
        technology_readiness_level=7, is_dual_use=True, military_list_category=""
    )

    rows = {row.label: row for row in build_comparison(organisation_a, [proven.pk, prototype.pk]).overview}

    assert [cell.is_best for cell in rows["Technology readiness level"].cells] == [True, False]
    assert [cell.text for cell in rows["Combat-proven"].cells] == ["Yes", "No"]
    assert rows["Authorised for use"].differs is False
    assert rows["EU Military List category"].cells[1].text == "Dual-use (EU Regulation 2021/821)"


def test_availability_is_the_shortest_lead_time_the_buyer_may_see(organisation_a):
    soon, later, nowhere = (make_published_product() for _ in range(3))
    make_listing(soon, make_hub(), lead_time_weeks=8)
    make_listing(soon, make_hub(), lead_time_weeks=3)
    make_listing(later, make_hub(), lead_time_weeks=6)
    # Not for a German buyer, expired, or exhausted: none of these counts.
    make_listing(later, make_hub(), lead_time_weeks=1, destination_countries=["PL"])
    make_listing(nowhere, make_hub(), lead_time_weeks=1, valid_until=datetime.date(2020, 1, 1))
    make_listing(nowhere, make_hub(), lead_time_weeks=1, availability="exhausted", quantity_available=0)

    row, _price = build_comparison(organisation_a, [soon.pk, later.pk, nowhere.pk]).availability

    assert [cell.text for cell in row.cells] == ["3 weeks", "6 weeks", MISSING]
    assert [cell.note for cell in row.cells] == ["at 2 hubs", "at 1 hub", "No available listing"]
    assert [cell.is_best for cell in row.cells] == [True, False, False]


def test_the_price_is_the_lowest_indicative_one_among_the_listings_the_buyer_may_see(organisation_a):
    priced, on_request, unlisted = (make_published_product() for _ in range(3))
    make_listing(priced, make_hub(), unit_price_eur=Decimal("1250.50"))
    make_listing(priced, make_hub(), unit_price_eur=Decimal("4000"), availability="reserved")
    make_listing(priced, make_hub(), unit_price_eur=Decimal("10"), destination_countries=["PL"])  # not DE's
    make_listing(on_request, make_hub(), unit_price_eur=None)
    make_listing(unlisted, make_hub(), unit_price_eur=Decimal("10"), destination_countries=["PL"])

    _lead_time, row = build_comparison(organisation_a, [priced.pk, on_request.pk, unlisted.pk]).availability

    assert row.label == "Indicative unit price"
    assert [cell.text for cell in row.cells] == ["from €1,250.50", "Price on request", MISSING]


def test_the_compare_page_shows_pictures_in_their_own_proportions(logged_in, uas):
    product = make_published_product(category=uas)
    product.images.update(position=1)
    make_image(product, size=(300, 200))
    mark(logged_in, product)

    page = logged_in.get(COMPARE_URL).content.decode()

    (tag,) = re.findall(r'<img class="compare-thumb"[^>]*>', page)
    assert 'width="300" height="200"' in tag


def test_an_attribute_two_categories_define_alike_is_one_row(uas, organisation_a):
    drone_range = make_attribute(uas, "Range", slug="range", unit="km", direction=Direction.HIGHER_IS_BETTER)
    drone_endurance = make_attribute(uas, "Endurance", slug="endurance", unit="min")
    maritime = make_category("Maritime drones")
    boat_range = make_attribute(
        maritime, "Range", slug="range", unit="km", direction=Direction.HIGHER_IS_BETTER
    )
    boat_endurance = make_attribute(maritime, "Endurance", slug="endurance", unit="h")
    drone, boat = make_published_product(category=uas), make_published_product(category=maritime)
    set_spec(drone, drone_range, number=Decimal("40"))
    set_spec(boat, boat_range, number=Decimal("1500"))
    set_spec(drone, drone_endurance, number=Decimal("45"))
    set_spec(boat, boat_endurance, number=Decimal("120"))

    rows = rows_by_label([drone, boat], organisation_a)

    assert list(rows) == ["Endurance (min)", "Range", "Endurance (h)"]
    assert [cell.text for cell in rows["Range"].cells] == ["40 km", "1500 km"]
    assert [cell.is_best for cell in rows["Range"].cells] == [False, True]
    assert [cell.text for cell in rows["Endurance (h)"].cells] == [MISSING, "120 h"]
