"""The public request-for-access form and its thank-you page."""

import re

import pytest
from django.contrib.auth.models import Group

from accounts.email import set_language_of
from partners import views
from partners.models import AccessRequest
from tests.factories import make_access_request, make_buyer, make_staff_user

pytestmark = pytest.mark.django_db

URL = "/access/request/"


def valid_data(**overrides):
    return {
        "full_name": "  Anna   Schmidt ",
        "work_email": "Anna.Schmidt@Procurement.example",
        "job_title": "Procurement officer",
        "organisation_name": "Federal Office  for Test Procurement",
        "organisation_kind": "procurement_agency",
        "country": "DE",
        "reason": "We are looking for counter-drone systems for base protection.",
        **overrides,
    }


def test_it_shows_the_form_to_anonymous_visitors(client):
    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    for label in ["Full name", "Work email", "Role", "Organisation", "Type of organisation", "Country"]:
        assert f">{label}</label>" in page
    assert '<select name="country"' in page
    assert '<option value="PL">Poland</option>' in page
    assert '<option value="" selected>Choose a country</option>' in page


def test_it_saves_the_request_and_sends_the_applicant_to_the_thank_you_page(client, outbox):
    vetting = make_staff_user("vetting-desk")
    vetting.groups.add(Group.objects.get(name="Partner vetting"))
    set_language_of(vetting, "en")
    make_staff_user("coordinator-elsewhere")  # not of the vetting group: not told

    response = client.post(URL, valid_data(), HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 302
    assert response["Location"] == "/access/requested/"
    access_request = AccessRequest.objects.get()
    assert access_request.status == AccessRequest.Status.PENDING
    assert access_request.full_name == "Anna Schmidt"
    assert access_request.work_email == "anna.schmidt@procurement.example"
    assert access_request.organisation_name == "Federal Office for Test Procurement"
    assert access_request.country.code == "DE"
    assert access_request.language == "de"
    assert access_request.decided_at is None
    [staff_email] = outbox()
    assert staff_email.to == [vetting.email]
    assert "Federal Office for Test Procurement" in staff_email.subject
    assert f"http://testserver/admin/partners/accessrequest/{access_request.pk}/change/" in staff_email.body


def test_each_vetting_person_is_told_in_their_own_language(client, outbox):
    for username, language in (("vetting-en", "en"), ("vetting-de", "de")):
        person = make_staff_user(username)
        person.groups.add(Group.objects.get(name="Partner vetting"))
        set_language_of(person, language)

    client.post(URL, valid_data())

    subjects = {message.to[0]: message.subject for message in outbox()}
    assert subjects["vetting-en@example.org"] == "Access request from Federal Office for Test Procurement"
    assert subjects["vetting-de@example.org"] != subjects["vetting-en@example.org"]


def test_while_no_one_is_in_the_vetting_group_the_superusers_are_told(client, superuser, outbox):
    client.post(URL, valid_data())

    assert [message.to for message in outbox()] == [[superuser.email]]


def answer_seen_by_the_applicant(response) -> tuple:
    """What a visitor can tell from the answer: its status, where it sends them, and that page's text."""
    page = response.client.get(response["Location"]).content.decode()
    # CSRF tokens (of the language menu's form) are masked afresh on every response.
    return response.status_code, response["Location"], re.sub(r'value="[^"]{64}"', "", page)


def test_a_repeat_while_a_request_waits_is_answered_as_the_first_was_and_records_nothing(client, outbox):
    first = client.post(URL, valid_data(work_email="first@procurement.example"))
    outbox()
    make_access_request("anna.schmidt@procurement.example")

    repeat = client.post(URL, valid_data(work_email="ANNA.SCHMIDT@procurement.example"))

    assert answer_seen_by_the_applicant(repeat) == answer_seen_by_the_applicant(first)
    assert AccessRequest.objects.filter(work_email="anna.schmidt@procurement.example").count() == 1
    assert outbox() == []  # staff are not told twice


def test_it_answers_the_same_when_an_account_already_has_that_address(client, organisation_a):
    first = client.post(URL, valid_data(work_email="first@procurement.example"))
    user = make_buyer("anna.schmidt@procurement.example", organisation=organisation_a).user
    user.email = "anna.schmidt@procurement.example"
    user.save()

    again = client.post(URL, valid_data())

    assert answer_seen_by_the_applicant(again) == answer_seen_by_the_applicant(first)


def test_it_accepts_a_new_request_once_the_previous_one_was_decided(client, superuser):
    make_access_request("anna.schmidt@procurement.example").reject(by=superuser)

    response = client.post(URL, valid_data())

    assert response.status_code == 302
    assert AccessRequest.objects.pending().count() == 1


def test_a_race_between_two_submissions_gives_the_same_answer_and_no_error(client, monkeypatch):
    make_access_request("anna.schmidt@procurement.example")
    # The other submission commits between this one's check and its insert: only the database notices.
    monkeypatch.setattr(views, "already_waiting", lambda work_email: False)

    response = client.post(URL, valid_data())

    assert response.status_code == 302
    assert response["Location"] == "/access/requested/"
    assert AccessRequest.objects.count() == 1


def test_it_explains_missing_and_malformed_fields(client):
    response = client.post(URL, valid_data(full_name="", work_email="not-an-email", country="XX"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a valid email address." in page
    assert "Select a valid choice. XX is not one of the available choices." in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_work_email_helptext id_work_email_error"' in page
    assert not AccessRequest.objects.exists()


def test_it_refuses_an_overlong_reason(client):
    response = client.post(URL, valid_data(reason="x" * 3001))

    assert response.status_code == 400
    assert not AccessRequest.objects.exists()


def test_it_answers_only_get_and_post(client):
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_it_sends_no_mail_when_the_site_has_no_admins(
    client, settings, django_capture_on_commit_callbacks, outbox
):
    settings.ADMINS = []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, valid_data())

    assert AccessRequest.objects.count() == 1
    assert outbox() == []


def test_the_thank_you_page_says_that_staff_will_review_the_request(client):
    response = client.get("/access/requested/")

    assert response.status_code == 200
    assert "Staff will review it" in response.content.decode()


def test_the_thank_you_page_answers_only_get(client):
    assert client.post("/access/requested/").status_code == 405
