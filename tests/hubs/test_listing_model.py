"""Hubs and listings: one listing per product and hub, availability that expires, destinations."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from hubs.models import Hub, Listing, ListingDestination
from tests.factories import make_hub, make_listing, make_product, make_staff_user

pytestmark = pytest.mark.django_db

Availability = Listing.Availability


def assert_refused_by_database(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_a_product_has_one_listing_per_hub():
    listing = make_listing()
    assert_refused_by_database(lambda: make_listing(product=listing.product, hub=listing.hub))
    make_listing(product=listing.product, hub=make_hub())  # another hub is fine


def test_the_database_refuses_a_negative_price():
    assert_refused_by_database(lambda: make_listing(unit_price_eur=Decimal("-1.00")))


def test_an_available_listing_needs_a_quantity():
    assert_refused_by_database(
        lambda: make_listing(quantity_available=0, availability=Availability.AVAILABLE)
    )
    listing = Listing(
        product=make_product(),
        hub=make_hub(),
        quantity_available=0,
        lead_time_weeks=2,
        availability="available",
    )
    with pytest.raises(ValidationError) as error:
        listing.full_clean()
    assert "quantity_available" in error.value.message_dict
    make_listing(quantity_available=0, availability=Availability.EXHAUSTED)


def test_the_database_refuses_coordinates_off_the_globe():
    assert_refused_by_database(lambda: make_hub(latitude=Decimal("91")))
    assert_refused_by_database(lambda: make_hub(longitude=Decimal("-180.5")))


def test_a_listing_past_its_validity_date_no_longer_counts_as_available():
    today = timezone.localdate()
    current = make_listing(valid_until=today)
    open_ended = make_listing(valid_until=None)
    expired = make_listing(valid_until=today - datetime.timedelta(days=1))
    reserved = make_listing(availability=Availability.RESERVED)
    exhausted = make_listing(availability=Availability.EXHAUSTED, quantity_available=0)

    assert set(Listing.objects.available()) == {current, open_ended}
    assert expired.is_expired and not expired.is_available
    assert current.is_available
    assert not reserved.is_available and not exhausted.is_available


def test_offered_to_matches_whole_country_codes_only():
    to_germany = make_listing(destination_countries=["DE", "PL"])
    to_denmark = make_listing(destination_countries=["DK"])
    nowhere = make_listing(destination_countries=[])

    assert set(Listing.objects.offered_to("DE")) == {to_germany}
    assert set(Listing.objects.offered_to("dk")) == {to_denmark}
    # "E,P" spans two codes in the stored text "DE,PL"; it is no country.
    assert not Listing.objects.offered_to("E,P").exists()
    assert nowhere not in Listing.objects.offered_to("DE")


def test_mark_exhausted_changes_only_the_availability():
    listing = make_listing(quantity_available=12)
    listing.mark_exhausted()
    listing.refresh_from_db()
    assert listing.availability == Availability.EXHAUSTED
    assert listing.quantity_available == 12


def test_coordinated_by_scopes_hubs_and_listings_to_a_coordinators_hubs():
    coordinator = make_staff_user("coordinator")
    root = make_staff_user("root", superuser=True)
    own_hub = make_hub(coordinators=[coordinator])
    other_hub = make_hub()
    own = make_listing(hub=own_hub)
    other = make_listing(hub=other_hub)

    assert list(Hub.objects.coordinated_by(coordinator)) == [own_hub]
    assert list(Listing.objects.coordinated_by(coordinator)) == [own]
    assert set(Listing.objects.coordinated_by(root)) == {own, other}


def test_interest_may_be_expressed_in_available_and_reserved_listings_that_have_not_expired():
    today = timezone.localdate()
    available = make_listing()
    reserved = make_listing(availability=Availability.RESERVED)
    make_listing(availability=Availability.EXHAUSTED, quantity_available=0)
    make_listing(valid_until=today - datetime.timedelta(days=1))

    assert set(Listing.objects.open_for_interest()) == {available, reserved}


# --- The destination index ----------------------------------------------------------------------------------
def indexed_countries(listing) -> set[str]:
    return set(ListingDestination.objects.filter(listing=listing).values_list("country", flat=True))


def test_saving_a_listing_indexes_one_row_per_destination_country():
    listing = make_listing(destination_countries=["DE", "PL"])

    assert indexed_countries(listing) == {"DE", "PL"}


def test_changing_the_destinations_changes_the_index_in_the_same_save():
    listing = make_listing(destination_countries=["DE", "PL"])

    listing.destination_countries = ["PL", "DK"]
    listing.save()
    assert indexed_countries(listing) == {"PL", "DK"}
    assert set(Listing.objects.offered_to("DK")) == {listing}
    assert not Listing.objects.offered_to("DE").exists()

    listing.destination_countries = []
    listing.save(update_fields=["destination_countries", "updated_at"])
    assert indexed_countries(listing) == set()


def test_the_rows_carry_the_listings_facts_and_follow_their_changes():
    listing = make_listing(destination_countries=["DE", "PL"], lead_time_weeks=6)

    listing.lead_time_weeks = 3
    listing.save(update_fields=["lead_time_weeks", "updated_at"])
    listing.mark_exhausted()

    rows = ListingDestination.objects.filter(listing=listing)
    facts = {
        (row.product_id, row.hub_id, row.availability, row.valid_until, row.lead_time_weeks) for row in rows
    }
    assert facts == {(listing.product_id, listing.hub_id, "exhausted", None, 3)}


def test_saving_other_fields_leaves_the_index_alone(django_assert_num_queries):
    listing = make_listing(destination_countries=["DE"])

    listing.notes = "Ready at the Berlin depot."
    with django_assert_num_queries(1):  # the UPDATE of the listing only
        listing.save(update_fields=["notes", "updated_at"])
    assert indexed_countries(listing) == {"DE"}


def test_the_rebuild_command_restores_the_index_after_writes_that_bypass_save():
    kept = make_listing(destination_countries=["DE"])
    changed = make_listing(destination_countries=["DE"])
    # As loaddata or a bulk update write rows, without save()
    Listing.objects.filter(pk=changed.pk).update(destination_countries="FR,IT", lead_time_weeks=2)
    assert indexed_countries(changed) == {"DE"}

    out = io.StringIO()
    call_command("rebuild_catalogue_index", stdout=out)

    assert indexed_countries(changed) == {"FR", "IT"}
    assert set(
        ListingDestination.objects.filter(listing=changed).values_list("lead_time_weeks", flat=True)
    ) == {2}
    assert indexed_countries(kept) == {"DE"}
    assert "3 listing destinations" in out.getvalue()


def test_deleting_a_listing_deletes_its_destination_rows():
    listing = make_listing(destination_countries=["DE", "PL"])
    listing.delete()

    assert not ListingDestination.objects.exists()
