"""generate_catalogue: synthetic data at scale that keeps the models' rules, grows to the number asked for, is
the same for the same seed, and leaves the demo accounts alone."""

import io
import itertools
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from hubcatalog import synthetic
from hubs.models import Hub, Listing
from interests.models import (
    REASON_REQUIRED_FOR,
    TRANSITIONS,
    Embargo,
    ExpressionOfInterest,
    InterestLine,
    Status,
    StatusChange,
)
from partners.models import Buyer, PartnerOrganisation
from products.models import Category, Manufacturer, Product, ProductImage, SpecAttribute, SpecValue
from tests.factories import make_attribute, make_category, make_hub

pytestmark = pytest.mark.django_db

SMALL = 30
ALL_MODELS = [
    Category, SpecAttribute, Manufacturer, Product, SpecValue, ProductImage, Hub, Listing,
    PartnerOrganisation, Buyer, User, ExpressionOfInterest, InterestLine, StatusChange,
]  # fmt: skip
FINAL = {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}


def generate(*args, **options) -> str:
    out = io.StringIO()
    call_command("generate_catalogue", *args, stdout=out, **options)
    return out.getvalue()


def digest_in(output: str) -> str:
    return re.search(r"Digest of the generated products: ([0-9a-f]{16})", output).group(1)


def generated_products():
    return Product.objects.filter(slug__regex=synthetic.PRODUCT_SLUG_REGEX)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def digest_of_a_run(*runs: int, seed: int = 2026) -> str:
    """The digest after runs with these numbers of products, which are then undone, so that the next run
    starts from the same empty database within one test."""
    with transaction.atomic():
        for products in runs:
            output = generate("--products", str(products), "--seed", str(seed), "--quiet")
        transaction.set_rollback(True)
    return digest_in(output)


@pytest.fixture
def generated():
    return generate("--products", str(SMALL), "--quiet")


# --- Products ---------------------------------------------------------------------------------------------
def test_it_makes_as_many_published_products_as_asked(generated):
    assert generated_products().published().count() == SMALL
    assert generated_products().count() >= SMALL


def test_on_a_database_without_categories_it_creates_the_starter_tree(generated):
    assert set(Category.objects.values_list("slug", flat=True)) == {row[0] for row in synthetic.STARTER_TREE}


def test_it_puts_published_products_in_every_category(generated):
    for category in Category.objects.all():
        assert generated_products().published().in_category(category).exists(), category


def test_every_product_has_a_value_of_the_right_type_for_every_attribute_of_its_category(generated):
    for product in generated_products().select_related("category"):
        values = {value.attribute_id: value for value in product.spec_values.all()}
        assert set(values) == {attribute.pk for attribute in product.category.spec_attributes()}, product
        for value in values.values():
            value.full_clean()  # SpecValue.clean(): the column of the attribute's type, a valid choice, …


def test_every_published_product_meets_the_publication_rules(generated):
    for product in generated_products().published():
        product.full_clean()
        assert product.publication_problems() == [], product


def test_it_reuses_the_categories_and_attributes_it_finds():
    drones = make_category("Loitering munitions")
    make_attribute(drones, "Range", slug="range", unit="km", value_type="number", is_required=True)
    make_attribute(drones, "Warhead", slug="warhead", value_type="choice", choices=["HEAT", "Fragmentation"])
    make_attribute(drones, "Band", slug="band", value_type="range", unit="MHz", is_required=True)
    make_attribute(drones, "Guidance", slug="guidance", value_type="text", is_required=True)
    make_attribute(drones, "Jam-proof", slug="jam-proof", value_type="boolean")

    generate("--products", "10", "--quiet")

    assert list(Category.objects.all()) == [drones]
    for product in generated_products().published():
        assert product.category == drones
        assert product.spec_values.count() == 5
        assert product.publication_problems() == []
        for value in product.spec_values.all():
            value.full_clean()


def test_a_category_no_generated_value_can_satisfy_stops_the_run_with_a_clear_message():
    drones = make_category("Loitering munitions")
    # A required choice without choices: the admin refuses it (SpecAttribute.clean), a script may not.
    make_attribute(drones, "Warhead", value_type="choice", choices=[], is_required=True)

    with pytest.raises(CommandError, match="could not be published: required specifications are missing"):
        generate("--products", "5", "--quiet")

    assert not generated_products().exists()


def test_products_share_one_stored_picture_per_top_level_category(generated, settings):
    images = ProductImage.objects.filter(product__in=generated_products())
    assert images.count() == generated_products().count()
    top_levels = Category.objects.filter(parent=None).count()
    assert len({image.image.name for image in images}) == top_levels
    for image in {image.image.name: image for image in images}.values():
        for stored in (image.image, image.thumbnail, image.large):
            assert (Path(settings.MEDIA_ROOT) / stored.name).is_file()


