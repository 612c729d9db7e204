"""The vetting admin: access requests decided by those allowed to, organisations approved or suspended."""

import pytest
from django.contrib.auth.models import User

from partners.models import AccessRequest, PartnerOrganisation
from tests.factories import make_access_request, make_buyer, make_organisation, make_staff_user

pytestmark = pytest.mark.django_db

PARTNER_VETTING = "Partner vetting"
REQUESTS = "/admin/partners/accessrequest/"
ORGANISATIONS = "/admin/partners/partnerorganisation/"
BUYERS = "/admin/partners/buyer/"


@pytest.fixture
def vetter(db):
    return make_staff_user("vetter", group=PARTNER_VETTING)


@pytest.fixture
def anna():
    return make_access_request(
        "anna.schmidt@procurement.example", organisation_name="Federal Office for Test Procurement"
    )


def act(client, url, action, objects, **data):
    return client.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects], **data}, follow=True
    )


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Access requests


def test_it_lists_the_requests_for_a_member_of_partner_vetting(client, vetter, anna):
    client.force_login(vetter)

    response = client.get(REQUESTS)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Federal Office for Test Procurement" in page
    assert "anna.schmidt@procurement.example" in page
    assert "Approve and email the login links" in page


@pytest.mark.parametrize("actor", ["editor", "coordinator_a"])
def test_other_staff_cannot_see_the_requests(client, actor, request, anna):
    client.force_login(request.getfixturevalue(actor))

    assert client.get(REQUESTS).status_code == 403
    assert client.get(f"{REQUESTS}{anna.pk}/change/").status_code == 403


def test_it_filters_by_status_and_country(client, superuser, anna):
    make_access_request("jan@agency.example", organisation_name="Agencja Testowa", country="PL")
    client.force_login(superuser)

    page = client.get(REQUESTS, {"country": "PL", "status": "pending"}).content.decode()

    assert "Agencja Testowa" in page
    assert "Federal Office for Test Procurement" not in page


@pytest.mark.parametrize("count", [2, 12])
def test_the_request_list_makes_the_same_number_of_queries_at_any_length(
    client, superuser, count, django_assert_max_num_queries
):
    for _number in range(count):
        make_access_request()
    client.force_login(superuser)

    # 1-2. session and user; 3-4. counts of all requests and of those filtered; 5. the page of requests;
    # 6. the countries for the country filter
    with django_assert_max_num_queries(6):
        assert client.get(REQUESTS).status_code == 200


def test_the_approve_action_approves_and_emails_the_login_link(
    client, vetter, anna, django_capture_on_commit_callbacks, outbox
):
    client.force_login(vetter)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, REQUESTS, "approve_requests", [anna], decision_note="Checked by phone.")

    anna.refresh_from_db()
    assert anna.status == AccessRequest.Status.APPROVED
    assert anna.decided_by == vetter
    assert anna.decision_note == "Checked by phone."
    assert anna.buyer.user.email == "anna.schmidt@procurement.example"
    [message] = outbox()
    assert "http://testserver/accounts/reset/" in message.body
    assert any("is now a buyer of Federal Office" in text for text in page_messages(response))


def test_the_approve_action_explains_why_a_request_of_a_suspended_organisation_waits(
    client, vetter, anna, django_capture_on_commit_callbacks, outbox
):
    make_organisation("Federal Office for Test Procurement", vetting_status="suspended")
    other = make_access_request("jan@agency.example", organisation_name="Agencja Testowa", country="PL")
    client.force_login(vetter)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, REQUESTS, "approve_requests", [anna, other])

    anna.refresh_from_db()
    other.refresh_from_db()
    assert anna.is_pending
    assert other.status == AccessRequest.Status.APPROVED
    texts = page_messages(response)
    assert any("is suspended" in text and "approve the organisation itself first" in text for text in texts)
    assert "1 request was decided." in texts
    assert len(outbox()) == 1


def test_the_reject_action_rejects_and_tells_the_applicant(
    client, vetter, anna, django_capture_on_commit_callbacks, outbox
):
    client.force_login(vetter)

    with django_capture_on_commit_callbacks(execute=True):
        act(client, REQUESTS, "reject_requests", [anna], decision_note="Not a partner organisation.")

    anna.refresh_from_db()
    assert anna.status == AccessRequest.Status.REJECTED
    assert anna.decision_note == "Not a partner organisation."
    [message] = outbox()
    assert message.to == ["anna.schmidt@procurement.example"]
    assert not User.objects.filter(email="anna.schmidt@procurement.example").exists()


