"""Proposals of cooperation (joint production): the cooperation kind of expression of interest, from the form
to the hubs' decision, with the rules of routing, reasons, export control and need to know."""

import csv
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from interests.admin import dashboard_data
from interests.models import Decision, ExpressionOfInterest, InterestLine, Kind, Reason, Status
from interests.submission import cooperation_hubs
from products.models import CooperationForm, ProductCooperation
from tests.factories import make_hub, make_interest, make_listing, make_product, make_published_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(hub_a):
    """A published product open to licensed production, whose cooperation Hub A coordinates."""
    product = make_published_product("Kestrel FPV")
    ProductCooperation.objects.create(
        product=product,
        form=CooperationForm.LICENSED_PRODUCTION,
        minimum_annual_volume=500,
        volume_unit="airframes",
    )
    hub_a.cooperation_products.add(product)
    return product


def proposal(**changes) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "cooperation-form": CooperationForm.LICENSED_PRODUCTION,
        "cooperation-company_name": "Nordwerk Systems GmbH",
        "cooperation-company_country": "DE",
        "cooperation-company_registration": "HRB 123456",
        "cooperation-annual_volume": "800",
        "cooperation-duration_years": "5",
        "cooperation-production_country": "DE",
        "cooperation-production_site": "Werk 2, Kassel",
        "cooperation-technology_transfer_scope": "Airframe drawings, assembly jigs, firmware.",
        "end_user": "Bundeswehr Army Aviation",
        "intended_use": ExpressionOfInterest.IntendedUse.TERRITORIAL_DEFENCE,
        "delivery_country": "DE",
        "end_user_certificate": ExpressionOfInterest.CertificateStatus.IN_PREPARATION,
        "financing": ExpressionOfInterest.Financing.NATIONAL_BUDGET,
        "contact_name": "Anna Beispiel",
        "contact_phone": "+49 30 1234567",
        "declaration_accepted": "on",
    }
    data.update(changes)
    return data


def propose(client, buyer, product, **changes):
    client.force_login(buyer.user)
    return client.post(reverse("cooperation_propose", args=[product.slug]), proposal(**changes))


def test_it_stores_a_cooperation_eoi_with_one_line_per_reviewing_hub(client, buyer_a, product, hub_a, outbox):
    response = propose(client, buyer_a, product)

    interest = ExpressionOfInterest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("interest_submitted", args=[interest.reference])
    assert interest.kind == Kind.COOPERATION
    assert interest.cooperation.company_name == "Nordwerk Systems GmbH"
    assert interest.cooperation.offered_minimum_annual_volume == 500
    [line] = interest.lines.all()
    assert (line.hub, line.product, line.listing, line.quantity) == (hub_a, product, None, None)
    assert interest.history.get().to_status == Status.SUBMITTED
    subjects_and_bodies = [(email.subject, email.body) for email in outbox()]
    assert any("Cooperation (joint production)" in body for _subject, body in subjects_and_bodies)


def test_a_repeated_submission_finds_the_first(client, buyer_a, product):
    data = proposal()
    client.force_login(buyer_a.user)
    url = reverse("cooperation_propose", args=[product.slug])
    client.post(url, data)
    response = client.post(url, data)

    assert response.status_code == 302
    assert ExpressionOfInterest.objects.count() == 1


def test_the_buyer_sees_the_proposal_and_its_kind(client, buyer_a, product):
    propose(client, buyer_a, product)
    interest = ExpressionOfInterest.objects.get()

    detail = client.get(reverse("interest_detail", args=[interest.reference]))
    listing = client.get(reverse("interest_list"))

    assert "Nordwerk Systems GmbH" in detail.text and "Licensed production" in detail.text
    assert "Cooperation (joint production)" in listing.text


def test_it_is_routed_to_the_listing_hubs_when_no_hub_coordinates_the_product(buyer_a, hub_a, hub_b):
    product = make_published_product()
    make_listing(product, hub_b, destination_countries=["DE"])
    make_listing(product, hub_a, destination_countries=["FR"])  # not offered to the buyer's country

    assert cooperation_hubs(product, buyer_a.organisation) == [hub_b]


def test_a_product_no_hub_reviews_cannot_be_proposed(client, buyer_a):
    product = make_published_product()
    ProductCooperation.objects.create(product=product, form=CooperationForm.LOCAL_ASSEMBLY)
    client.force_login(buyer_a.user)

    response = client.get(reverse("cooperation_propose", args=[product.slug]))

    assert response.status_code == 409


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_a_product_the_buyer_may_not_see_is_absent(client, buyer_a, hub_a, status):
    product = make_product(status=status)
    ProductCooperation.objects.create(product=product, form=CooperationForm.LICENSED_PRODUCTION)
    hub_a.cooperation_products.add(product)
    client.force_login(buyer_a.user)

    assert client.get(reverse("cooperation_propose", args=[product.slug])).status_code == 404


def test_a_product_closed_to_cooperation_is_absent(client, buyer_a, hub_a):
    product = make_published_product()
    hub_a.cooperation_products.add(product)
    client.force_login(buyer_a.user)

    assert client.get(reverse("cooperation_propose", args=[product.slug])).status_code == 404


