"""What the audit log records: logins, access decisions, catalogue changes, downloads, exports and every step
of an expression of interest, each with who, when, what, the object and the address it came from."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from audit import log as audit
from audit.models import Action, AuditEvent
from hubs.models import Listing
from interests.models import ExpressionOfInterest, ShortlistItem, Status
from partners.models import AccessRequest, PartnerOrganisation
from products.models import Product
from tests.factories import (
    make_access_request,
    make_category,
    make_document,
    make_interest,
    make_listing,
    make_manufacturer,
    make_organisation,
    make_product,
    make_published_product,
)
from tests.hubs.test_coordinator_admin import listing_form_data
from tests.interests.test_submission import form_data as shortlist_form_data
from tests.products.test_product_admin import new_product_data, rendered_form_data

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


def only_event(action) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def assert_recent(event):
    assert timezone.now() - datetime.timedelta(seconds=30) < event.at <= timezone.now()


def act(client, url, action, objects):
    return client.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects]}, REMOTE_ADDR=ADDRESS
    )


# Logins


def test_it_records_a_login_with_who_when_and_the_address(client, buyer_a):
    client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"}, REMOTE_ADDR=ADDRESS)

    event = only_event(Action.LOGIN)
    assert event.actor == buyer_a.user
    assert event.actor_name == "buyer-a"
    assert event.address == ADDRESS
    assert_recent(event)


def test_it_records_a_failed_login_with_the_username_tried_and_never_the_password(client, buyer_a):
    client.post(
        "/accounts/login/", {"username": "buyer-a", "password": "Guessed-Secret-42"}, REMOTE_ADDR=ADDRESS
    )

    event = only_event(Action.LOGIN_FAILED)
    assert event.details == {"username": "buyer-a"}
    assert event.actor is None
    assert event.address == ADDRESS
    assert "Guessed-Secret-42" not in json.dumps(model_to_dict(event), default=str)
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_it_records_a_failed_login_for_a_username_that_does_not_exist(client):
    client.post("/accounts/login/", {"username": "nobody-here", "password": "x"}, REMOTE_ADDR=ADDRESS)

    assert only_event(Action.LOGIN_FAILED).details == {"username": "nobody-here"}


def test_it_records_the_admins_login_too(client, superuser):
    client.post("/admin/login/?next=/admin/", {"username": "root", "password": "pw"}, REMOTE_ADDR=ADDRESS)

    event = only_event(Action.LOGIN)
    assert (event.actor, event.address) == (superuser, ADDRESS)


def test_it_records_a_logout(client, buyer_a):
    client.force_login(buyer_a.user)

    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)

    event = only_event(Action.LOGOUT)
    assert (event.actor, event.address) == (buyer_a.user, ADDRESS)


def test_behind_the_proxy_it_records_the_address_the_proxy_forwarded(client, buyer_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    client.post(
        "/accounts/login/",
        {"username": "buyer-a", "password": "pw"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"198.51.100.1, {ADDRESS}",
    )

    assert only_event(Action.LOGIN).address == ADDRESS


def test_a_record_keeps_the_username_of_the_time_after_a_rename(client, buyer_a):
    client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"})
    buyer_a.user.username = "renamed"
    buyer_a.user.save()

    assert only_event(Action.LOGIN).actor_name == "buyer-a"


# Access for partners


def test_it_records_an_access_approval(client, superuser):
    anna = make_access_request("anna@procurement.example")
    client.force_login(superuser)

    act(client, "/admin/partners/accessrequest/", "approve_requests", [anna])

    event = only_event(Action.ACCESS_APPROVED)
    assert (event.actor, event.address) == (superuser, ADDRESS)
    assert event.content_type == ContentType.objects.get_for_model(AccessRequest)
    assert event.object_id == str(anna.pk)
    assert event.details["organisation"] == "Federal Office for Test Procurement"
    assert event.details["buyer"] == "anna@procurement.example"


def test_it_records_an_access_rejection(client, superuser):
    anna = make_access_request("anna@procurement.example")
    client.force_login(superuser)

    act(client, "/admin/partners/accessrequest/", "reject_requests", [anna])

    event = only_event(Action.ACCESS_REJECTED)
    assert (event.actor, event.address, event.object_id) == (superuser, ADDRESS, str(anna.pk))


def test_a_refused_approval_records_nothing(client, superuser):
    suspended = make_organisation("Closed Agency", vetting_status=PartnerOrganisation.VettingStatus.SUSPENDED)
    anna = make_access_request(organisation_name="Closed Agency", organisation=suspended)
    client.force_login(superuser)

    act(client, "/admin/partners/accessrequest/", "approve_requests", [anna])

    assert not AuditEvent.objects.filter(action=Action.ACCESS_APPROVED).exists()


@pytest.mark.parametrize(
    ("status_before", "admin_action", "recorded"),
    [
        ("approved", "suspend_organisations", Action.ORGANISATION_SUSPENDED),
        ("suspended", "approve_organisations", Action.ORGANISATION_REINSTATED),
        ("pending", "approve_organisations", Action.ORGANISATION_APPROVED),
    ],
)
def test_it_records_an_organisations_vetting_decision(
    client, superuser, status_before, admin_action, recorded
):
    organisation = make_organisation("Agency", vetting_status=status_before)
    client.force_login(superuser)

    act(client, "/admin/partners/partnerorganisation/", admin_action, [organisation])

    event = only_event(recorded)
    assert (event.actor, event.address, event.object_repr) == (superuser, ADDRESS, str(organisation))


# Catalogue changes in the admin


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_it_records_a_product_added_in_the_admin(editor_client, editor):
    editor_client.post(
        reverse("admin:products_product_add"), new_product_data(editor_client), REMOTE_ADDR=ADDRESS
    )

    event = only_event(Action.PRODUCT_ADDED)
    assert (event.actor, event.address, event.object_repr) == (editor, ADDRESS, "Falcon Recon")
    assert event.object_id == str(Product.objects.get().pk)


def test_it_records_which_fields_of_a_product_changed(editor_client, editor):
    product = make_product("Kestrel")
    url = reverse("admin:products_product_change", args=[product.pk])
    data = rendered_form_data(editor_client.get(url))

    editor_client.post(url, {**data, "summary_en": "Now with a summary."}, REMOTE_ADDR=ADDRESS)

    event = only_event(Action.PRODUCT_CHANGED)
    assert (event.actor, event.address, event.object_id) == (editor, ADDRESS, str(product.pk))
    assert event.details == {"changes": [{"changed": {"fields": ["Summary [en]"]}}]}


def test_it_records_a_product_published_by_the_admin_action(editor_client):
    product = make_published_product("Kestrel")
    product.withdraw()

    act(editor_client, reverse("admin:products_product_changelist"), "publish_products", [product])

    assert only_event(Action.PRODUCT_CHANGED).details == {"message": "Published."}


def test_it_records_a_product_deleted_from_its_page(editor_client, editor):
    product = make_product("Short-lived")
    url = reverse("admin:products_product_delete", args=[product.pk])

    editor_client.post(url, {"post": "yes"}, REMOTE_ADDR=ADDRESS)

    assert not Product.objects.exists()
    event = only_event(Action.PRODUCT_DELETED)
    assert (event.actor, event.object_id, event.object_repr) == (editor, str(product.pk), "Short-lived")


def test_it_records_each_product_deleted_by_the_bulk_action(editor_client):
    products = [make_product("First"), make_product("Second")]

    editor_client.post(
        reverse("admin:products_product_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in products], "post": "yes"},
    )

    assert not Product.objects.exists()
    deleted = AuditEvent.objects.filter(action=Action.PRODUCT_DELETED)
    assert sorted(deleted.values_list("object_repr", flat=True)) == ["First", "Second"]


def test_it_records_a_listing_changed_by_its_coordinator(client, coordinator_a, hub_a):
    listing = make_listing(make_product("Alpha"), hub_a, quantity_available=12)
    client.force_login(coordinator_a)

    client.post(
        reverse("admin:hubs_listing_change", args=[listing.pk]),
        listing_form_data(product=listing.product, hub=hub_a, quantity_available=30),
        REMOTE_ADDR=ADDRESS,
    )

    listing.refresh_from_db()
    assert listing.quantity_available == 30
    event = only_event(Action.LISTING_CHANGED)
    assert (event.actor, event.address, event.object_id) == (coordinator_a, ADDRESS, str(listing.pk))
    assert "Surplus quantity available" in event.details["changes"][0]["changed"]["fields"]


def test_it_records_a_listing_marked_exhausted(client, coordinator_a, hub_a):
    listing = make_listing(make_product("Alpha"), hub_a)
    client.force_login(coordinator_a)

    act(client, reverse("admin:hubs_listing_changelist"), "mark_exhausted", [listing])

    assert Listing.objects.get().availability == Listing.Availability.EXHAUSTED
    assert only_event(Action.LISTING_CHANGED).details == {"message": "Marked as exhausted."}


def test_it_records_other_catalogue_entries_changed_in_the_admin(editor_client, editor):
    manufacturer = make_manufacturer("Skyworks")
    url = reverse("admin:products_manufacturer_delete", args=[manufacturer.pk])

    editor_client.post(url, {"post": "yes"}, REMOTE_ADDR=ADDRESS)

    event = only_event(Action.ENTRY_DELETED)
    assert (event.actor, event.object_repr) == (editor, "Skyworks")
    assert event.content_type.model == "manufacturer"


def test_a_form_with_errors_records_nothing(editor_client):
    make_category("Reconnaissance")
    data = new_product_data(editor_client, name="")

    response = editor_client.post(reverse("admin:products_product_add"), data)

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=Action.PRODUCT_ADDED).exists()


# Documents and exports


def test_it_records_a_document_download(client, buyer_a):
    document = make_document(make_published_product("Kestrel"), "Kestrel datasheet", audience="every_partner")
    client.force_login(buyer_a.user)

    response = client.get(reverse("document_download", args=[document.pk]), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    event = only_event(Action.DOCUMENT_DOWNLOADED)
    assert (event.actor, event.address, event.object_repr) == (buyer_a.user, ADDRESS, "Kestrel datasheet")
    assert event.details == {"product": "Kestrel", "organisation": "Organisation A"}


def test_a_refused_download_records_nothing(client, buyer_a):
    document = make_document(make_product("Draft Hawk"))
    client.force_login(buyer_a.user)

    assert client.get(reverse("document_download", args=[document.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_it_records_the_export_of_expressions_of_interest_with_its_filter(client, superuser, buyer_a, hub_a):
    make_interest(buyer_a, [make_listing(hub=hub_a)])
    make_interest(buyer_a, [make_listing(hub=hub_a)])
    client.force_login(superuser)

    response = client.get(
        reverse("admin:interests_expressionofinterest_export"),
        {"status__exact": "submitted"},
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 200
    event = only_event(Action.EXPORT)
    assert (event.actor, event.address) == (superuser, ADDRESS)
    assert event.content_type == ContentType.objects.get_for_model(ExpressionOfInterest)
    assert event.details == {"filters": "status__exact=submitted", "interests": 2}


# Every step of an expression of interest


@pytest.fixture
def listing(buyer_a, hub_a):
    product = make_published_product("Kestrel FPV")
    ShortlistItem.objects.create(user=buyer_a.user, product=product)
    return make_listing(product, hub_a, quantity_available=20, destination_countries=["DE", "PL"])


def test_it_records_the_submission_of_an_expression_of_interest(client, buyer_a, listing):
    client.force_login(buyer_a.user)

    response = client.post(
        reverse("shortlist"), shortlist_form_data({"listing": listing}), REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 302
    interest = ExpressionOfInterest.objects.get()
    event = only_event(Action.EOI_STEP)
    assert (event.actor, event.address, event.object_repr) == (buyer_a.user, ADDRESS, interest.reference)
    assert event.details == {"from_status": "", "to_status": "submitted", "lines": 1}


def test_it_records_a_withdrawal_by_the_buyer(client, buyer_a, listing):
    interest = make_interest(buyer_a, [listing])
    client.force_login(buyer_a.user)

    client.post(
        reverse("interest_withdraw", args=[interest.reference]), {"comment": "Budget"}, REMOTE_ADDR=ADDRESS
    )

    event = only_event(Action.EOI_STEP)
    assert (event.actor, event.address, event.object_id) == (buyer_a.user, ADDRESS, str(interest.pk))
    assert (event.details["from_status"], event.details["to_status"]) == ("submitted", "withdrawn")


def test_it_records_the_buyers_answer(client, buyer_a, listing, coordinator_a):
    interest = make_interest(buyer_a, [listing])
    interest.start_review(by=coordinator_a)
    interest.request_information(by=coordinator_a, reason="end_user_details", comment="Who is it for?")
    client.force_login(buyer_a.user)

    client.post(
        reverse("interest_answer", args=[interest.reference]), {"comment": "A unit."}, REMOTE_ADDR=ADDRESS
    )

    answered = AuditEvent.objects.filter(action=Action.EOI_STEP, details__to_status="answered").get()
    assert (answered.actor, answered.address) == (buyer_a.user, ADDRESS)


def test_it_records_a_step_taken_by_staff_in_the_admin(client, buyer_a, listing, coordinator_a):
    interest = make_interest(buyer_a, [listing])
    client.force_login(coordinator_a)

    client.post(
        reverse("admin:interests_expressionofinterest_transition", args=[interest.pk]),
        {"to_status": Status.UNDER_REVIEW, "internal_note": "Complete."},
        REMOTE_ADDR=ADDRESS,
    )

    event = only_event(Action.EOI_STEP)
    assert (event.actor, event.address) == (coordinator_a, ADDRESS)
    assert event.details == {"from_status": "submitted", "to_status": "under_review", "reason": ""}
    assert "Complete." not in json.dumps(event.details)


def test_a_step_taken_without_a_request_is_recorded_without_an_address(buyer_a, listing, coordinator_a):
    interest = make_interest(buyer_a, [listing])

    interest.start_review(by=coordinator_a)

    event = only_event(Action.EOI_STEP)
    assert (event.actor, event.address, event.details["to_status"]) == (coordinator_a, None, "under_review")


def test_a_refused_step_records_nothing(client, buyer_a, listing, coordinator_a):
    interest = make_interest(buyer_a, [listing])
    interest.start_review(by=coordinator_a)
    interest.accept(by=coordinator_a)
    client.force_login(buyer_a.user)
    # The review's start, the line's acceptance and the EOI's acceptance it caused.
    recorded = AuditEvent.objects.filter(action=Action.EOI_STEP).count()

    response = client.post(reverse("interest_withdraw", args=[interest.reference]), {"comment": ""})

    assert response.status_code == 409
    assert recorded == 3
    assert AuditEvent.objects.filter(action=Action.EOI_STEP).count() == recorded


# The function itself


def test_record_refuses_an_unknown_action():
    with pytest.raises(ValueError):
        audit.record(None, "made_up")