def test_a_decided_request_is_not_decided_again_by_an_action(client, vetter, superuser, anna):
    anna.reject(by=superuser, note="Duplicate.")
    client.force_login(vetter)

    response = act(client, REQUESTS, "approve_requests", [anna])

    anna.refresh_from_db()
    assert anna.status == AccessRequest.Status.REJECTED
    assert any("already been decided" in text for text in page_messages(response))


def test_staff_without_the_decide_permission_cannot_decide(client, anna):
    from django.contrib.auth.models import Permission

    reader = make_staff_user("reader")
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_accessrequest", "change_accessrequest"])
    )
    client.force_login(reader)

    assert "approve_requests" not in client.get(REQUESTS).content.decode()
    act(client, REQUESTS, "approve_requests", [anna])
    change_page = client.get(f"{REQUESTS}{anna.pk}/change/")
    assert "_approve" not in change_page.content.decode()
    decided = client.post(f"{REQUESTS}{anna.pk}/change/", {"_approve": "1", "decision_note": ""})
    assert decided.status_code == 403
    anna.refresh_from_db()
    assert anna.is_pending


def test_the_change_page_approves_with_the_organisation_staff_chose(
    client, vetter, anna, django_capture_on_commit_callbacks, outbox
):
    chosen = make_organisation("Bundesamt für Test-Beschaffung", country="DE")
    client.force_login(vetter)
    page = client.get(f"{REQUESTS}{anna.pk}/change/").content.decode()
    assert 'name="_approve"' in page
    assert "None yet: approving creates it, approved." in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{REQUESTS}{anna.pk}/change/",
            {"organisation": chosen.pk, "decision_note": "Same office, German name.", "_approve": "1"},
        )

    assert response.status_code == 302
    assert response["Location"] == REQUESTS
    anna.refresh_from_db()
    assert anna.status == AccessRequest.Status.APPROVED
    assert anna.organisation == chosen
    assert anna.decision_note == "Same office, German name."
    assert anna.buyer.organisation == chosen
    assert len(outbox()) == 1


def test_the_change_page_shows_the_organisation_on_file_and_its_status(client, vetter, anna):
    make_organisation("federal office for test procurement", vetting_status="suspended")
    client.force_login(vetter)

    page = client.get(f"{REQUESTS}{anna.pk}/change/").content.decode()

    assert "federal office for test procurement (DE)</a> – Suspended" in page