def test_nato_stock_numbers_are_well_formed_and_never_shared(generated):
    numbers = list(
        generated_products().exclude(nato_stock_number="").values_list("nato_stock_number", flat=True)
    )
    assert numbers
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{3}-[0-9]{4}", number) for number in numbers)


def test_products_are_controlled_by_the_military_list_or_as_dual_use(generated):
    for product in generated_products():
        assert bool(product.military_list_category) != product.is_dual_use
        assert 6 <= product.technology_readiness_level <= 9


# --- Hubs and listings ------------------------------------------------------------------------------------
def test_it_adds_active_hubs_in_partner_countries(generated):
    hubs = Hub.objects.all()
    assert hubs.count() == len(synthetic.GENERATED_HUBS)
    assert all(hub.is_active and hub.country.code in synthetic.PARTNER_COUNTRIES for hub in hubs)


def test_it_keeps_the_hubs_it_finds():
    berlin = make_hub("Berlin Export Hub", country="DE")

    generate("--products", str(SMALL), "--quiet")

    assert Hub.objects.count() == 1 + len(synthetic.GENERATED_HUBS)
    assert Listing.objects.filter(hub=berlin).exists()


def test_listings_are_offered_only_to_partner_countries_never_under_embargo(generated):
    embargoed = set(Embargo.objects.in_force().values_list("country", flat=True))
    assert embargoed  # the migration's starting list
    for listing in Listing.objects.all():
        codes = {country.code for country in listing.destination_countries}
        assert codes, listing
        assert codes <= set(synthetic.PARTNER_COUNTRIES)
        assert not codes & embargoed


def test_listings_have_varied_terms(generated):
    listings = Listing.objects.all()
    assert listings.count() >= SMALL  # about two per published product
    assert all(1 <= listing.lead_time_weeks <= 52 for listing in listings)
    assert listings.filter(unit_price_eur=None).exists()  # "on request"
    assert listings.filter(unit_price_eur__gt=Decimal(0)).exists()
    assert set(listings.values_list("availability", flat=True)) == set(Listing.Availability.values)
    assert listings.filter(destination_countries__contains="DE").exists()


def test_it_rebuilds_the_destination_index_at_the_end(generated):
    for country in ("DE", "PL"):
        expected = [
            listing.pk
            for listing in Listing.objects.order_by("pk")
            if country in {destination.code for destination in listing.destination_countries}
        ]
        assert (
            list(Listing.objects.offered_to(country).order_by("pk").values_list("pk", flat=True)) == expected
        )


# --- Partners and expressions of interest -----------------------------------------------------------------
def test_it_makes_partner_organisations_with_buyers_who_cannot_sign_in(generated):
    organisations = PartnerOrganisation.objects.filter(name__contains="(synthetic #")
    assert organisations.count() == synthetic.MIN_ORGANISATIONS
    assert organisations.approved().count() > organisations.count() // 2
    for organisation in organisations:
        assert organisation.country.code in synthetic.PARTNER_COUNTRIES
        buyers = organisation.buyers.select_related("user")
        assert buyers.exists()
        assert not any(buyer.user.has_usable_password() for buyer in buyers)


def test_it_makes_expressions_of_interest_in_every_state(generated):
    states = Counter(ExpressionOfInterest.objects.values_list("status", flat=True))
    assert all(states[state] >= synthetic.MIN_INTERESTS_PER_STATE for state in Status.values), states


def test_each_history_walks_the_workflow_to_the_state_of_its_interest(generated):
    for interest in ExpressionOfInterest.objects.prefetch_related("history", "lines"):
        steps = list(interest.history.all())
        assert (steps[0].from_status, steps[0].to_status) == ("", Status.SUBMITTED)
        assert steps[0].actor == interest.submitted_by
        for before, step in itertools.pairwise(steps):
            assert step.from_status == before.to_status
            assert step.to_status in TRANSITIONS[before.to_status]
            assert step.at >= before.at
            assert bool(step.reason) == (step.to_status in REASON_REQUIRED_FOR)
        assert steps[-1].to_status == interest.status
        assert interest.decided_at == (steps[-1].at if interest.status in FINAL else None)


def test_staff_steps_are_taken_by_a_coordinator_of_a_hub_of_the_interest(generated):
    for change in StatusChange.objects.exclude(to_status__in=synthetic.BUYER_STEPS).select_related("actor"):
        hubs = change.interest.lines.values("hub")
        assert change.actor.is_staff
        assert change.actor.coordinated_hubs.filter(pk__in=hubs).exists(), change


