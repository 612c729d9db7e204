"""Caching the catalogue (products/caching.py) only where it stays correct: what changes is seen at once, a
buyer never sees what was cached for another country, and several app servers share one cache.

Here the cache is on (the other tests turn it off), and writes are committed as a coordinator's are: the
version that files cached pages grows once the writing transaction commits.
"""

import datetime
import io
import os
import re

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hubs.models import Listing
from products.caching import catalogue_version
from tests.factories import make_buyer, make_hub, make_listing, make_organisation, make_published_product

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("catalogue")
HUBS = reverse("hub_list")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def caching_on(settings):
    settings.CATALOGUE_CACHE_SECONDS = 600


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as committed: its on-commit callbacks (the version's bump) run when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def client_pl(db):
    from django.test import Client

    buyer = make_buyer("buyer-pl", organisation=make_organisation("Agency PL", country="PL"))
    polish = Client()
    polish.force_login(buyer.user)
    return polish


@pytest.fixture
def kestrel(committed, hub_a):
    with committed():
        product = make_published_product("Kestrel K-2")
        make_listing(product, hub_a, destination_countries=["DE"], lead_time_weeks=6)
    return product


def without_csrf_tokens(response) -> str:
    """The page as the buyer reads it: CSRF tokens are masked afresh on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_a_repeated_catalogue_page_is_answered_from_the_cache(client_a, kestrel, django_assert_num_queries):
    first = client_a.get(CATALOGUE)

    # session, user with buyer and organisation, the catalogue's version, the shortlist counted for the
    # header: nothing else
    with django_assert_num_queries(4):
        again = client_a.get(CATALOGUE)

    assert without_csrf_tokens(again) == without_csrf_tokens(first)
    assert "Kestrel K-2" in again.content.decode()


def test_a_repeated_product_page_is_answered_from_the_cache(client_a, kestrel, django_assert_num_queries):
    url = reverse("product_detail", args=[kestrel.slug])
    client_a.get(url)

    # session, user with buyer and organisation, the catalogue's version, the header's shortlist count
    with django_assert_num_queries(4):
        response = client_a.get(url)

    assert "Lead time" in response.content.decode()


def test_a_coordinators_change_to_a_listing_is_seen_at_once(client_a, kestrel, committed):
    assert "lead time from 6 weeks" in client_a.get(CATALOGUE).content.decode()

    listing = Listing.objects.get(product=kestrel)
    listing.lead_time_weeks = 2
    with committed():
        listing.save()

    assert "lead time from 2 weeks" in client_a.get(CATALOGUE).content.decode()


def test_a_change_to_a_product_is_seen_at_once(client_a, kestrel, committed):
    url = reverse("product_detail", args=[kestrel.slug])
    client_a.get(url)
    client_a.get(CATALOGUE)

    kestrel.summary = "Now with a longer reach."
    with committed():
        kestrel.save()

    assert "Now with a longer reach." in client_a.get(url).content.decode()
    assert "Now with a longer reach." in client_a.get(CATALOGUE).content.decode()


def test_a_hub_closing_is_seen_at_once(client_a, kestrel, hub_a, committed):
    assert hub_a.name in client_a.get(HUBS).content.decode()

    hub_a.is_active = False
    with committed():
        hub_a.save()

    assert hub_a.name not in client_a.get(HUBS).content.decode()
    assert "Not listed for your country at present" in client_a.get(CATALOGUE).content.decode()


def test_withdrawing_a_product_removes_it_at_once(client_a, kestrel, committed):
    url = reverse("product_detail", args=[kestrel.slug])
    assert client_a.get(url).status_code == 200

    with committed():
        kestrel.withdraw()

    assert client_a.get(url).status_code == 404
    assert "Kestrel K-2" not in client_a.get(CATALOGUE).content.decode()


def test_a_buyer_never_sees_what_was_cached_for_another_country(client_a, client_pl, kestrel):
    url = reverse("product_detail", args=[kestrel.slug])
    german_catalogue = client_a.get(CATALOGUE).content.decode()
    german_page = client_a.get(url).content.decode()
    german_hubs = client_a.get(HUBS).content.decode()
    assert "Listed at 1 hub for you" in german_catalogue and "6 weeks" in german_page

    # The listing is offered to Germany only: the Polish buyer's pages say nothing of it.
    assert "Listed at 1 hub for you" not in client_pl.get(CATALOGUE).content.decode()
    polish_page = client_pl.get(url).content.decode()
    assert "6 weeks" not in polish_page
    assert client_pl.get(HUBS).content.decode() != german_hubs


def test_a_listing_that_expires_at_midnight_stops_counting_without_a_write(
    client_a, kestrel, committed, monkeypatch
):
    today = timezone.localdate()
    listing = Listing.objects.get(product=kestrel)
    listing.valid_until = today
    with committed():
        listing.save()
    assert "Available now <span" in client_a.get(CATALOGUE, {"available": "yes"}).content.decode()

    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    page = client_a.get(CATALOGUE, {"available": "yes"}).content.decode()
    assert "0 products" in page


def test_fixtures_bump_nothing_row_by_row_and_the_rebuild_bumps_once(client_a, kestrel, committed):
    before = catalogue_version()
    Listing.objects.filter(product=kestrel).update(lead_time_weeks=3)  # as a bulk write would
    assert catalogue_version() == before

    with committed():
        call_command("rebuild_catalogue_index", stdout=io.StringIO())

    assert catalogue_version() == before + 1
    assert "lead time from 3 weeks" in client_a.get(CATALOGUE).content.decode()


def test_several_app_servers_share_the_cache_through_redis(
    settings, client_a, kestrel, django_assert_num_queries
):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    caches["default"].clear()

    client_a.get(CATALOGUE)  # one app server fills the cache
    caches.close_all()  # another connects afresh, as another server would
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

    # session, user with buyer and organisation, the catalogue's version, the header's shortlist count: the
    # page came from Redis
    with django_assert_num_queries(4):
        response = client_a.get(CATALOGUE)
    assert "Kestrel K-2" in response.content.decode()
    caches["default"].clear()


def test_hub_pages_and_the_hubs_list_are_cached_per_country(
    client_a, kestrel, hub_a, django_assert_num_queries
):
    url = reverse("hub_detail", args=[hub_a.slug])
    client_a.get(url)
    client_a.get(HUBS)

    # session, user with buyer and organisation, the catalogue's version, the header's shortlist count
    with django_assert_num_queries(4):
        assert "Kestrel K-2" in client_a.get(url).content.decode()
    with django_assert_num_queries(4):
        client_a.get(HUBS)


def test_the_version_grows_when_a_change_commits_not_before(committed, hub_a):
    before = catalogue_version()
    make_hub()  # written, not yet committed: a page read now would see the old data
    assert catalogue_version() == before

    with committed():
        make_listing(make_published_product(), hub_a)
    assert catalogue_version() > before


def test_a_cards_content_is_shared_by_every_page_that_shows_it(client_a, kestrel):
    client_a.get(CATALOGUE)  # renders and files Kestrel's card
    # Written without save(), so nothing bumps the version: what a page shows of the card now comes from
    # the cache (rebuild_catalogue_index would bump it after such a write).
    type(kestrel).objects.filter(pk=kestrel.pk).update(summary="Changed behind the cache's back.")

    other_page = client_a.get(CATALOGUE, {"combat_proven": "", "sort": "newest"}).content.decode()

    assert "Kestrel K-2" in other_page
    assert "Changed behind the cache's back." not in other_page