def test_the_change_page_keeps_the_request_pending_when_approval_is_refused(client, vetter, anna):
    make_organisation("Federal Office for Test Procurement", vetting_status="suspended")
    client.force_login(vetter)

    response = client.post(
        f"{REQUESTS}{anna.pk}/change/", {"decision_note": "", "_approve": "1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{REQUESTS}{anna.pk}/change/"
    assert any("is suspended" in text for text in page_messages(response))
    anna.refresh_from_db()
    assert anna.is_pending


def test_the_change_page_rejects(client, vetter, anna, django_capture_on_commit_callbacks, outbox):
    client.force_login(vetter)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{REQUESTS}{anna.pk}/change/", {"decision_note": "Unknown agency.", "_reject": "1"})

    anna.refresh_from_db()
    assert anna.status == AccessRequest.Status.REJECTED
    assert anna.decision_note == "Unknown agency."
    assert len(outbox()) == 1


def test_the_applicants_words_cannot_be_changed(client, vetter, anna):
    client.force_login(vetter)

    client.post(f"{REQUESTS}{anna.pk}/change/", {"work_email": "someone@else.example", "decision_note": "x"})

    anna.refresh_from_db()
    assert anna.work_email == "anna.schmidt@procurement.example"
    assert anna.decision_note == "x"


def test_a_decided_request_is_read_only(client, vetter, superuser, anna):
    anna.reject(by=superuser, note="Duplicate.")
    client.force_login(vetter)

    page = client.get(f"{REQUESTS}{anna.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert 'name="_approve"' not in page.content.decode()
    assert client.post(f"{REQUESTS}{anna.pk}/change/", {"decision_note": "Changed."}).status_code == 403
    anna.refresh_from_db()
    assert anna.decision_note == "Duplicate."


def test_requests_cannot_be_added_in_the_admin(client, superuser):
    client.force_login(superuser)

    assert client.get(f"{REQUESTS}add/").status_code == 403


def test_an_unknown_request_is_a_redirect_with_a_message_not_an_error(client, superuser):
    client.force_login(superuser)

    assert client.get(f"{REQUESTS}999999/change/").status_code == 302


# Organisations


def test_it_suspends_and_reinstates_organisations_through_their_methods(
    client, vetter, organisation_a, buyer_a
):
    client.force_login(vetter)

    act(client, ORGANISATIONS, "suspend_organisations", [organisation_a])
    organisation_a.refresh_from_db()
    assert organisation_a.is_suspended
    suspended_at = organisation_a.vetting_changed_at
    assert suspended_at is not None

    response = act(client, ORGANISATIONS, "approve_organisations", [organisation_a])
    organisation_a.refresh_from_db()
    assert organisation_a.may_browse
    assert organisation_a.vetting_changed_at > suspended_at
    assert "1 organisation is now approved." in page_messages(response)


@pytest.mark.parametrize("actor", ["editor", "coordinator_a"])
def test_other_staff_cannot_suspend_organisations(client, actor, request, organisation_a):
    client.force_login(request.getfixturevalue(actor))

    assert act(client, ORGANISATIONS, "suspend_organisations", [organisation_a]).status_code == 403
    organisation_a.refresh_from_db()
    assert organisation_a.may_browse


def test_it_filters_organisations_by_vetting_status_country_and_type(client, superuser):
    make_organisation("Suspended Ministry", country="DK", vetting_status="suspended")
    make_organisation("Approved Agency", country="PL", kind="procurement_agency")
    client.force_login(superuser)

    page = client.get(ORGANISATIONS, {"vetting_status": "suspended"}).content.decode()
    assert "Suspended Ministry" in page
    assert "Approved Agency" not in page
    page = client.get(ORGANISATIONS, {"country": "PL", "kind": "procurement_agency"}).content.decode()
    assert "Approved Agency" in page
    assert "Suspended Ministry" not in page


def test_the_organisation_page_shows_its_buyers_and_lets_staff_choose_its_hubs(
    client, vetter, organisation_a, buyer_a, hub_a
):
    client.force_login(vetter)

    page = client.get(f"{ORGANISATIONS}{organisation_a.pk}/change/").content.decode()

    assert "buyer-a@example.org" in page
    assert 'name="hubs"' in page
    response = client.post(
        f"{ORGANISATIONS}{organisation_a.pk}/change/",
        {
            "name": "Organisation A",
            "country": "DE",
            "kind": "ministry",
            "hubs": [hub_a.pk],
            "notes": "",
            "buyers-TOTAL_FORMS": "1",
            "buyers-INITIAL_FORMS": "1",
            "buyers-0-id": buyer_a.pk,
            "buyers-0-organisation": organisation_a.pk,
            "buyers-0-job_title": "Procurement officer",
            "buyers-0-phone": "",
        },
    )
    assert response.status_code == 302
    assert list(organisation_a.hubs.all()) == [hub_a]
    organisation_a.refresh_from_db()
    assert organisation_a.may_browse  # the vetting status is not a field of the form


@pytest.mark.parametrize("count", [2, 12])
def test_the_organisation_list_makes_the_same_number_of_queries_at_any_length(
    client, superuser, count, django_assert_max_num_queries
):
    for _number in range(count):
        make_buyer(organisation=make_organisation())
    client.force_login(superuser)

    # 1-2. session and user; 3-4. counts before and after filters; 5. the page of organisations with their
    # buyer counts; 6. the countries for the filter
    with django_assert_max_num_queries(6):
        assert client.get(ORGANISATIONS).status_code == 200


# Buyers


@pytest.mark.parametrize("count", [2, 12])
def test_the_buyer_list_makes_the_same_number_of_queries_at_any_length(
    client, superuser, count, django_assert_max_num_queries
):
    for _number in range(count):
        make_buyer()
    client.force_login(superuser)

    # 1-2. session and user; 3-4. counts before and after filters; 5. the page of buyers with their users and
    # organisations; 6. the countries for the filter
    with django_assert_max_num_queries(6):
        assert client.get(BUYERS).status_code == 200


def test_staff_can_email_a_buyer_a_new_login_link(client, vetter, buyer_a, outbox):
    client.force_login(vetter)

    response = act(client, BUYERS, "send_login_links", [buyer_a])

    [message] = outbox()
    assert message.to == ["buyer-a@example.org"]
    assert message.subject == "Your login link for Hub Catalogue"
    assert "http://testserver/accounts/reset/" in message.body
    assert "1 login link was emailed." in page_messages(response)


def test_the_vetting_group_may_not_manage_users_or_the_catalogue(vetter):
    assert vetter.has_perm("partners.decide_accessrequest")
    assert vetter.has_perm("partners.vet_partnerorganisation")
    assert not vetter.has_perm("auth.change_user")
    assert not vetter.has_perm("products.change_product")
    assert not vetter.has_perm("hubs.change_listing")
    assert PartnerOrganisation.objects.count() == 0
