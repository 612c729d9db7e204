"""The 403 and 404 pages: friendly, translated, in the site's layout, saying why where they can."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views.defaults import page_not_found, permission_denied

from tests.factories import make_buyer, make_organisation

pytestmark = pytest.mark.django_db


def refusal_page(user, message=""):
    request = RequestFactory().get("/catalogue/")
    request.user = user
    return permission_denied(request, PermissionDenied(message))


def test_the_403_page_shows_the_reason_in_the_sites_layout():
    buyer = make_buyer(organisation=make_organisation(vetting_status="suspended"))

    response = refusal_page(buyer.user, "Your organisation's access to the catalogue is suspended.")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot open this page" in page
    assert "Your organisation&#x27;s access to the catalogue is suspended." in page
    assert '<main id="main"' in page
    assert "Log out" in page


def test_the_403_page_has_a_general_reason_when_none_was_given(editor):
    page = refusal_page(editor).content.decode()

    assert "Your account does not have access to this page." in page
    assert 'href="/"' in page


def test_the_403_page_offers_anonymous_visitors_to_log_in_or_request_access():
    from django.contrib.auth.models import AnonymousUser

    page = refusal_page(AnonymousUser()).content.decode()

    assert 'href="/accounts/login/"' in page
    assert 'href="/access/request/"' in page


def test_the_404_page_is_friendly_and_in_the_sites_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert '<main id="main"' in page
    assert 'href="/"' in page


def test_the_404_page_renders_for_a_logged_in_buyer_too(rf, buyer_a):
    from django.http import Http404

    request = rf.get("/catalogue/no-such-product/")
    request.user = buyer_a.user

    response = page_not_found(request, Http404("No product here."))

    assert response.status_code == 404
    assert "No product here." not in response.content.decode()
