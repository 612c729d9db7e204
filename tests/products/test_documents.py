"""Documents (/catalogue/documents/<id>/): streamed from private storage to buyers who may see the product."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_buyer, make_document, make_organisation, make_product, make_published_product

pytestmark = pytest.mark.django_db


def download_url(document) -> str:
    return reverse("document_download", args=[document.pk])


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def datasheet():
    return make_document(make_published_product("Kestrel"), "Kestrel datasheet", pages=2)


def test_it_streams_the_pdf_to_a_buyer(client_a, datasheet):
    response = client_a.get(download_url(datasheet))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kestrel-datasheet.pdf"'
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    with datasheet.file.open("rb") as stored:
        assert body == stored.read()
    assert body.startswith(b"%PDF")


def test_the_file_is_not_in_the_public_media_folder(client_a, datasheet):
    stored_at = datasheet.file.path

    assert not stored_at.startswith(str(settings.MEDIA_ROOT))
    # A guessed media URL gives nothing.
    assert client_a.get(f"{settings.MEDIA_URL}{datasheet.file.name}").status_code == 404
    page = client_a.get(reverse("product_detail", args=[datasheet.product.slug])).content.decode()
    assert datasheet.file.name not in page


def test_a_document_of_a_draft_or_withdrawn_product_is_not_found(client_a):
    draft = make_document(make_product("Draft Hawk"))
    withdrawn_product = make_published_product("Old Owl")
    withdrawn = make_document(withdrawn_product)
    withdrawn_product.withdraw()

    assert client_a.get(download_url(draft)).status_code == 404
    assert client_a.get(download_url(withdrawn)).status_code == 404
    assert client_a.get(reverse("document_download", args=[987654])).status_code == 404


def test_a_document_whose_file_is_gone_is_not_found(client_a, datasheet):
    datasheet.file.storage.delete(datasheet.file.name)

    assert client_a.get(download_url(datasheet)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, datasheet):
    response = client.get(download_url(datasheet))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# A suspended organisation's buyer is logged out and sent to log in (accounts.sessions).
@pytest.mark.parametrize(("status", "outcome"), [("pending", 403), ("suspended", 302)])
def test_a_buyer_of_an_organisation_not_approved_cannot_download(client, datasheet, status, outcome):
    client.force_login(make_buyer(organisation=make_organisation(vetting_status=status)).user)

    assert client.get(download_url(datasheet)).status_code == outcome


def test_an_editor_without_a_buyer_profile_cannot_download_here(client, datasheet, editor):
    client.force_login(editor)

    assert client.get(download_url(datasheet)).status_code == 403


def test_it_answers_only_get(client_a, datasheet):
    assert client_a.post(download_url(datasheet)).status_code == 405


def test_downloading_changes_nothing(client_a, datasheet):
    before = (datasheet.title, datasheet.size_bytes, datasheet.page_count)

    client_a.get(download_url(datasheet))

    datasheet.refresh_from_db()
    assert (datasheet.title, datasheet.size_bytes, datasheet.page_count) == before
