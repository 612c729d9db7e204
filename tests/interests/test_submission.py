"""Submitting an expression of interest from the shortlist: validation, snapshots, once only, all or nothing,
and the emails that follow."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from mailer.models import Message

from interests import submission
from interests.models import Embargo, ExpressionOfInterest, InterestLine, ShortlistItem, Status, StatusChange
from interests.submission import submit_interest
from tests.factories import make_hub, make_interest, make_listing, make_published_product, make_staff_user

pytestmark = pytest.mark.django_db

SHORTLIST = reverse("shortlist")
TODAY = timezone.localdate()


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def listing(buyer_a, hub_a):
    product = make_published_product("Kestrel FPV")
    ShortlistItem.objects.create(user=buyer_a.user, product=product)
    return make_listing(product, hub_a, quantity_available=20, destination_countries=["DE", "PL"])


def shortlist(buyer, *listings):
    for listing in listings:
        ShortlistItem.objects.get_or_create(user=buyer.user, product=listing.product)


def form_data(*lines, key=None, **overrides):
    """The POST of the shortlist form: one dict per shortlisted product, in shortlist order."""
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": str(len(lines)),
        "idempotency_key": str(key or uuid.uuid4()),
        "end_user": "1st Air Defence Battalion",
        "intended_use": "air_defence",
        "delivery_country": "DE",
        "end_user_certificate": "in_preparation",
        "financing": "national_budget",
        "contact_name": "Anna Beispiel",
        "contact_phone": "+49 30 1234567",
        "message": "",
        "declaration_accepted": "on",
    }
    for index, line in enumerate(lines):
        listing = line["listing"]
        values = {
            "product": listing.product_id,
            "include": "on",
            "listing": listing.pk,
            "quantity": 5,
            "delivery_from": TODAY + datetime.timedelta(days=30),
            "delivery_until": TODAY + datetime.timedelta(days=90),
        }
        values.update({k: v for k, v in line.items() if k != "listing"})
        for name, value in values.items():
            if value is not None:
                data[f"lines-{index}-{name}"] = str(value)
    data.update(overrides)
    return data


def test_it_stores_the_interest_its_lines_and_first_history_row(client_a, buyer_a, listing):
    response = client_a.post(SHORTLIST, form_data({"listing": listing, "quantity": 7}))

    interest = ExpressionOfInterest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("interest_submitted", args=[interest.reference])
    assert interest.organisation == buyer_a.organisation
    assert interest.submitted_by == buyer_a.user
    assert interest.status == Status.SUBMITTED
    assert interest.reference.startswith(f"EOI-{TODAY.year}-")
    line = interest.lines.get()
    assert (line.listing, line.hub, line.product, line.quantity) == (listing, listing.hub, listing.product, 7)
    assert line.listed_quantity == 20
    assert not line.exceeds_listed_quantity
    change = StatusChange.objects.get()
    assert (change.interest, change.to_status, change.actor) == (interest, Status.SUBMITTED, buyer_a.user)


def test_submitted_products_leave_the_shortlist_and_the_others_stay(client_a, buyer_a, listing, hub_a):
    other = make_listing(make_published_product("Falcon"), hub_a, destination_countries=["DE"])
    shortlist(buyer_a, other)

    client_a.post(SHORTLIST, form_data({"listing": listing}, {"listing": other, "include": None}))

    assert list(ShortlistItem.objects.values_list("product", flat=True)) == [other.product_id]
    assert ExpressionOfInterest.objects.get().lines.count() == 1


def test_one_interest_holds_a_line_per_product(client_a, buyer_a, listing, hub_a, hub_b):
    second = make_listing(make_published_product("Falcon"), hub_b, destination_countries=["DE"])
    third = make_listing(make_published_product("Owl"), hub_a, destination_countries=["DE"])
    shortlist(buyer_a, second, third)

    client_a.post(SHORTLIST, form_data({"listing": listing}, {"listing": second}, {"listing": third}))

    interest = ExpressionOfInterest.objects.get()
    assert {line.listing for line in interest.lines.all()} == {listing, second, third}


def rejected(client, data, field, message):
    response = client.post(SHORTLIST, data)
    assert response.status_code == 400
    assert not ExpressionOfInterest.objects.exists()
    content = response.content.decode()
    assert message in content, content
    return response


@pytest.mark.parametrize("quantity", [0, -3])
def test_buyer_cannot_ask_for_no_or_a_negative_quantity(client_a, listing, quantity):
    rejected(client_a, form_data({"listing": listing, "quantity": quantity}), "quantity", "at least 1")


def test_buyer_cannot_ask_for_a_window_in_the_past(client_a, listing):
    data = form_data({"listing": listing, "delivery_from": TODAY - datetime.timedelta(days=1)})
    rejected(client_a, data, "delivery_from", "must be in the future")


def test_buyer_cannot_reverse_the_window(client_a, listing):
    data = form_data(
        {
            "listing": listing,
            "delivery_from": TODAY + datetime.timedelta(days=60),
            "delivery_until": TODAY + datetime.timedelta(days=30),
        }
    )
    rejected(client_a, data, "delivery_until", "must not be before its start")


def test_buyer_cannot_deliver_to_a_country_the_listing_is_not_offered_to(client_a, listing):
    rejected(
        client_a, form_data({"listing": listing}, delivery_country="DK"), "listing", "may not be delivered to"
    )


def test_buyer_cannot_deliver_to_an_embargoed_country_even_if_listed(client_a, listing):
    listing.destination_countries = ["DE", "BY"]
    listing.save()
    Embargo.objects.update_or_create(
        country="BY",
        defaults={"authority": "eu_un", "source": "EU Council", "as_of": TODAY, "is_in_force": True},
    )

    rejected(
        client_a, form_data({"listing": listing}, delivery_country="BY"), "delivery_country", "arms embargo"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"valid_until": TODAY - datetime.timedelta(days=1)},
        {"availability": "exhausted"},
        {"destination_countries": ["PL"]},
    ],
    ids=["expired", "exhausted", "not-offered-to-the-buyers-country"],
)
def test_buyer_cannot_ask_about_a_listing_no_longer_open(client_a, listing, change):
    for name, value in change.items():
        setattr(listing, name, value)
    listing.save()

    rejected(
        client_a, form_data({"listing": listing}), "listing", "no longer open to expressions of interest"
    )


def test_a_reserved_listing_may_be_asked_about(client_a, listing):
    listing.availability = "reserved"
    listing.save()

    assert client_a.post(SHORTLIST, form_data({"listing": listing})).status_code == 302


def test_buyer_cannot_ask_about_a_product_withdrawn_to_draft(client_a, listing):
    listing.product.status = "draft"
    listing.product.save()

    # The product leaves the buyer's shortlist view, so the form no longer matches it.
    response = client_a.post(SHORTLIST, form_data({"listing": listing}))

    assert response.status_code == 400
    assert not ExpressionOfInterest.objects.exists()


def test_the_declaration_must_be_ticked(client_a, listing):
    data = form_data({"listing": listing})
    del data["declaration_accepted"]
    rejected(client_a, data, "declaration_accepted", "Tick the declaration")


def test_other_intended_use_needs_a_description(client_a, listing):
    rejected(
        client_a, form_data({"listing": listing}, intended_use="other"), "x", "Describe the intended use"
    )


def test_at_least_one_product_must_be_included(client_a, listing):
    data = form_data({"listing": listing, "include": None})
    rejected(client_a, data, "x", "Include at least one product")


def test_each_line_shows_the_quantity_listed(client_a, listing):
    response = client_a.get(SHORTLIST)

    content = response.content.decode()
    assert "20 units listed" in content
    assert 'data-listed-quantity="20"' in content
    assert 'src="/static/js/shortlist.js"' in content


def test_a_quantity_above_what_is_listed_is_flagged_before_anything_is_stored(client_a, listing):
    response = client_a.post(SHORTLIST, form_data({"listing": listing, "quantity": 25}))

    assert response.status_code == 400
    content = response.content.decode()
    assert "You ask for 25; 20 units are listed at Hub A." in content
    assert "I understand that this exceeds the quantity listed" in content
    form = response.context["formset"].forms[0]
    assert form.shows_exceeding_confirmation
    assert not ExpressionOfInterest.objects.exists()


def test_the_listed_quantity_itself_needs_no_confirmation(client_a, listing):
    response = client_a.post(SHORTLIST, form_data({"listing": listing, "quantity": 20}))

    assert response.status_code == 302
    assert not InterestLine.objects.get().exceeds_listed_quantity


def test_the_confirmation_box_is_hidden_while_nothing_exceeds(client_a, listing):
    response = client_a.get(SHORTLIST)

    assert "data-exceeds-confirmation hidden" in response.content.decode()


def test_a_confirmed_quantity_above_what_is_listed_is_stored_and_flagged(client_a, listing):
    response = client_a.post(
        SHORTLIST, form_data({"listing": listing, "quantity": 25, "confirm_exceeding": "on"}), follow=True
    )

    line = InterestLine.objects.get()
    assert (line.quantity, line.listed_quantity, line.exceeds_listed_quantity) == (25, 20, True)
    assert "More than listed" in response.content.decode()


def test_the_snapshot_does_not_change_when_the_listing_is_edited(client_a, listing):
    client_a.post(SHORTLIST, form_data({"listing": listing}))
    listing.quantity_available = 3
    listing.lead_time_weeks = 20
    listing.save()

    line = InterestLine.objects.get()
    assert (line.listed_quantity, line.listed_lead_time_weeks) == (20, 6)


def test_sending_the_form_twice_stores_one_interest(client_a, listing):
    data = form_data({"listing": listing})

    first = client_a.post(SHORTLIST, data)
    second = client_a.post(SHORTLIST, data)

    assert ExpressionOfInterest.objects.count() == 1
    assert second.status_code == 302
    assert second.url == first.url


def test_a_key_used_by_another_organisation_gives_404(client_a, buyer_b, listing):
    taken = make_interest(buyer_b, [listing])

    response = client_a.post(SHORTLIST, form_data({"listing": listing}, key=taken.idempotency_key))

    assert response.status_code == 404
    assert ExpressionOfInterest.objects.count() == 1


def test_a_concurrent_submission_with_the_same_key_returns_the_stored_one(buyer_a, listing, monkeypatch):
    key = uuid.uuid4()
    raced = make_interest(buyer_a, [listing])
    ExpressionOfInterest.objects.filter(pk=raced.pk).update(idempotency_key=key)
    # The other request commits between our look-up and our insert: the look-up finds nothing.
    real_filter = ExpressionOfInterest.objects.filter
    calls = []

    def late_filter(*args, **kwargs):
        calls.append(kwargs)
        if kwargs.get("idempotency_key") == key and len(calls) == 1:
            return ExpressionOfInterest.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(ExpressionOfInterest.objects, "filter", late_filter)
    details = {
        "end_user": "Unit",
        "intended_use": "training",
        "delivery_country": "DE",
        "end_user_certificate": "available",
        "financing": "national_budget",
        "contact_name": "A",
        "contact_phone": "1",
        "declaration_accepted": True,
    }
    line = {
        "listing": listing,
        "quantity": 1,
        "delivery_from": TODAY + datetime.timedelta(days=10),
        "delivery_until": TODAY + datetime.timedelta(days=20),
    }

    interest, created = submit_interest(
        buyer=buyer_a, organisation=buyer_a.organisation, details=details, lines=[line], idempotency_key=key
    )

    assert (interest, created) == (raced, False)
    assert ExpressionOfInterest.objects.count() == 1
    assert InterestLine.objects.count() == 1


def test_a_failure_halfway_stores_nothing(client_a, buyer_a, listing, hub_a, monkeypatch):
    second = make_listing(make_published_product("Falcon"), hub_a, destination_countries=["DE"])
    shortlist(buyer_a, second)
    real_snapshot = InterestLine.take_snapshot
    calls = []

    def failing_snapshot(self, listing):
        calls.append(listing)
        real_snapshot(self, listing)
        if len(calls) == 2:
            self.quantity = 0  # the database's positive-quantity constraint refuses this line

    monkeypatch.setattr(InterestLine, "take_snapshot", failing_snapshot)

    with pytest.raises(Exception):  # noqa: B017 - whichever IntegrityError the database raises
        client_a.post(SHORTLIST, form_data({"listing": listing}, {"listing": second}))

    assert len(calls) == 2
    assert not ExpressionOfInterest.objects.exists()
    assert not InterestLine.objects.exists()
    assert not StatusChange.objects.exists()
    assert ShortlistItem.objects.filter(user=buyer_a.user).count() == 2


def test_it_emails_the_buyer_and_the_coordinators_of_each_hub_concerned(
    client_a, buyer_a, listing, coordinator_a, hub_b, outbox
):
    elsewhere = make_staff_user("coordinator-elsewhere")
    make_hub("Hub C", coordinators=[elsewhere])
    quiet = make_staff_user("no-email")
    quiet.email = ""
    quiet.save()
    listing.hub.coordinators.add(quiet)

    client_a.post(SHORTLIST, form_data({"listing": listing}))

    interest = ExpressionOfInterest.objects.get()
    sent = outbox()
    recipients = sorted(address for message in sent for address in message.to)
    assert recipients == sorted([buyer_a.user.email, coordinator_a.email])
    to_buyer = next(m for m in sent if m.to == [buyer_a.user.email])
    assert interest.reference in to_buyer.subject
    assert interest.reference in to_buyer.body
    to_coordinator = next(m for m in sent if m.to == [coordinator_a.email])
    assert "Kestrel FPV" in to_coordinator.body
    assert (
        f"http://testserver/admin/interests/expressionofinterest/{interest.pk}/change/" in to_coordinator.body
    )


def test_the_emails_are_in_the_outbox_with_the_eoi_and_the_request_never_waits_on_a_mail_server(
    client_a, listing, coordinator_a, settings
):
    # A mail server that refuses every connection: the request does not try it.
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9

    response = client_a.post(SHORTLIST, form_data({"listing": listing}))

    interest = ExpressionOfInterest.objects.get()
    assert response.status_code == 302
    assert sorted(message.to_addresses[0] for message in Message.objects.all()) == sorted(
        [interest.submitted_by.email, coordinator_a.email]
    )


def test_a_failed_submission_leaves_nothing_in_the_outbox(client_a, buyer_a, listing, monkeypatch, outbox):
    queue_the_emails = submission.notify_submitted

    def queue_then_fail(*args, **kwargs):
        queue_the_emails(*args, **kwargs)
        assert Message.objects.exists()
        raise RuntimeError("the database went away mid-submission")

    monkeypatch.setattr(submission, "notify_submitted", queue_then_fail)
    with pytest.raises(RuntimeError):
        client_a.post(SHORTLIST, form_data({"listing": listing}))

    assert not ExpressionOfInterest.objects.exists()
    assert not Message.objects.exists()
    assert ShortlistItem.objects.filter(user=buyer_a.user).exists()
    assert outbox() == []


def test_no_email_is_sent_when_nothing_was_stored(client_a, listing, outbox):
    client_a.post(SHORTLIST, form_data({"listing": listing, "quantity": 0}))

    assert outbox() == []


def test_the_form_carries_a_fresh_submission_key(client_a, listing):
    first = client_a.get(SHORTLIST).context["form"]["idempotency_key"].value()
    second = client_a.get(SHORTLIST).context["form"]["idempotency_key"].value()

    assert uuid.UUID(str(first)) != uuid.UUID(str(second))


def test_nothing_reads_like_a_shop(client_a, listing):
    content = client_a.get(SHORTLIST).content.decode().lower()

    for word in ("cart", "basket", "checkout", " buy ", "order now", "purchase"):
        assert word not in content


def test_a_used_key_returns_the_stored_interest_without_a_copy(buyer_a, listing):
    stored = make_interest(buyer_a, [listing])

    interest, created = submit_interest(
        buyer=buyer_a,
        organisation=buyer_a.organisation,
        details={},
        lines=[],
        idempotency_key=stored.idempotency_key,
    )

    assert (interest, created) == (stored, False)
    assert ExpressionOfInterest.objects.count() == 1
