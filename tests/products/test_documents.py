"""Documents (/catalogue/documents/<id>/): streamed from private storage to buyers who may see the product."""

import types

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import Action, AuditEvent
from products import compare
from products.models import ProductDocument
from tests.factories import (
    make_buyer,
    make_document,
    make_hub,
    make_listing,
    make_organisation,
    make_product,
    make_published_product,
)

pytestmark = pytest.mark.django_db


def download_url(document) -> str:
    return reverse("document_download", args=[document.pk])


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def datasheet():
    """A need-to-know datasheet of a product listed for buyers in Germany (organisation A's country)."""
    product = make_published_product("Kestrel")
    make_listing(product, make_hub(country="PL"), destination_countries=["DE"])
    return make_document(product, "Kestrel datasheet", pages=2)


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


# Need to know: a document follows the listings offered to the buyer's country, unless it is for everyone.


@pytest.fixture
def central_europe_only():
    """A product whose only listing is offered to Czechia, Poland and Slovakia, with a need-to-know datasheet
    and a brochure for every partner."""
    product = make_published_product("Lynx")
    make_listing(product, make_hub(country="PL"), destination_countries=["CZ", "PL", "SK"])
    return types.SimpleNamespace(
        product=product,
        datasheet=make_document(product, "Lynx datasheet"),
        brochure=make_document(product, "Lynx brochure", audience=ProductDocument.Audience.EVERY_PARTNER),
    )


def documents_on_page(client, product) -> list[str]:
    response = client.get(reverse("product_detail", args=[product.slug]))
    assert response.status_code == 200
    return [document.title for document in response.context["documents"]]


def test_a_document_is_need_to_know_unless_said_otherwise(datasheet):
    assert datasheet.audience == ProductDocument.Audience.NEED_TO_KNOW


def test_a_buyer_in_germany_cannot_download_a_datasheet_offered_only_to_central_europe(
    client_a, central_europe_only
):
    response = client_a.get(download_url(central_europe_only.datasheet))

    assert response.status_code == 404
    assert documents_on_page(client_a, central_europe_only.product) == ["Lynx brochure"]
    page = client_a.get(reverse("product_detail", args=[central_europe_only.product.slug]))
    assert "Lynx datasheet" not in page.content.decode()


def test_a_buyer_in_poland_gets_the_datasheet(client, buyer_b, central_europe_only):
    client.force_login(buyer_b.user)

    assert client.get(download_url(central_europe_only.datasheet)).status_code == 200
    assert documents_on_page(client, central_europe_only.product) == ["Lynx brochure", "Lynx datasheet"]


def test_a_document_for_every_partner_needs_no_listing(client_a, central_europe_only):
    assert client_a.get(download_url(central_europe_only.brochure)).status_code == 200


def test_a_listing_the_buyer_may_not_see_does_not_open_the_document(client_a):
    product = make_published_product("Marten")
    make_listing(product, make_hub(is_active=False), destination_countries=["DE"])
    document = make_document(product, "Marten datasheet")

    assert client_a.get(download_url(document)).status_code == 404
    assert documents_on_page(client_a, product) == []


def test_a_document_for_every_partner_stays_hidden_with_its_unpublished_product(organisation_a):
    draft = make_product("Draft Hawk")
    make_document(draft, audience=ProductDocument.Audience.EVERY_PARTNER)

    assert list(ProductDocument.objects.visible_to(organisation_a)) == []


def test_visible_to_is_the_one_rule(organisation_a, organisation_b, central_europe_only):
    def titles(organisation):
        return sorted(document.title for document in ProductDocument.objects.visible_to(organisation))

    assert titles(organisation_a) == ["Lynx brochure"]
    assert titles(organisation_b) == ["Lynx brochure", "Lynx datasheet"]


def test_the_comparison_lists_only_the_documents_the_buyer_may_download(client_a, central_europe_only):
    session = client_a.session
    session[compare.SESSION_KEY] = [central_europe_only.product.pk]
    session.save()

    page = client_a.get(reverse("compare")).content.decode()

    assert f'href="{download_url(central_europe_only.brochure)}"' in page
    assert download_url(central_europe_only.datasheet) not in page


def test_a_refused_download_records_nothing(client_a, central_europe_only):
    client_a.get(download_url(central_europe_only.datasheet))

    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_an_allowed_download_is_recorded_once(client_a, datasheet):
    client_a.get(download_url(datasheet))

    event = AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED)
    assert event.details == {"product": "Kestrel", "organisation": "Organisation A"}
