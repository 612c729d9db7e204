"""Deciding access requests: approval makes the organisation, the account and the buyer in one go and writes
to the outbox, in the same transaction, the email with a link to choose a password; rejection tells the
applicant politely."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.email import language_of
from partners.models import AccessRequest, Buyer, PartnerOrganisation
from partners.onboarding import approve_access_request, reject_access_request
from tests.factories import make_access_request, make_buyer, make_organisation

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def request_of_anna():
    return make_access_request(
        "anna.schmidt@procurement.example",
        full_name="Anna Maria Schmidt",
        job_title="Head of procurement",
        organisation_name="Federal Office for Test Procurement",
        organisation_kind="procurement_agency",
        country="DE",
    )


def approve(access_request, by, capture, **kwargs):
    with capture(execute=True):
        return approve_access_request(access_request, by=by, **kwargs)


def emailed_link(message) -> str:
    return re.search(r"https://catalogue\.example\.org(/accounts/reset/\S+)", message.body).group(1)


def test_it_creates_an_approved_organisation_an_account_and_a_buyer(
    request_of_anna, superuser, django_capture_on_commit_callbacks
):
    before = timezone.now()

    buyer = approve(request_of_anna, superuser, django_capture_on_commit_callbacks)

    organisation = buyer.organisation
    assert (organisation.name, organisation.country.code, organisation.kind) == (
        "Federal Office for Test Procurement",
        "DE",
        "procurement_agency",
    )
    assert organisation.vetting_status == PartnerOrganisation.VettingStatus.APPROVED
    assert organisation.vetting_changed_at >= before
    user = buyer.user
    assert user.username == user.email == "anna.schmidt@procurement.example"
    assert (user.first_name, user.last_name) == ("Anna Maria", "Schmidt")
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert buyer.job_title == "Head of procurement"
    request_of_anna.refresh_from_db()
    assert request_of_anna.status == AccessRequest.Status.APPROVED
    assert request_of_anna.decided_by == superuser
    assert request_of_anna.decided_at >= before
    assert (request_of_anna.organisation, request_of_anna.buyer) == (organisation, buyer)


def test_it_emails_a_link_to_choose_a_password_in_the_language_of_the_request(
    request_of_anna, superuser, outbox
):
    approve_access_request(request_of_anna, by=superuser)

    [message] = outbox()
    assert message.to == ["anna.schmidt@procurement.example"]
    assert message.subject == "Your access to Hub Catalogue has been approved"
    assert "Dear Anna Maria Schmidt," in message.body
    assert "browse the catalogue for Federal Office for Test Procurement" in message.body
    assert "Your username: anna.schmidt@procurement.example" in message.body
    assert f"{SITE}/accounts/login/" in message.body
    assert "within 3 days" in message.body
    assert emailed_link(message).startswith("/accounts/reset/")


def test_the_approved_buyer_reads_their_emails_in_the_language_of_their_request(superuser, outbox):
    in_polish = make_access_request("jan.kowalski@agencja.example", language="pl", country="PL")

    buyer = approve_access_request(in_polish, by=superuser)

    assert language_of(buyer.user) == "pl"
    [message] = outbox()
    assert message.subject != "Your access to Hub Catalogue has been approved"


def test_nothing_is_emailed_when_the_transaction_is_rolled_back(
    request_of_anna, superuser, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        approve_access_request(request_of_anna, by=superuser)
        raise RuntimeError("something later in the same transaction failed")

    assert outbox() == []
    assert not User.objects.filter(email="anna.schmidt@procurement.example").exists()
    request_of_anna.refresh_from_db()
    assert request_of_anna.is_pending


def test_the_emailed_link_lets_the_buyer_choose_a_password_that_passes_the_validators(
    client, request_of_anna, superuser, django_capture_on_commit_callbacks, outbox
):
    approve(request_of_anna, superuser, django_capture_on_commit_callbacks)
    link = emailed_link(outbox()[0])

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_password_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in weak.content.decode()
    done = client.post(
        set_password_url, {"new_password1": "Kestrel-over-Oder-7", "new_password2": "Kestrel-over-Oder-7"}
    )

    assert done["Location"] == "/accounts/reset/done/"
    user = User.objects.get(email="anna.schmidt@procurement.example")
    assert user.check_password("Kestrel-over-Oder-7")
    logged_in = client.post(
        "/accounts/login/",
        {"username": "anna.schmidt@procurement.example", "password": "Kestrel-over-Oder-7"},
    )
    assert logged_in.status_code == 302
    assert client.get("/catalogue/").status_code == 200
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]  # the link works once


def test_it_reuses_the_organisation_of_the_same_name_and_country_whatever_the_case(
    request_of_anna, superuser, django_capture_on_commit_callbacks
):
    existing = make_organisation("FEDERAL OFFICE for test procurement", country="DE")
    make_organisation("Federal Office for Test Procurement", country="AT")

    buyer = approve(request_of_anna, superuser, django_capture_on_commit_callbacks)

    assert buyer.organisation == existing
    assert PartnerOrganisation.objects.count() == 2


def test_it_uses_the_organisation_staff_chose(request_of_anna, superuser, django_capture_on_commit_callbacks):
    chosen = make_organisation("Bundesamt für Test-Beschaffung", country="DE")

    buyer = approve(request_of_anna, superuser, django_capture_on_commit_callbacks, organisation=chosen)

    assert buyer.organisation == chosen
    assert PartnerOrganisation.objects.count() == 1


def test_approving_the_first_request_of_a_pending_organisation_approves_it(
    request_of_anna, superuser, django_capture_on_commit_callbacks
):
    pending = make_organisation("Federal Office for Test Procurement", vetting_status="pending")

    approve(request_of_anna, superuser, django_capture_on_commit_callbacks)

    pending.refresh_from_db()
    assert pending.may_browse
    assert pending.vetting_changed_at is not None


@pytest.mark.parametrize("chosen_by_staff", [False, True])
def test_it_never_re_approves_a_suspended_organisation_on_its_own(
    chosen_by_staff, request_of_anna, superuser, django_capture_on_commit_callbacks, outbox
):
    suspended = make_organisation("Federal Office for Test Procurement", vetting_status="suspended")

    with pytest.raises(ValidationError, match="is suspended") as raised:
        approve(
            request_of_anna,
            superuser,
            django_capture_on_commit_callbacks,
            organisation=suspended if chosen_by_staff else None,
        )

    assert raised.value.code == "organisation_suspended"
    suspended.refresh_from_db()
    assert suspended.is_suspended
    request_of_anna.refresh_from_db()
    assert request_of_anna.is_pending
    assert not User.objects.filter(email="anna.schmidt@procurement.example").exists()
    assert outbox() == []


def test_once_staff_reinstate_the_suspended_organisation_the_request_can_be_approved(
    request_of_anna, superuser, django_capture_on_commit_callbacks
):
    organisation = make_organisation("Federal Office for Test Procurement", vetting_status="suspended")
    organisation.approve()

    buyer = approve(request_of_anna, superuser, django_capture_on_commit_callbacks)

    assert buyer.organisation == organisation


def test_it_re_activates_an_inactive_account_with_that_email(
    request_of_anna, superuser, django_capture_on_commit_callbacks, outbox
):
    former = make_buyer("a.schmidt", organisation=make_organisation("Old Employer", country="DE"))
    former.user.email = "Anna.Schmidt@procurement.example"
    former.user.is_active = False
    former.user.save()

    buyer = approve(request_of_anna, superuser, django_capture_on_commit_callbacks)

    assert buyer.pk == former.pk
    assert buyer.user.username == "a.schmidt"
    assert buyer.user.is_active
    assert not buyer.user.has_usable_password()  # the old password no longer opens the account
    assert buyer.organisation.name == "Federal Office for Test Procurement"
    assert User.objects.count() == 2
    assert len(outbox()) == 1


def test_it_refuses_when_an_active_account_already_uses_the_email(
    request_of_anna, superuser, django_capture_on_commit_callbacks
):
    User.objects.create_user("anna", email="anna.schmidt@procurement.example", password="pw")

    with pytest.raises(ValidationError, match="can log in already"):
        approve(request_of_anna, superuser, django_capture_on_commit_callbacks)

    assert not Buyer.objects.exists()
    assert not PartnerOrganisation.objects.exists()  # the organisation made first was rolled back too


def test_it_refuses_to_turn_an_inactive_staff_account_into_a_buyer(
    request_of_anna, superuser, django_capture_on_commit_callbacks
):
    User.objects.create_user(
        "clerk", email="anna.schmidt@procurement.example", is_staff=True, is_active=False
    )

    with pytest.raises(ValidationError, match="staff account"):
        approve(request_of_anna, superuser, django_capture_on_commit_callbacks)


def test_it_numbers_the_username_when_the_address_is_taken_as_a_username(
    request_of_anna, superuser, django_capture_on_commit_callbacks
):
    User.objects.create_user("anna.schmidt@procurement.example", email="someone.else@example.org")

    buyer = approve(request_of_anna, superuser, django_capture_on_commit_callbacks)

    assert buyer.user.username == "anna.schmidt@procurement.example-2"


def test_it_refuses_a_request_that_was_already_decided(request_of_anna, superuser):
    request_of_anna.reject(by=superuser)

    with pytest.raises(ValidationError, match="already been decided"):
        approve_access_request(request_of_anna, by=superuser)


def test_it_links_to_the_address_the_admin_is_served_at(
    rf, request_of_anna, superuser, settings, django_capture_on_commit_callbacks, outbox
):
    settings.SITE_URL = ""  # development: links name the address the admin is served at
    settings.ALLOWED_HOSTS = ["hub.example.net"]

    approve(
        request_of_anna,
        superuser,
        django_capture_on_commit_callbacks,
        request=rf.get("/admin/", HTTP_HOST="hub.example.net", secure=True),
    )

    assert "https://hub.example.net/accounts/reset/" in outbox()[0].body


def test_the_site_url_comes_before_the_address_a_request_came_by(
    rf, request_of_anna, superuser, settings, outbox
):
    settings.ALLOWED_HOSTS = ["internal.example.net"]

    approve_access_request(
        request_of_anna, by=superuser, request=rf.get("/", HTTP_HOST="internal.example.net")
    )

    assert f"{SITE}/accounts/reset/" in outbox()[0].body


def test_rejection_tells_the_applicant_politely_and_keeps_the_note_for_staff(
    request_of_anna, superuser, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        reject_access_request(request_of_anna, by=superuser, note="Not a partner state's organisation.")

    request_of_anna.refresh_from_db()
    assert request_of_anna.status == AccessRequest.Status.REJECTED
    assert request_of_anna.decided_by == superuser
    assert request_of_anna.decision_note == "Not a partner state's organisation."
    [message] = outbox()
    assert message.to == ["anna.schmidt@procurement.example"]
    assert message.subject == "Your request for access to Hub Catalogue"
    assert "Dear Anna Maria Schmidt," in message.body
    assert "unable to approve it" in message.body
    assert "Not a partner state" not in message.body
    assert not User.objects.filter(email="anna.schmidt@procurement.example").exists()


def test_a_rejected_request_cannot_be_rejected_again(request_of_anna, superuser):
    reject_access_request(request_of_anna, by=superuser)

    with pytest.raises(ValidationError, match="already been decided"):
        reject_access_request(request_of_anna, by=superuser)
