"""seed_demo: the demo accounts, one per role, created or reset, and never by accident on a real server; the
demo buyers' expressions of interest of both kinds, in several states, made once."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from hubcatalog.management.commands.seed_demo import DEMO_INTERESTS
from interests.models import ExpressionOfInterest, InterestLine, Kind, Reason, Status, StatusChange
from partners.access import buyer_of
from partners.models import PartnerOrganisation
from products.models import Product, ProductCooperation
from tests.conftest import CATALOGUE_EDITORS, HUB_COORDINATORS
from tests.factories import make_hub, make_listing, make_published_product

pytestmark = pytest.mark.django_db

STAFF = {"coordinator", "editor", "admin"}
BUYERS = {"buyer", "buyer-pl", "buyer-suspended"}


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def berlin():
    make_hub("Aarhus Export Hub", country="DK", city="Aarhus")
    return make_hub("Berlin Export Hub", country="DE", city="Berlin")


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_it_refuses_to_run_with_debug_off(settings, berlin):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        seed()

    assert not User.objects.exists()


def test_it_runs_with_debug_off_when_forced(settings, berlin):
    settings.DEBUG = False

    output = seed("--force")

    assert set(User.objects.values_list("username", flat=True)) == STAFF | BUYERS
    assert "DEBUG is off" in output


def test_it_makes_the_coordinator_a_coordinator_of_the_berlin_hub_only(debug, berlin):
    seed()

    coordinator = User.objects.get(username="coordinator")
    assert coordinator.is_staff and not coordinator.is_superuser
    assert group_names(coordinator) == {HUB_COORDINATORS}
    assert list(coordinator.coordinated_hubs.all()) == [berlin]
    assert coordinator.check_password("coordinator-demo-2026")


def test_without_a_berlin_hub_it_takes_the_first_hub_by_name(debug):
    make_hub("Vilnius Export Hub", country="LT", city="Vilnius")
    copenhagen = make_hub("Copenhagen Export Hub", country="DK", city="Copenhagen")

    seed()

    assert list(User.objects.get(username="coordinator").coordinated_hubs.all()) == [copenhagen]


def test_it_makes_an_editor_and_a_superuser(debug, berlin):
    seed()

    editor = User.objects.get(username="editor")
    assert editor.is_staff and not editor.is_superuser
    assert group_names(editor) == {CATALOGUE_EDITORS}
    assert not editor.coordinated_hubs.exists()
    assert editor.check_password("editor-demo-2026")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("admin-demo-2026")


def test_a_second_run_duplicates_nothing_and_resets_the_accounts(debug, berlin):
    seed()
    other_hub = make_hub("Prague Export Hub", country="CZ", city="Prague")
    coordinator = User.objects.get(username="coordinator")
    coordinator.set_password("changed-by-someone-2026")
    coordinator.is_active = False
    coordinator.save()
    coordinator.coordinated_hubs.add(other_hub)
    editor = User.objects.get(username="editor")
    editor.is_superuser = True
    editor.save()

    output = seed()

    assert User.objects.count() == 6
    coordinator.refresh_from_db()
    assert coordinator.is_active
    assert coordinator.check_password("coordinator-demo-2026")
    assert list(coordinator.coordinated_hubs.all()) == [berlin]
    assert list(berlin.coordinators.all()) == [coordinator]
    editor.refresh_from_db()
    assert not editor.is_superuser
    reset = "coordinator, editor, admin, buyer, buyer-pl, buyer-suspended"
    assert f"Reset to the demo settings and password: {reset}" in output


def test_it_prints_the_credentials_and_where_to_sign_in(debug, berlin):
    output = seed()

    for username, password in [
        ("coordinator", "coordinator-demo-2026"),
        ("editor", "editor-demo-2026"),
        ("admin", "admin-demo-2026"),
        ("buyer", "buyer-demo-2026"),
        ("buyer-pl", "buyer-pl-demo-2026"),
        ("buyer-suspended", "suspended-demo-2026"),
    ]:
        line = next(line for line in output.splitlines() if line.startswith(f"{username} "))
        assert password in line
    assert "Berlin Export Hub" in output
    assert "Federal Defence Procurement Office (demo)" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert "http://127.0.0.1:8000/accounts/login/" in output


def test_without_a_hub_it_makes_the_other_accounts_and_says_why_not_the_coordinator(debug):
    output = seed()

    assert set(User.objects.values_list("username", flat=True)) == {"editor", "admin"} | BUYERS
    assert "coordinator account was not created" in output
    assert "loaddata fixtures/catalogue.json fixtures/hubs.json" in output


def test_it_makes_buyers_of_two_approved_organisations_and_of_a_suspended_one(debug, berlin):
    warsaw = make_hub("Rzeszów Export Hub", country="PL", city="Rzeszów")

    seed()

    buyer = buyer_of(User.objects.get(username="buyer"))
    assert buyer.user.check_password("buyer-demo-2026")
    assert not buyer.user.is_staff and not buyer.user.groups.exists()
    assert buyer.organisation.name == "Federal Defence Procurement Office (demo)"
    assert buyer.organisation.country.code == "DE"
    assert buyer.organisation.may_browse
    assert list(buyer.organisation.hubs.all()) == [berlin]
    polish = buyer_of(User.objects.get(username="buyer-pl"))
    assert polish.user.check_password("buyer-pl-demo-2026")
    assert polish.organisation.country.code == "PL"
    assert polish.organisation.may_browse
    assert list(polish.organisation.hubs.all()) == [warsaw]
    suspended = buyer_of(User.objects.get(username="buyer-suspended"))
    assert suspended.user.check_password("suspended-demo-2026")
    assert suspended.organisation.is_suspended
    assert all(name.endswith("(demo)") for name in PartnerOrganisation.objects.values_list("name", flat=True))


def test_a_second_run_puts_the_buyers_and_their_organisations_back_as_the_demo_describes(debug, berlin):
    seed()
    PartnerOrganisation.objects.get(country="DE").suspend()
    PartnerOrganisation.objects.get(country="DK").approve()
    moved = buyer_of(User.objects.get(username="buyer-pl"))
    moved.organisation = PartnerOrganisation.objects.get(country="DE")
    moved.save()
    User.objects.filter(username="buyer").update(is_staff=True)

    seed()

    assert PartnerOrganisation.objects.count() == 3
    assert PartnerOrganisation.objects.get(country="DE").may_browse
    assert PartnerOrganisation.objects.get(country="DK").is_suspended
    assert buyer_of(User.objects.get(username="buyer-pl")).organisation.country.code == "PL"
    assert not User.objects.get(username="buyer").is_staff


# --- The demo expressions of interest -----------------------------------------------------------------------
FINAL_AND_OPEN_STATES = {
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.INFORMATION_REQUESTED,
    Status.ACCEPTED,
    Status.DECLINED,
}


@pytest.fixture
def rzeszow():
    return make_hub("Rzeszów Export Hub", country="PL", city="Rzeszów")


@pytest.fixture
def prague():
    return make_hub("Prague Export Hub", country="CZ", city="Prague")


@pytest.fixture
def demo_catalogue(berlin, rzeszow, prague):
    """The products the demo EOIs name, open to the forms they propose, each coordinated by one hub, and
    surplus listed at Berlin for the German buyer and at Rzeszów for the Polish one."""
    coordinating_hub = {
        "ZH-4 Vartovyi": berlin,
        "SK-7 Zhalo": berlin,
        "SV-30 Hornostai": berlin,
        "HR-M2 Merezha": rzeszow,
        "KHV-20 Zavisa": prague,
    }
    for demo in DEMO_INTERESTS:
        if demo.kind == Kind.COOPERATION:
            product = make_published_product(demo.product)
            ProductCooperation.objects.create(
                product=product, form=demo.form, minimum_annual_volume=300, volume_unit="systems"
            )
            coordinating_hub[demo.product].cooperation_products.add(product)
    for number in range(3):
        make_listing(make_published_product(f"Surplus {number}"), berlin, destination_countries=["DE"])
    for number in range(2):
        make_listing(make_published_product(f"Stock {number}"), rzeszow, destination_countries=["PL"])


def interests_of(kind) -> dict[str, ExpressionOfInterest]:
    """The EOIs of a kind, by status."""
    return {interest.status: interest for interest in ExpressionOfInterest.objects.filter(kind=kind)}


def history(interest) -> list[str]:
    return list(interest.history.order_by("at", "pk").values_list("to_status", flat=True))


def test_it_makes_purchases_and_cooperations_in_every_state_of_a_review(debug, demo_catalogue):
    seed()

    assert set(interests_of(Kind.PURCHASE)) == FINAL_AND_OPEN_STATES
    assert set(interests_of(Kind.COOPERATION)) == FINAL_AND_OPEN_STATES
    buyers = set(ExpressionOfInterest.objects.values_list("submitted_by__username", flat=True))
    assert buyers == {"buyer", "buyer-pl"}


def test_it_moves_them_through_the_workflow_with_coded_reasons(debug, demo_catalogue):
    seed()

    cooperations = interests_of(Kind.COOPERATION)
    declined = cooperations[Status.DECLINED]
    assert history(declined) == [Status.SUBMITTED, Status.UNDER_REVIEW, Status.DECLINED]
    assert declined.history.get(to_status=Status.DECLINED).reason == Reason.VOLUME_BELOW_MINIMUM
    asked = cooperations[Status.INFORMATION_REQUESTED]
    assert asked.history.get(to_status=Status.INFORMATION_REQUESTED).reason == Reason.PARTNER_COMPANY
    purchase_asked = interests_of(Kind.PURCHASE)[Status.INFORMATION_REQUESTED]
    assert (
        purchase_asked.history.get(to_status=Status.INFORMATION_REQUESTED).reason == Reason.END_USER_DETAILS
    )
    assert history(interests_of(Kind.PURCHASE)[Status.SUBMITTED]) == [Status.SUBMITTED]


def test_the_coordinator_decides_at_the_berlin_hub_and_the_superuser_elsewhere(debug, demo_catalogue):
    seed()

    cooperations = interests_of(Kind.COOPERATION)
    accepted = cooperations[Status.ACCEPTED].lines.get()
    assert accepted.hub.city == "Berlin"
    assert accepted.decisions.get().actor.username == "coordinator"
    declined = cooperations[Status.DECLINED].lines.get()
    assert declined.hub.city == "Prague"
    assert declined.decisions.get().actor.username == "admin"


def test_a_cooperation_goes_to_the_hub_that_coordinates_the_product(debug, demo_catalogue, rzeszow):
    seed()

    asked = interests_of(Kind.COOPERATION)[Status.INFORMATION_REQUESTED]
    assert asked.cooperation.product.name == "HR-M2 Merezha"
    assert asked.cooperation.company_country.code == "PL"
    assert [line.hub for line in asked.lines.all()] == [rzeszow]
    assert asked.submitted_by.username == "buyer-pl"


def test_a_purchase_asks_for_surplus_at_a_hub_of_the_buyers_country(debug, demo_catalogue, berlin, rzeszow):
    seed()

    for interest in ExpressionOfInterest.objects.filter(kind=Kind.PURCHASE):
        line = interest.lines.get()
        expected_hub = berlin if interest.organisation.country.code == "DE" else rzeszow
        assert line.hub == expected_hub
        assert 1 <= line.quantity <= line.listed_quantity


def test_a_second_run_makes_no_second_expression_of_interest(debug, demo_catalogue):
    seed()
    counts = (
        ExpressionOfInterest.objects.count(),
        InterestLine.objects.count(),
        StatusChange.objects.count(),
    )

    output = seed()

    assert counts == (10, 10, 24)
    assert (
        ExpressionOfInterest.objects.count(),
        InterestLine.objects.count(),
        StatusChange.objects.count(),
    ) == counts
    assert "(0 made now, 10 from an earlier run)" in output


def test_it_prints_a_summary_of_the_expressions_of_interest(debug, demo_catalogue):
    output = seed()

    assert "(10 made now, 0 from an earlier run)" in output
    for interest in ExpressionOfInterest.objects.all():
        row = next(line for line in output.splitlines() if line.startswith(interest.reference))
        assert interest.get_kind_display() in row
        assert interest.get_status_display() in row
        assert interest.submitted_by.username in row


def test_with_an_empty_catalogue_it_makes_the_accounts_and_says_why_there_is_no_eoi(debug, berlin):
    output = seed()

    assert not ExpressionOfInterest.objects.exists()
    assert User.objects.filter(username="buyer").exists()
    assert "The catalogue is empty, so no demo expressions of interest were made" in output


def test_it_names_what_it_could_not_make_and_makes_the_rest(debug, demo_catalogue):
    Product.objects.filter(name="KHV-20 Zavisa").update(status=Product.Status.WITHDRAWN)

    output = seed()

    assert "Not made: cooperation-declined: KHV-20 Zavisa is not in the catalogue" in output
    assert ExpressionOfInterest.objects.count() == 9
