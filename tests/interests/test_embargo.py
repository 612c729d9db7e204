"""The arms-embargo list is data, with its source and date, that staff keep current; a country under an
embargo in force is offered nothing, from the moment the embargo is saved, and every refusal names it."""

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubs.models import Listing, ListingDestination
from interests import submission
from interests.models import Embargo, ExpressionOfInterest, ShortlistItem
from partners.models import AccessRequest
from products.caching import catalogue_version
from tests.factories import make_listing, make_organisation, make_published_product

pytestmark = pytest.mark.django_db


def test_the_list_starts_with_the_embargoes_of_the_domain_notes():
    for code in ["RU", "BY", "IR", "KP", "SY", "MM", "VE", "LY", "SD", "SS", "ZW", "CF"]:
        assert Embargo.objects.covers(code), code
    assert Embargo.objects.get(country="IQ").scope == Embargo.Scope.PARTIAL
    assert all(embargo.source and embargo.as_of for embargo in Embargo.objects.all())


def test_partner_countries_are_not_covered():
    for code in ["DE", "PL", "DK", "GB", "FR"]:
        assert not Embargo.objects.covers(code)


def test_an_embargo_no_longer_in_force_does_not_cover_its_country():
    Embargo.objects.filter(country="VE").update(is_in_force=False)
    assert not Embargo.objects.covers("VE")


def test_country_codes_are_compared_regardless_of_case():
    assert Embargo.objects.covers("ru")


# The rule: which embargoes stop a country from being offered anything.


def test_every_scope_in_force_blocks_and_a_lifted_one_does_not():
    scopes = dict(Embargo.objects.blocking().values_list("country", "scope"))
    assert scopes["RU"] == Embargo.Scope.FULL
    assert scopes["IQ"] == Embargo.Scope.PARTIAL
    assert scopes["CN"] == Embargo.Scope.DECLARATION
    Embargo.objects.filter(country="IQ").update(is_in_force=False)
    assert not Embargo.objects.blocking().filter(country="IQ").exists()


def test_a_refusal_names_the_embargo_its_authority_source_and_date():
    embargo = Embargo.objects.get(country="RU")
    embargo.source, embargo.as_of = "EU Council Decision 2014/512/CFSP", datetime.date(2026, 11, 1)
    embargo.save()

    (refusal,) = Embargo.objects.refusals(["ru", "DE"])

    assert refusal == "Russia: Arms embargo (EU), source: EU Council Decision 2014/512/CFSP, as of 1 Nov 2026"


# Buyers of a country under a new embargo stop seeing what is offered to it, at once, everywhere.


@pytest.fixture
def client_a(client, buyer_a):
    """A buyer in Germany, which the tests below put under a (hypothetical) embargo."""
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def kestrel(buyer_a, hub_a):
    """A listing offered to Germany and Poland, on buyer A's shortlist."""
    product = make_published_product("Kestrel FPV")
    ShortlistItem.objects.create(user=buyer_a.user, product=product)
    make_listing(product, hub_a, destination_countries=["DE", "PL"], lead_time_weeks=6)
    return product


def embargo_germany(**fields):
    fields = {
        "authority": "eu",
        "source": "Council Decision (test)",
        "as_of": datetime.date(2026, 12, 1),
        **fields,
    }
    return Embargo.objects.create(country="DE", **fields)


def what_buyer_a_sees(client, buyer, product, hub) -> dict:
    hub_page = client.get(reverse("hub_detail", args=[hub.slug]))
    shortlist = client.get(reverse("shortlist"))
    return {
        "catalogue": "lead time from 6 weeks" in client.get(reverse("catalogue")).content.decode(),
        "product page": hub.name
        in client.get(reverse("product_detail", args=[product.slug])).content.decode(),
        "hub page": product.name in hub_page.content.decode(),
        "hub list": {h.pk: h.visible_listings for h in client.get(reverse("hub_list")).context["hubs"]}[
            hub.pk
        ],
        "shortlist": hub.name in shortlist.content.decode(),
        "eligible": submission.eligible_listings(buyer.organisation).exists(),
    }


def test_a_new_embargo_hides_existing_listings_from_buyers_of_its_country_at_once(
    client_a, buyer_a, kestrel, hub_a
):
    before = what_buyer_a_sees(client_a, buyer_a, kestrel, hub_a)
    assert before == {
        "catalogue": True,
        "product page": True,
        "hub page": True,
        "hub list": 1,
        "shortlist": True,
        "eligible": True,
    }

    embargo = embargo_germany()

    assert what_buyer_a_sees(client_a, buyer_a, kestrel, hub_a) == {
        "catalogue": False,
        "product page": False,
        "hub page": False,
        "hub list": 0,
        "shortlist": False,
        "eligible": False,
    }
    # Poland's buyers still see it: the listing is not changed, only not shown where it may not go.
    assert Listing.objects.visible_to(make_organisation(country="PL")).count() == 1

    embargo.is_in_force = False
    embargo.save()

    assert what_buyer_a_sees(client_a, buyer_a, kestrel, hub_a) == before


