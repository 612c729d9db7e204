"""The header of every page: the identity, the menu, and how many products the buyer shortlisted and marked
for comparison (hubcatalog/context_processors.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from hubcatalog.context_processors import HeaderCounts
from interests.models import ShortlistItem
from products.compare import SESSION_KEY
from tests.factories import make_product, make_published_product, make_staff_user

pytestmark = pytest.mark.django_db


def request_of(user, session=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = session or {}
    return request


def signed_in(user):
    """The user as the authentication backend reads it on each request: with their buyer profile."""
    return get_user_model().objects.select_related("buyer__organisation").get(pk=user.pk)


def test_it_counts_the_shortlist_in_one_query_and_the_comparison_in_none(buyer_a, django_assert_num_queries):
    for name in ("Kestrel", "Osprey"):
        ShortlistItem.objects.create(user=buyer_a.user, product=make_published_product(name))
    counts = HeaderCounts(request_of(signed_in(buyer_a.user), {SESSION_KEY: [3, 5, 8]}))

    with django_assert_num_queries(1):  # the count of the shortlist
        assert counts.shortlisted == 2
        assert counts.shortlisted == 2
        assert counts.compared == 3


def test_it_counts_only_the_products_the_shortlist_page_lists(buyer_a):
    ShortlistItem.objects.create(user=buyer_a.user, product=make_published_product("Kestrel"))
    ShortlistItem.objects.create(user=buyer_a.user, product=make_product("Withdrawn draft"))

    assert HeaderCounts(request_of(signed_in(buyer_a.user))).shortlisted == 1


def test_it_asks_nothing_for_visitors_and_staff(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    staff = make_staff_user("coordinator-x")
    with django_assert_num_queries(0):
        visitor = HeaderCounts(request_of(AnonymousUser(), {SESSION_KEY: [1]}))
        assert visitor.shortlisted is None and visitor.compared == 0
        assert HeaderCounts(request_of(staff)).shortlisted is None


def test_it_shows_the_counts_in_the_header(client, buyer_a):
    ShortlistItem.objects.create(user=buyer_a.user, product=make_published_product("Kestrel"))
    client.force_login(buyer_a.user)
    session = client.session
    session[SESSION_KEY] = [1, 2]
    session.save()

    page = client.get(reverse("landing")).content.decode()

    assert 'Shortlist <span class="nav-count">(1)</span>' in page
    assert 'Compare <span class="nav-count">(2)</span>' in page


def test_it_has_a_menu_button_for_phones_and_the_logo(client):
    page = client.get(reverse("landing")).content.decode()

    assert 'aria-controls="site-nav"' in page and 'aria-expanded="false"' in page
    assert 'id="site-nav"' in page
    assert "img/logo.svg" in page and "js/site_menu.js" in page