def test_lines_are_snapshots_of_listings_offered_to_the_partner(generated):
    for line in InterestLine.objects.select_related("interest__organisation", "listing"):
        listing = line.listing
        country = line.interest.organisation.country.code
        assert country in {destination.code for destination in listing.destination_countries}
        assert (line.product_id, line.hub_id) == (listing.product_id, listing.hub_id)
        assert line.listed_quantity == listing.quantity_available
        assert line.listed_lead_time_weeks == listing.lead_time_weeks
        assert line.listed_unit_price_eur == listing.unit_price_eur
        assert line.listed_valid_until == listing.valid_until


def test_each_interest_has_one_to_three_lines(generated):
    for interest in ExpressionOfInterest.objects.prefetch_related("lines"):
        assert 1 <= len(interest.lines.all()) <= 3


def test_references_are_unique_and_open_the_buyer_pages(generated):
    interests = ExpressionOfInterest.objects.all()
    assert len({interest.reference for interest in interests}) == interests.count()
    assert len({interest.idempotency_key for interest in interests}) == interests.count()
    for interest in interests:
        assert len(interest.reference) <= 20
        reverse("interest_detail", args=[interest.reference])


# --- Growing, determinism and the options -----------------------------------------------------------------
def test_the_same_seed_makes_the_same_catalogue_and_another_seed_another():
    first = digest_of_a_run(SMALL)

    assert digest_of_a_run(SMALL) == first
    assert digest_of_a_run(SMALL, seed=7) != first


def test_growing_in_two_runs_makes_the_same_products_as_one_run():
    assert digest_of_a_run(12, SMALL) == digest_of_a_run(SMALL)


def test_it_grows_to_the_number_asked_for_instead_of_adding_it():
    generate("--products", str(SMALL), "--quiet")

    generate("--products", str(2 * SMALL), "--quiet")

    assert generated_products().published().count() == 2 * SMALL
    numbers = sorted(
        synthetic.product_number(slug) for slug in generated_products().values_list("slug", flat=True)
    )
    assert numbers == list(range(1, len(numbers) + 1))


def test_running_again_with_the_same_number_adds_nothing(generated):
    before = counts()

    output = generate("--products", str(SMALL))

    assert counts() == before
    assert "nothing to add" in output
    assert digest_in(output) == digest_in(generated)


def test_a_smaller_number_removes_nothing(generated):
    before = counts()

    generate("--products", "5", "--quiet")

    assert counts() == before


def test_a_dry_run_says_what_it_would_add_and_writes_nothing():
    before = counts()

    output = generate("--products", str(SMALL), "--dry-run")

    assert counts() == before
    assert "Would add" in output
    assert "nothing written" in output


@pytest.mark.parametrize(
    ("value", "message"),
    [("-5", "cannot be negative"), ("abc", "expected a whole number"), ("", "whole number")],
)
def test_a_bad_number_of_products_is_refused_with_a_clear_message(value, message):
    with pytest.raises(CommandError, match=f"--products: .*{message}"):
        generate("--products", value)

    assert not Product.objects.exists()


def test_without_a_terminal_progress_is_written_every_tenth(generated):
    output = generate("--products", str(2 * SMALL))

    assert "Products: 0%" in output
    assert "Products: 100%" in output
    assert "\r" not in output


def test_quiet_drops_the_progress_and_verbosity_0_everything():
    quiet = generate("--products", "5", "--quiet")
    silent = generate("--products", "10", verbosity=0)

    assert "Products:" not in quiet
    assert "Added" in quiet
    assert silent == ""


def test_it_leaves_the_demo_accounts_and_their_organisations_alone(settings):
    settings.DEBUG = True
    make_hub("Berlin Export Hub", country="DE", city="Berlin")
    call_command("seed_demo", stdout=io.StringIO())
    demo_users = {user.username: user for user in User.objects.all()}
    demo_organisations = {organisation.pk: organisation for organisation in PartnerOrganisation.objects.all()}
    demo_hubs = {
        user.username: set(user.coordinated_hubs.values_list("pk", flat=True)) for user in demo_users.values()
    }

    generate("--products", str(SMALL), "--quiet")

    for username, before in demo_users.items():
        after = User.objects.get(username=username)
        fields = ["password", "is_staff", "is_superuser", "is_active", "email", "last_login"]
        assert [getattr(after, field) for field in fields] == [getattr(before, field) for field in fields]
        assert set(after.coordinated_hubs.values_list("pk", flat=True)) == demo_hubs[username]
    for pk, before in demo_organisations.items():
        after = PartnerOrganisation.objects.get(pk=pk)
        assert (after.name, after.vetting_status, after.country) == (
            before.name,
            before.vetting_status,
            before.country,
        )
        assert set(after.buyers.values_list("user__username", flat=True)) <= set(demo_users)
        assert not after.expressions_of_interest.exists()


def test_the_walks_through_the_workflow_are_legal():
    assert synthetic.check_paths() == []