def test_the_catalogues_listing_filters_and_counts_leave_out_an_embargoed_country(client_a, kestrel):
    available_now = {"available": "yes"}
    assert "Kestrel FPV" in client_a.get(reverse("catalogue"), available_now).content.decode()

    embargo_germany(scope=Embargo.Scope.PARTIAL)

    assert "Kestrel FPV" not in client_a.get(reverse("catalogue"), available_now).content.decode()
    assert not ListingDestination.objects.offered_to("DE").exists()
    assert ListingDestination.objects.offered_to("PL").exists()


def test_an_expression_of_interest_for_a_listing_of_an_embargoed_country_is_refused(client_a, kestrel):
    listing = Listing.objects.get(product=kestrel)
    embargo_germany()

    response = client_a.post(reverse("shortlist"), eoi_form_data(listing, delivery_country="PL"))

    assert response.status_code == 400
    assert not ExpressionOfInterest.objects.exists()


def test_the_delivery_country_refusal_names_the_embargo_source_and_date(client_a, kestrel):
    listing = Listing.objects.get(product=kestrel)
    listing.destination_countries = ["DE", "BY"]
    listing.save()

    response = client_a.post(reverse("shortlist"), eoi_form_data(listing, delivery_country="BY"))

    errors = response.context["form"].errors["delivery_country"]
    assert errors[0] == "Deliveries to this country are not possible: it is under an arms embargo."
    assert errors[1].startswith("Belarus: Arms embargo (EU), source: EU Sanctions Map")
    assert "as of 1 Nov 2026" in errors[1]
    assert not ExpressionOfInterest.objects.exists()


def test_saving_or_lifting_an_embargo_bumps_the_catalogue_version(django_capture_on_commit_callbacks):
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        embargo = embargo_germany()
    assert catalogue_version() == before + 1

    embargo.is_in_force = False
    with django_capture_on_commit_callbacks(execute=True):
        embargo.save()
    assert catalogue_version() == before + 2


def test_the_rule_is_part_of_the_statement_that_reads_listings(buyer_a, kestrel, django_assert_num_queries):
    embargo_germany()

    # One statement, as before there were embargoes: the rule is a subquery, not a query of its own (the
    # catalogue's, product page's and shortlist's query counts are pinned by their own tests).
    with django_assert_num_queries(1):
        assert list(Listing.objects.visible_to(buyer_a.organisation)) == []


# Country choices: marked and disabled where a country is chosen, and refused with the embargo named.


def test_the_delivery_country_shows_embargoed_countries_disabled_and_marked(client_a, kestrel):
    page = client_a.get(reverse("shortlist")).content.decode()

    assert re.search(r'<option value="RU" disabled>Russia \(arms embargo\)</option>', page)
    assert re.search(r'<option value="CN" disabled>China \(political declaration\)</option>', page)
    assert re.search(r'<option value="PL">Poland</option>', page)


def test_the_access_request_form_marks_and_refuses_an_embargoed_country(client):
    url = reverse("request_access")
    page = client.get(url).content.decode()
    assert re.search(r'<option value="BY" disabled>Belarus \(arms embargo\)</option>', page)

    response = client.post(
        url,
        {
            "full_name": "Ivan Example",
            "work_email": "ivan@mod.example",
            "job_title": "Procurement officer",
            "organisation_name": "Ministry of Defence",
            "organisation_kind": "ministry_of_defence",
            "country": "BY",
            "reason": "We would like to see the catalogue.",
        },
    )

    errors = response.context["form"].errors["country"]
    assert "under an arms embargo" in errors[0]
    assert errors[1].startswith("Belarus: Arms embargo (EU), source: ")
    assert not AccessRequest.objects.exists()


def test_the_marks_are_read_from_the_cache_and_a_saved_embargo_is_seen_at_once(client_a, kestrel):
    client_a.get(reverse("shortlist"))

    with CaptureQueriesContext(connection) as captured:
        page = client_a.get(reverse("shortlist")).content.decode()
    assert not [query for query in captured if query["sql"].startswith('SELECT "interests_embargo"')]
    assert '<option value="RU" disabled>Russia (arms embargo)</option>' in page

    embargo = Embargo.objects.get(country="RU")
    embargo.is_in_force = False
    embargo.save()
    Embargo.objects.get(country="BY").delete()

    page = client_a.get(reverse("shortlist")).content.decode()
    assert '<option value="RU">Russia</option>' in page
    assert '<option value="BY">Belarus</option>' in page


def eoi_form_data(listing, **overrides):
    """The shortlist form's POST asking for one listing."""
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1",
        "lines-0-product": str(listing.product_id),
        "lines-0-include": "on",
        "lines-0-listing": str(listing.pk),
        "lines-0-quantity": "5",
        "idempotency_key": str(uuid.uuid4()),
        "end_user": "1st Air Defence Battalion",
        "intended_use": "air_defence",
        "delivery_country": "DE",
        "end_user_certificate": "in_preparation",
        "financing": "national_budget",
        "contact_name": "Anna Beispiel",
        "contact_phone": "+49 30 1234567",
        "message": "",
        "declaration_accepted": "on",
        **overrides,
    }