def test_a_form_the_manufacturer_does_not_offer_is_refused(client, buyer_a, product):
    response = propose(client, buyer_a, product, **{"cooperation-form": CooperationForm.CO_DEVELOPMENT})

    assert response.status_code == 400
    assert not ExpressionOfInterest.objects.exists()


@pytest.mark.parametrize(
    "field", ["cooperation-production_country", "cooperation-company_country", "delivery_country"]
)
def test_an_embargoed_country_is_refused(client, buyer_a, product, field):
    response = propose(client, buyer_a, product, **{field: "RU"})

    assert response.status_code == 400
    assert "arms embargo" in response.text
    assert not ExpressionOfInterest.objects.exists()


def test_it_needs_the_declaration(client, buyer_a, product):
    data = proposal()
    del data["declaration_accepted"]
    client.force_login(buyer_a.user)

    response = client.post(reverse("cooperation_propose", args=[product.slug]), data)

    assert response.status_code == 400


def test_only_approved_buyers_may_propose(client, coordinator_a, product):
    client.force_login(coordinator_a)

    assert client.get(reverse("cooperation_propose", args=[product.slug])).status_code == 403


def test_a_cooperation_decline_takes_a_cooperation_reason(client, buyer_a, product, coordinator_a):
    propose(client, buyer_a, product)
    interest = ExpressionOfInterest.objects.get()
    interest.start_review(by=coordinator_a)

    with pytest.raises(ValidationError) as refused:
        interest.decline(by=coordinator_a, reason=Reason.SURPLUS_UNAVAILABLE, comment="Gone.")
    assert refused.value.code == "reason_of_other_kind"

    interest.decline(by=coordinator_a, reason=Reason.G2G_AGREEMENT, comment="A G2G agreement comes first.")
    interest.refresh_from_db()
    assert interest.status == Status.DECLINED
    assert interest.lines.get().decision == Decision.DECLINED


def test_a_purchase_decline_takes_a_purchase_reason(buyer_a, hub_a, coordinator_a):
    interest = make_interest(buyer_a, [make_listing(hub=hub_a)])
    interest.start_review(by=coordinator_a)

    with pytest.raises(ValidationError):
        interest.decline(by=coordinator_a, reason=Reason.VOLUME_BELOW_MINIMUM, comment="Too few.")


def test_only_the_coordinating_hub_decides_it(client, buyer_a, product, coordinator_a, coordinator_b):
    propose(client, buyer_a, product)
    interest = ExpressionOfInterest.objects.get()

    assert not ExpressionOfInterest.objects.for_coordinator(coordinator_b).exists()
    interest.start_review(by=coordinator_a)
    with pytest.raises(ValidationError):
        interest.accept(by=coordinator_b)
    interest.accept(by=coordinator_a, comment="Forwarded to the manufacturer.")
    interest.refresh_from_db()
    assert interest.status == Status.ACCEPTED


def test_the_admin_offers_the_reasons_of_the_eois_kind(client, buyer_a, product, coordinator_a):
    propose(client, buyer_a, product)
    interest = ExpressionOfInterest.objects.get()
    interest.start_review(by=coordinator_a)
    client.force_login(coordinator_a)

    page = client.get(reverse("admin:interests_expressionofinterest_change", args=[interest.pk]))

    assert page.status_code == 200
    assert "Needs a government-to-government agreement" in page.text
    assert "Surplus no longer available" not in page.text
    assert "Nordwerk Systems GmbH" in page.text


def test_a_line_names_a_listing_and_quantities_or_none(buyer_a, hub_a):
    interest = make_interest(buyer_a, [])
    with pytest.raises(IntegrityError), transaction.atomic():
        InterestLine.objects.create(interest=interest, product=make_product(), hub=hub_a, quantity=3)


def test_the_csv_export_has_the_kind_and_the_proposal(client, buyer_a, product, coordinator_a):
    propose(client, buyer_a, product)
    client.force_login(coordinator_a)

    response = client.get(reverse("admin:interests_expressionofinterest_export"))

    [row] = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert row["kind"] == "Cooperation (joint production)"
    assert row["partner company"] == "Nordwerk Systems GmbH"
    assert row["production country"] == "DE"


def test_the_dashboard_counts_each_kind(client, buyer_a, product, hub_a, coordinator_a):
    propose(client, buyer_a, product)
    make_interest(buyer_a, [make_listing(hub=hub_a)])

    [row] = dashboard_data(coordinator_a)["table"]

    assert (row["total"], row["purchases"], row["cooperations"]) == (2, 1, 1)


def test_a_hub_that_is_not_active_does_not_review(buyer_a, product, hub_a, coordinator_b):
    hub_b = make_hub(coordinators=[coordinator_b])
    hub_b.cooperation_products.add(product)
    hub_a.is_active = False
    hub_a.save()

    assert cooperation_hubs(product, buyer_a.organisation) == [hub_b]
