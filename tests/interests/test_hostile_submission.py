"""The expression-of-interest form against what a browser would never send, or sends late: numbers beyond any
real quantity, a shortlist changed in another tab, a tampered line count or line. Always a clear message and
the form again, never a 500, never part of an EOI stored."""

import pytest

from hubs.models import MAX_QUANTITY
from interests.models import ExpressionOfInterest, InterestLine, ShortlistItem
from tests.factories import make_listing, make_published_product
from tests.interests.test_submission import SHORTLIST, form_data, shortlist

pytestmark = pytest.mark.django_db

SHORTLIST_CHANGED = "Your shortlist changed in the meantime"


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def listing(buyer_a, hub_a):
    product = make_published_product("Kestrel FPV")
    ShortlistItem.objects.create(user=buyer_a.user, product=product)
    return make_listing(product, hub_a, quantity_available=20, destination_countries=["DE", "PL"])


@pytest.fixture
def second_listing(hub_a):
    return make_listing(make_published_product("Falcon"), hub_a, destination_countries=["DE"])


def assert_nothing_stored():
    assert not ExpressionOfInterest.objects.exists()
    assert not InterestLine.objects.exists()


@pytest.mark.parametrize("quantity", [MAX_QUANTITY + 1, 2147483648, 10**30])
def test_a_quantity_beyond_the_limit_is_a_form_error(client_a, listing, quantity):
    response = client_a.post(SHORTLIST, form_data({"listing": listing, "quantity": quantity}))

    assert response.status_code == 400
    assert f"Enter a quantity of at most {MAX_QUANTITY}." in response.content.decode()
    assert_nothing_stored()


def test_the_largest_quantity_is_accepted_and_flagged(client_a, listing):
    response = client_a.post(
        SHORTLIST, form_data({"listing": listing, "quantity": MAX_QUANTITY, "confirm_exceeding": "on"})
    )

    assert response.status_code == 302
    line = InterestLine.objects.get()
    assert (line.quantity, line.exceeds_listed_quantity) == (MAX_QUANTITY, True)


def stale_page(response):
    assert response.status_code == 409
    page = response.content.decode()
    assert SHORTLIST_CHANGED in page
    assert_nothing_stored()
    return response


def test_a_product_added_in_another_tab_shows_the_shortlist_again(client_a, buyer_a, listing, second_listing):
    data = form_data({"listing": listing, "quantity": 7})
    shortlist(buyer_a, second_listing)  # in another tab, after the page was loaded

    response = stale_page(client_a.post(SHORTLIST, data))

    assert [item.product for item in response.context["items"]] == [listing.product, second_listing.product]
    first, second = response.context["formset"].forms
    assert not response.context["formset"].is_bound
    assert first["quantity"].value() == "7"  # what the buyer entered is kept for the product still there
    assert second["quantity"].value() is None
    assert response.context["form"]["end_user"].value() == "1st Air Defence Battalion"


def test_a_product_removed_in_another_tab_shows_the_shortlist_again(
    client_a, buyer_a, listing, second_listing
):
    shortlist(buyer_a, second_listing)
    data = form_data({"listing": listing, "quantity": 3}, {"listing": second_listing, "quantity": 9})
    ShortlistItem.objects.filter(product=listing.product).delete()

    response = stale_page(client_a.post(SHORTLIST, data))

    [form] = response.context["formset"].forms
    assert form.product == second_listing.product
    assert form["quantity"].value() == "9"


def test_the_shortlist_shown_again_can_be_submitted(client_a, buyer_a, listing, second_listing):
    data = form_data({"listing": listing})
    shortlist(buyer_a, second_listing)
    stale_page(client_a.post(SHORTLIST, data))

    again = form_data({"listing": listing}, {"listing": second_listing}, key=data["idempotency_key"])
    response = client_a.post(SHORTLIST, again)

    assert response.status_code == 302
    assert ExpressionOfInterest.objects.get().lines.count() == 2


@pytest.mark.parametrize("total", ["0", "2", "-1", "99999999999999999999", "x", "", None])
def test_a_tampered_line_count_shows_the_shortlist_again(client_a, listing, total):
    data = form_data({"listing": listing})
    if total is None:
        del data["lines-TOTAL_FORMS"]
    else:
        data["lines-TOTAL_FORMS"] = total

    stale_page(client_a.post(SHORTLIST, data))


@pytest.mark.parametrize("product", ["0", "99999999999999999999", "abc", "²"])
def test_a_tampered_line_product_shows_the_shortlist_again(client_a, listing, product):
    stale_page(client_a.post(SHORTLIST, form_data({"listing": listing, "product": product})))


def test_lines_swapped_between_products_show_the_shortlist_again(client_a, buyer_a, listing, second_listing):
    shortlist(buyer_a, second_listing)
    data = form_data({"listing": second_listing}, {"listing": listing})  # the order of another shortlist

    stale_page(client_a.post(SHORTLIST, data))


@pytest.mark.parametrize("listing_id", ["99999999999999999999", "-1", "abc"])
def test_a_tampered_listing_is_a_form_error(client_a, listing, listing_id):
    response = client_a.post(SHORTLIST, form_data({"listing": listing}, **{"lines-0-listing": listing_id}))

    assert response.status_code == 400
    assert "no longer open to expressions of interest" in response.content.decode()
    assert_nothing_stored()


def test_another_organisations_listing_is_a_form_error(client_a, listing, hub_b):
    elsewhere = make_listing(listing.product, hub_b, destination_countries=["PL"])

    response = client_a.post(SHORTLIST, form_data({"listing": listing}, **{"lines-0-listing": elsewhere.pk}))

    assert response.status_code == 400
    assert_nothing_stored()
