"""Staff preview the catalogue as a chosen country's buyers see it (products/preview.py,
partners.access.approved_buyer_required): read-only, marked by a banner, never writing in a buyer's name."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from interests.models import ExpressionOfInterest, ShortlistItem
from partners.access import PREVIEW_COUNTRY
from partners.models import PartnerOrganisation
from products.compare import SESSION_KEY as COMPARED
from tests.factories import make_document, make_hub, make_listing, make_published_product

pytestmark = pytest.mark.django_db

PREVIEW = reverse("catalogue_preview")
END = reverse("catalogue_preview_end")
CATALOGUE = reverse("catalogue")
BANNER = "Preview: the catalogue as a buyer in Poland sees it — nothing can be requested"


@pytest.fixture
def lynx():
    """A product whose only listing is offered to Czechia, Poland and Slovakia, with a need-to-know
    datasheet, and a listing at another hub offered to Germany only."""
    product = make_published_product("Lynx")
    make_listing(product, make_hub("Warsaw hub", country="PL"), destination_countries=["CZ", "PL", "SK"])
    make_listing(product, make_hub("Berlin hub", country="DE"), destination_countries=["DE"])
    return product


@pytest.fixture
def staff_client(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def previewing(client, country):
    response = client.post(PREVIEW, {"country": country})
    assert response.status_code == 302
    return client


def product_url(product) -> str:
    return reverse("product_detail", args=[product.slug])


# Starting and ending.


def test_staff_start_a_preview_and_land_in_the_catalogue(staff_client):
    response = staff_client.post(PREVIEW, {"country": "PL"})

    assert response.status_code == 302
    assert response["Location"] == CATALOGUE
    assert staff_client.session[PREVIEW_COUNTRY] == "PL"
    page = staff_client.get(CATALOGUE)
    assert page.status_code == 200
    assert BANNER in page.content.decode()


def test_the_country_in_the_address_is_chosen_in_the_form(staff_client):
    page = staff_client.get(f"{PREVIEW}?country=pl").content.decode()

    assert '<option value="PL" selected>' in page


def test_it_refuses_a_country_that_does_not_exist_with_a_message(staff_client):
    response = staff_client.post(PREVIEW, {"country": "XX"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert PREVIEW_COUNTRY not in staff_client.session


def test_it_asks_for_a_country(staff_client):
    response = staff_client.post(PREVIEW, {"country": ""})

    assert response.status_code == 400
    assert "Choose the country whose buyers" in response.content.decode()


def test_a_buyer_cannot_preview(client, buyer_a):
    client.force_login(buyer_a.user)

    assert client.get(PREVIEW).status_code == 403
    assert client.post(PREVIEW, {"country": "PL"}).status_code == 403
    assert PREVIEW_COUNTRY not in client.session


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(PREVIEW)["Location"].startswith(reverse("login"))


def test_ending_the_preview_goes_back_to_the_admin(staff_client):
    previewing(staff_client, "PL")

    response = staff_client.post(END)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert PREVIEW_COUNTRY not in staff_client.session
    assert staff_client.get(CATALOGUE).status_code == 403


def test_ending_answers_only_post(staff_client):
    assert staff_client.get(END).status_code == 405


def test_the_admin_links_to_the_preview(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()

    assert f'<a href="{PREVIEW}">Preview the catalogue as a buyer</a>' in page


# What the preview shows: the chosen country's view.


def test_the_product_page_shows_the_listings_and_documents_of_the_previewed_country(staff_client, lynx):
    datasheet = make_document(lynx, "Lynx datasheet")
    previewing(staff_client, "PL")

    response = staff_client.get(product_url(lynx))

    assert response.status_code == 200
    page = response.content.decode()
    assert BANNER in page
    assert "Warsaw hub" in page and "Berlin hub" not in page
    assert reverse("document_download", args=[datasheet.pk]) in page
    assert staff_client.get(reverse("document_download", args=[datasheet.pk])).status_code == 200


def test_a_preview_as_another_country_follows_that_country(staff_client, lynx):
    datasheet = make_document(lynx, "Lynx datasheet")
    previewing(staff_client, "FR")

    page = staff_client.get(product_url(lynx)).content.decode()

    assert "Warsaw hub" not in page and "Berlin hub" not in page
    assert staff_client.get(reverse("document_download", args=[datasheet.pk])).status_code == 404


def test_hubs_and_the_comparison_render_for_the_previewed_country(staff_client, lynx):
    previewing(staff_client, "PL")
    session = staff_client.session
    session[COMPARED] = [lynx.pk]
    session.save()

    hubs = staff_client.get(reverse("hub_list"))
    compare = staff_client.get(reverse("compare"))

    assert hubs.status_code == 200 and BANNER in hubs.content.decode()
    assert compare.status_code == 200
    assert [column.product for column in compare.context["comparison"].columns] == [lynx]
    # No control that would change the comparison.
    assert reverse("compare_toggle") not in compare.content.decode()


def test_the_catalogue_offers_no_buyer_controls_during_a_preview(staff_client, lynx):
    previewing(staff_client, "PL")

    page = staff_client.get(CATALOGUE).content.decode()

    assert "Lynx" in page
    assert reverse("shortlist_add") not in page
    assert reverse("compare_toggle") not in page


# Nothing can be requested or written in a buyer's name.


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("shortlist_add", {"product": "lynx"}),
        ("shortlist_remove", {"product": "lynx"}),
        ("compare_toggle", {"product": "lynx"}),
        ("shortlist", {"delivery_country": "PL"}),
    ],
)
def test_requests_are_refused_with_a_message_during_a_preview(staff_client, lynx, url_name, data):
    previewing(staff_client, "PL")
    data = {key: lynx.pk if value == "lynx" else value for key, value in data.items()}

    response = staff_client.post(reverse(url_name), data)

    assert response.status_code == 403
    assert "This is a preview of the catalogue" in response.content.decode()
    assert BANNER in response.content.decode()
    assert not ShortlistItem.objects.exists()
    assert not ExpressionOfInterest.objects.exists()
    assert COMPARED not in staff_client.session


@pytest.mark.parametrize("url_name", ["shortlist", "interest_list"])
def test_a_buyers_own_pages_are_refused_during_a_preview(staff_client, url_name):
    previewing(staff_client, "PL")

    response = staff_client.get(reverse(url_name))

    assert response.status_code == 403
    assert "This is a preview of the catalogue" in response.content.decode()


def test_browsing_in_a_preview_saves_no_organisation(staff_client, lynx):
    before = PartnerOrganisation.objects.count()
    previewing(staff_client, "PL")

    for url in (CATALOGUE, product_url(lynx), reverse("hub_list"), reverse("compare")):
        assert staff_client.get(url).status_code == 200

    assert PartnerOrganisation.objects.count() == before


def test_a_download_in_a_preview_is_recorded_as_the_staff_members(staff_client, coordinator_a, lynx):
    document = make_document(lynx, "Lynx datasheet")
    previewing(staff_client, "PL")

    staff_client.get(reverse("document_download", args=[document.pk]))

    event = AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED)
    assert event.actor == coordinator_a
    assert event.details["organisation"] == "Preview: a buyer in Poland"


# Only staff: a preview country in anyone else's session means nothing.


def test_a_buyer_with_a_preview_country_in_the_session_still_sees_their_own_country(client, buyer_a, lynx):
    client.force_login(buyer_a.user)
    session = client.session
    session[PREVIEW_COUNTRY] = "PL"
    session.save()

    page = client.get(product_url(lynx)).content.decode()

    assert "Berlin hub" in page and "Warsaw hub" not in page
    assert "Preview:" not in page


def test_the_preview_ends_with_the_staff_status(staff_client, coordinator_a):
    previewing(staff_client, "PL")
    coordinator_a.is_staff = False
    coordinator_a.save(update_fields=["is_staff"])

    assert staff_client.get(CATALOGUE).status_code == 403


def test_a_previewed_product_page_runs_a_fixed_number_of_queries(
    staff_client, lynx, django_assert_max_num_queries
):
    make_document(lynx, "Lynx datasheet")
    previewing(staff_client, "PL")

    # session, user, the product, listings, specification values, attributes, images, documents, related
    # products and their images (no buyer to read)
    with django_assert_max_num_queries(11):
        assert staff_client.get(product_url(lynx)).status_code == 200
