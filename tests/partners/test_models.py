"""Partner organisations and access requests: the rules that hold whatever writes the data."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import AccessRequest, PartnerOrganisation
from tests.factories import make_access_request, make_organisation

pytestmark = pytest.mark.django_db


def test_an_organisation_may_browse_only_while_approved():
    organisation = make_organisation(vetting_status="pending")
    assert not organisation.may_browse

    organisation.approve()
    assert organisation.may_browse

    organisation.suspend()
    organisation.refresh_from_db()
    assert not organisation.may_browse
    assert organisation.is_suspended


def test_changing_the_vetting_status_records_when(organisation_a):
    before = timezone.now()

    organisation_a.suspend()

    organisation_a.refresh_from_db()
    assert organisation_a.vetting_changed_at >= before


def test_an_unknown_vetting_status_is_refused(organisation_a):
    with pytest.raises(ValueError, match="Unknown vetting status"):
        organisation_a.set_vetting_status("on-hold")


def test_one_organisation_per_name_and_country_whatever_the_case():
    make_organisation("Federal Office for Test Procurement", country="DE")
    make_organisation("Federal Office for Test Procurement", country="AT")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_organisation("FEDERAL OFFICE FOR TEST PROCUREMENT", country="DE")


def test_named_finds_the_organisation_whatever_the_case_and_spacing():
    organisation = make_organisation("Federal Office for Test Procurement", country="DE")

    assert (
        PartnerOrganisation.objects.named("  federal office FOR test procurement ", "DE").get()
        == organisation
    )
    assert not PartnerOrganisation.objects.named("Federal Office for Test Procurement", "AT").exists()


def test_approved_and_suspended_name_the_statuses():
    approved = make_organisation(vetting_status="approved")
    suspended = make_organisation(vetting_status="suspended")
    make_organisation(vetting_status="pending")

    assert list(PartnerOrganisation.objects.approved()) == [approved]
    assert list(PartnerOrganisation.objects.suspended()) == [suspended]


def test_one_pending_request_per_email_address(superuser):
    first = make_access_request("anna@procurement.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_access_request("anna@procurement.example")

    first.reject(by=superuser)
    make_access_request("anna@procurement.example")
    assert AccessRequest.objects.filter(work_email="anna@procurement.example").count() == 2


def test_a_decided_request_has_a_decision_date():
    access_request = make_access_request()

    with pytest.raises(IntegrityError), transaction.atomic():
        AccessRequest.objects.filter(pk=access_request.pk).update(status="rejected")


def test_rejecting_keeps_the_note_already_written_unless_given_another(superuser):
    access_request = make_access_request(decision_note="Called the ministry: unknown.")

    access_request.reject(by=superuser)

    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.REJECTED
    assert access_request.decision_note == "Called the ministry: unknown."
    assert access_request.decided_by == superuser


def test_a_request_is_decided_only_once(superuser):
    access_request = make_access_request()
    access_request.reject(by=superuser)

    with pytest.raises(ValidationError, match="already been decided"):
        access_request.reject(by=superuser)
