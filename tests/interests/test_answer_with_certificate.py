"""Answering a request for information with the end-user certificate: its status brought up to date and the
PDF attached, checked as product documents are, stored privately with the answer or not at all, and opened
only by the buyer's organisation and the coordinators of the EOI's hubs."""

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Action, AuditEvent
from interests import answers
from interests.models import EndUserCertificate, ExpressionOfInterest, Reason, Status
from tests.factories import (
    make_buyer,
    make_certificate,
    make_interest,
    make_listing,
    make_published_product,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

Certificate = ExpressionOfInterest.CertificateStatus


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def interest(buyer_a, hub_a, coordinator_a):
    listing = make_listing(make_published_product("Kestrel FPV"), hub_a, destination_countries=["DE"])
    interest = make_interest(buyer_a, [listing], end_user_certificate=Certificate.IN_PREPARATION)
    interest.start_review(by=coordinator_a)
    interest.request_information(by=coordinator_a, reason=Reason.CERTIFICATE, comment="Please send the EUC")
    return interest


def answer_url(interest):
    return reverse("interest_answer", args=[interest.reference])


def stored_files() -> list[str]:
    storage = storages["documents"]
    if not storage.exists("interests/certificates"):
        return []
    return storage.listdir("interests/certificates")[1]


def test_it_answers_with_the_new_status_and_the_certificate(client_a, buyer_a, interest):
    response = client_a.post(
        answer_url(interest),
        {
            "comment": "Signed by the ministry, attached.",
            "end_user_certificate": Certificate.AVAILABLE,
            "certificate_file": pdf_upload("EUC signed.pdf"),
        },
    )

    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.status == Status.ANSWERED
    assert interest.end_user_certificate == Certificate.AVAILABLE
    certificate = EndUserCertificate.objects.get()
    answer = interest.history.last()
    assert (certificate.interest, certificate.answer, certificate.uploaded_by) == (
        interest,
        answer,
        buyer_a.user,
    )
    assert certificate.original_filename == "EUC signed.pdf"
    assert certificate.file.name.startswith("interests/certificates/")
    assert stored_files() == [certificate.file.name.rsplit("/", 1)[1]]


def test_it_updates_the_status_alone_without_a_file(client_a, interest):
    response = client_a.post(
        answer_url(interest), {"comment": "Expected next week.", "end_user_certificate": Certificate.NOT_YET}
    )

    assert response.status_code == 302
    interest.refresh_from_db()
    assert (interest.status, interest.end_user_certificate) == (Status.ANSWERED, Certificate.NOT_YET)
    assert not EndUserCertificate.objects.exists()


def test_the_form_offers_the_current_status_and_a_file_field(client_a, interest):
    response = client_a.get(reverse("interest_detail", args=[interest.reference]))

    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert 'type="file" name="certificate_file"' in content
    assert response.context["answer_form"]["end_user_certificate"].value() == Certificate.IN_PREPARATION


def test_a_pdf_with_javascript_is_refused_and_nothing_is_written(client_a, interest):
    response = client_a.post(
        answer_url(interest),
        {
            "comment": "Attached.",
            "end_user_certificate": Certificate.AVAILABLE,
            "certificate_file": pdf_upload(script="app.alert('hello');"),
        },
    )

    assert response.status_code == 400
    assert "The PDF contains JavaScript" in response.content.decode()
    interest.refresh_from_db()
    assert (interest.status, interest.end_user_certificate) == (
        Status.INFORMATION_REQUESTED,
        Certificate.IN_PREPARATION,
    )
    assert not EndUserCertificate.objects.exists()
    assert stored_files() == []


def test_a_file_that_is_no_pdf_is_refused(client_a, interest):
    upload = SimpleUploadedFile("scan.pdf", b"GIF89a not a pdf", content_type="application/pdf")

    response = client_a.post(
        answer_url(interest),
        {"comment": "Attached.", "end_user_certificate": Certificate.AVAILABLE, "certificate_file": upload},
    )

    assert response.status_code == 400
    assert "The file is not a PDF document." in response.content.decode()
    assert not EndUserCertificate.objects.exists()


def test_a_pdf_above_the_size_limit_is_refused(client_a, interest, settings):
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 100

    response = client_a.post(
        answer_url(interest),
        {
            "comment": "Attached.",
            "end_user_certificate": Certificate.AVAILABLE,
            "certificate_file": pdf_upload(),
        },
    )

    assert response.status_code == 400
    assert "the largest accepted is" in response.content.decode()
    assert not EndUserCertificate.objects.exists()


def test_an_attached_certificate_must_be_marked_available(client_a, interest):
    response = client_a.post(
        answer_url(interest),
        {
            "comment": "Attached.",
            "end_user_certificate": Certificate.NOT_YET,
            "certificate_file": pdf_upload(),
        },
    )

    assert response.status_code == 400
    assert "set its status to “Available”" in response.content.decode()
    interest.refresh_from_db()
    assert interest.status == Status.INFORMATION_REQUESTED


def test_an_unknown_status_is_refused(client_a, interest):
    response = client_a.post(answer_url(interest), {"comment": "x", "end_user_certificate": "forged"})

    assert response.status_code == 400
    interest.refresh_from_db()
    assert interest.end_user_certificate == Certificate.IN_PREPARATION


def test_a_failure_after_the_answer_step_stores_nothing(client_a, interest, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the outbox is gone")

    monkeypatch.setattr(answers, "notify_answered", fail)
    client = client_a
    client.raise_request_exception = False

    response = client.post(
        answer_url(interest),
        {
            "comment": "Attached.",
            "end_user_certificate": Certificate.AVAILABLE,
            "certificate_file": pdf_upload(),
        },
    )

    assert response.status_code == 500
    interest.refresh_from_db()
    assert (interest.status, interest.end_user_certificate) == (
        Status.INFORMATION_REQUESTED,
        Certificate.IN_PREPARATION,
    )
    assert not EndUserCertificate.objects.exists()
    assert stored_files() == []


def test_without_an_open_request_nothing_is_stored(client_a, buyer_a, hub_a):
    listing = make_listing(make_published_product(), hub_a, destination_countries=["DE"])
    submitted = make_interest(buyer_a, [listing])

    response = client_a.post(
        answer_url(submitted),
        {"comment": "x", "end_user_certificate": Certificate.AVAILABLE, "certificate_file": pdf_upload()},
    )

    assert response.status_code == 409
    assert not EndUserCertificate.objects.exists()
    assert stored_files() == []


# Who opens it


def certificate_of(interest):
    return make_certificate(interest, filename="EUC 2026-14.pdf")


def buyer_url(certificate):
    return reverse("interest_certificate", args=[certificate.interest.reference, certificate.pk])


def staff_url(certificate):
    return reverse("staff_certificate", args=[certificate.pk])


def test_the_timeline_links_the_certificate_for_the_buyer(client_a, interest):
    certificate = certificate_of(interest)

    content = client_a.get(reverse("interest_detail", args=[interest.reference])).content.decode()

    assert buyer_url(certificate) in content
    assert "EUC 2026-14.pdf" in content
    assert settings.MEDIA_URL + "interests" not in content


def test_the_buyers_organisation_downloads_it(client, buyer_a, interest):
    certificate = certificate_of(interest)
    colleague = make_buyer(organisation=buyer_a.organisation)
    client.force_login(colleague.user)

    response = client.get(buyer_url(certificate))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "EUC 2026-14.pdf" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_buyer_of_another_organisation_gets_404(client, buyer_b, interest):
    certificate = certificate_of(interest)
    client.force_login(buyer_b.user)

    assert client.get(buyer_url(certificate)).status_code == 404


def test_the_reference_must_be_the_certificates_own(client_a, buyer_a, interest, hub_a):
    certificate = certificate_of(interest)
    other = make_interest(
        buyer_a, [make_listing(make_published_product(), hub_a, destination_countries=["DE"])]
    )

    response = client_a.get(reverse("interest_certificate", args=[other.reference, certificate.pk]))

    assert response.status_code == 404


def test_the_coordinator_of_the_hub_downloads_it_and_it_is_recorded(client, coordinator_a, interest):
    certificate = certificate_of(interest)
    client.force_login(coordinator_a)

    response = client.get(staff_url(certificate))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    event = AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED)
    assert (event.actor, event.object_id) == (coordinator_a, str(certificate.pk))


def test_the_coordinator_of_another_hub_gets_404(client, coordinator_b, hub_b, interest):
    certificate = certificate_of(interest)
    client.force_login(coordinator_b)

    assert client.get(staff_url(certificate)).status_code == 404


def test_a_coordinator_of_one_of_several_hubs_concerned_downloads_it(
    client, buyer_a, hub_a, hub_b, coordinator_b
):
    product = make_published_product()
    lines = [make_listing(product, hub, destination_countries=["DE"]) for hub in (hub_a, hub_b)]
    certificate = certificate_of(make_interest(buyer_a, lines))
    client.force_login(coordinator_b)

    assert client.get(staff_url(certificate)).status_code == 200


def test_a_superuser_downloads_it(client, superuser, interest):
    certificate = certificate_of(interest)
    client.force_login(superuser)

    assert client.get(staff_url(certificate)).status_code == 200


def test_a_catalogue_editor_gets_404(client, editor, interest):
    certificate = certificate_of(interest)
    client.force_login(editor)

    assert client.get(staff_url(certificate)).status_code == 404


def test_buyers_cannot_use_the_staff_address(client, buyer_a, interest):
    certificate = certificate_of(interest)
    client.force_login(buyer_a.user)

    response = client.get(staff_url(certificate))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_admin_links_the_certificate_through_the_checked_view(client, coordinator_a, interest):
    certificate = certificate_of(interest)
    client.force_login(coordinator_a)

    response = client.get(reverse("admin:interests_expressionofinterest_change", args=[interest.pk]))

    assert response.status_code == 200
    assert staff_url(certificate) in response.content.decode()


def test_a_missing_file_is_404_not_500(client, coordinator_a, interest):
    certificate = certificate_of(interest)
    certificate.file.storage.delete(certificate.file.name)
    client.force_login(coordinator_a)

    assert client.get(staff_url(certificate)).status_code == 404


def test_the_downloads_accept_only_get(client, client_a, coordinator_a, interest):
    certificate = certificate_of(interest)

    assert client_a.post(buyer_url(certificate)).status_code == 405
    client.force_login(coordinator_a)
    assert client.post(staff_url(certificate)).status_code == 405
