"""Control characters in an address or a form are refused with a short 400 page before any query runs (on
PostgreSQL a NUL byte in a query is a DataError, so a 500); tab, newline and uploaded files' bytes pass."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubcatalog.hostile_input import has_control_characters
from hubcatalog.views import server_error
from partners.models import AccessRequest

pytestmark = pytest.mark.django_db

REQUEST_ACCESS = reverse("request_access")


@pytest.fixture
def superuser_client(client, superuser, settings):
    settings.STAFF_TWO_FACTOR = False  # the admin pages themselves, not the second factor, are tried here
    client.force_login(superuser)
    return client


def access_request_data(**overrides):
    return {
        "full_name": "Anna Schmidt",
        "work_email": "anna.schmidt@procurement.example",
        "job_title": "Procurement officer",
        "organisation_name": "Federal Office for Test Procurement",
        "organisation_kind": "procurement_agency",
        "country": "DE",
        "reason": "Counter-drone systems for base protection.",
        **overrides,
    }


def assert_refused(response):
    assert response.status_code == 400
    page = response.content.decode()
    assert "The request could not be accepted" in page
    assert "Traceback" not in page


@pytest.mark.parametrize(
    "text, refused",
    [
        ("\x00", True),
        ("drone\x1b[31m", True),
        ("\x7f is DEL, not a C0 control", False),
        ("line one\r\nline two\tand a tab", False),
        ("Київ, 🚀", False),
        ("\ud800", True),
    ],
)
def test_it_tells_control_characters_from_text(text, refused):
    assert has_control_characters(text) is refused


@pytest.mark.parametrize(
    "url",
    [
        "/admin/interests/expressionofinterest/?status=%00",
        "/admin/interests/expressionofinterest/?q=%00",
        "/admin/interests/expressionofinterest/?delivery_country=D%00E",
        "/admin/autocomplete/?term=%00&app_label=hubs&model_name=listing&field_name=product",
        "/admin/hubs/listing/?hub__id__exact=%01",
    ],
)
def test_it_refuses_a_nul_in_admin_filters_and_autocomplete_before_any_query(superuser_client, url):
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get(url)

    assert_refused(response)
    assert len(queries) == 0


def test_the_admin_filters_still_work_with_ordinary_values(superuser_client):
    response = superuser_client.get("/admin/interests/expressionofinterest/", {"status__exact": "submitted"})

    assert response.status_code == 200


def test_it_refuses_a_nul_in_the_catalogues_query_string(client, buyer_a):
    client.force_login(buyer_a.user)

    assert_refused(client.get(reverse("catalogue"), {"q": "drone\x00"}))
    assert_refused(client.get(reverse("catalogue"), {"sort\x00": "name"}))
    assert client.get(reverse("catalogue"), {"q": "drone"}).status_code == 200


def test_it_refuses_a_nul_in_the_path(client):
    assert_refused(client.get("/catalogue/kestrel%00fpv/"))


def test_it_refuses_a_form_post_with_a_control_character_and_stores_nothing(client):
    response = client.post(REQUEST_ACCESS, access_request_data(organisation_name="Office\x00 of Tests"))

    assert_refused(response)
    assert not AccessRequest.objects.exists()


def test_it_lets_an_uploaded_files_binary_content_through(client):
    """Every PNG holds NUL bytes: only the form's ordinary fields are read for control characters."""
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="image/png")

    response = client.post(REQUEST_ACCESS, {**access_request_data(), "attachment": upload})

    assert response.status_code == 302
    assert AccessRequest.objects.count() == 1


def test_it_lets_tabs_and_newlines_through(client):
    response = client.post(
        REQUEST_ACCESS, access_request_data(reason="First line.\r\nSecond line,\tindented.")
    )

    assert response.status_code == 302
    assert AccessRequest.objects.get().reason == "First line.\r\nSecond line,\tindented."


def test_the_refusal_is_in_the_language_the_browser_asks_for(client):
    response = client.get("/catalogue/?q=%00", HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 400
    assert '<html lang="uk">' in response.content.decode()


def test_a_username_too_long_to_store_is_an_ordinary_failed_login(client, db):
    """django-axes records the username tried in 255 characters; PostgreSQL refused a longer one (a 500)."""
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "u" * 5000, "password": "wrong"})

    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "u" * 150


def test_the_500_page_renders_without_a_session_or_a_user(rf):
    """handler500 may run for an error in a middleware, before the session and the user were read."""
    response = server_error(rf.get("/catalogue/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert 'href="/"' in page
