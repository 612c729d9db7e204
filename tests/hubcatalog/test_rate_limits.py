"""Rate limits (hubcatalog/ratelimit.py) on requests for access, search suggestions and expressions of
interest, counted per user and per address in the cache that all app servers share; and the one way the
client's address is read."""

import os
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from hubcatalog import ratelimit
from hubcatalog.ratelimit import client_address, rate_limit
from interests.models import ExpressionOfInterest, ShortlistItem
from partners.models import AccessRequest
from tests.factories import make_buyer, make_listing, make_published_product
from tests.hubcatalog.test_settings import load_settings, run_python
from tests.interests.test_submission import form_data
from tests.partners.test_request_access import valid_data

pytestmark = pytest.mark.django_db

ACCESS = reverse("request_access")
SUGGEST = reverse("catalogue_suggest")
SHORTLIST = reverse("shortlist")
REDIS_URL = os.environ.get("RATE_LIMIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def limits(settings):
    """Small limits, so that a test reaches them in a few requests."""
    settings.RATE_LIMITS = {
        "access_request": {"per_address": 3, "window": 3600},
        "interest_submission": {"per_user": 1, "per_address": 2, "window": 3600},
        "search_suggestions": {"per_user": 3, "per_address": 5, "window": 60},
    }
    return settings.RATE_LIMITS


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, set to the start of an hour and moved by hand."""
    moment = {"now": 1_800_000_000.0 - 1_800_000_000.0 % 3600}
    monkeypatch.setattr(ratelimit, "now", lambda: moment["now"])
    return moment


def request_access(client, number, address="203.0.113.7", forwarded_for=None, **overrides):
    data = valid_data(work_email=f"applicant-{number}@procurement.example", **overrides)
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(ACCESS, data, REMOTE_ADDR=address, **headers)


# The client's address


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_proxy_the_address_is_the_connections_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request_from("203.0.113.7", "192.0.2.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),  # the client wrote the first entry itself
        (2, "192.0.2.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # came in past the outer proxy: its first hop saw it
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (1, "", "10.0.0.2"),
        (1, "192.0.2.1, not-an-address", "10.0.0.2"),
    ],
)
def test_behind_proxies_the_address_is_the_one_the_outermost_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_address(request_from("10.0.0.2", forwarded)) == expected


# Requests for access


def test_requests_for_access_from_one_address_are_limited_and_the_form_is_kept(client, limits, clock):
    statuses = [request_access(client, n).status_code for n in range(3)]

    refused = request_access(client, 3, organisation_name="Kept Office")

    assert statuses == [302, 302, 302]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Too many requests for access came from your address in a short while" in page
    assert "Please try again in 60 minutes." in page
    assert 'value="Kept Office"' in page
    assert 'value="applicant-3@procurement.example"' in page
    assert AccessRequest.objects.count() == 3


def test_another_address_may_still_request_access(client, limits):
    for n in range(4):
        request_access(client, n, address="203.0.113.7")

    assert request_access(client, 4, address="198.51.100.20").status_code == 302


def test_a_form_with_mistakes_does_not_use_up_the_limit(client, limits):
    for _ in range(5):
        client.post(ACCESS, valid_data(work_email="not-an-email"), REMOTE_ADDR="203.0.113.7")

    assert request_access(client, 0).status_code == 302


def test_repeats_count_like_new_requests(client, limits):
    """A flood of the same address must not get round the limit by repeating one waiting request."""
    for _ in range(3):
        request_access(client, 0)

    assert request_access(client, 0).status_code == 429


def test_the_limit_lifts_when_its_window_ends(client, limits, clock):
    for n in range(3):
        request_access(client, n)
    assert request_access(client, 3).status_code == 429

    clock["now"] += 3600

    assert request_access(client, 4).status_code == 302


def test_the_retry_after_header_counts_down_to_the_end_of_the_window(client, limits, clock):
    for n in range(3):
        request_access(client, n)
    clock["now"] += 3000

    assert request_access(client, 3)["Retry-After"] == "600"


def test_limits_can_be_turned_off(client, limits, settings):
    settings.RATE_LIMITS_ENABLED = False

    assert [request_access(client, n).status_code for n in range(5)] == [302] * 5


def test_behind_the_proxy_each_client_is_counted_by_the_address_the_proxy_saw(client, limits, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        request_access(client, n, address="10.0.0.2", forwarded_for="203.0.113.7")

    spoofed = request_access(client, 3, address="10.0.0.2", forwarded_for="192.0.2.1, 203.0.113.7")
    other = request_access(client, 4, address="10.0.0.2", forwarded_for="198.51.100.20")

    assert spoofed.status_code == 429
    assert other.status_code == 302


# Search suggestions


def test_suggestions_are_limited_per_buyer_with_an_empty_answer_the_search_box_tolerates(
    client, buyer_a, limits
):
    client.force_login(buyer_a.user)
    statuses = [client.get(SUGGEST, {"q": "kes"}).status_code for _ in range(3)]

    refused = client.get(SUGGEST, {"q": "kes"})

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json() == {"results": []}
    assert 0 < int(refused["Retry-After"]) <= 60


def test_another_buyer_at_the_same_address_keeps_their_suggestions_until_the_address_limit(
    client, buyer_a, buyer_b, limits
):
    client.force_login(buyer_a.user)
    for _ in range(4):
        client.get(SUGGEST, {"q": "kes"})
    client.force_login(buyer_b.user)

    assert [client.get(SUGGEST, {"q": "kes"}).status_code for _ in range(2)] == [200, 429]


def test_suggestions_asked_by_someone_signed_out_are_not_counted(client, buyer_a, limits):
    for _ in range(6):
        client.get(SUGGEST, {"q": "kes"})
    client.force_login(buyer_a.user)

    assert client.get(SUGGEST, {"q": "kes"}).status_code == 200


# Expressions of interest


@pytest.fixture
def listing(buyer_a, hub_a):
    product = make_published_product("Kestrel FPV")
    return make_listing(product, hub_a, quantity_available=20, destination_countries=["DE", "PL"])


def submit(client, buyer, listing, address="203.0.113.7", **overrides):
    ShortlistItem.objects.get_or_create(user=buyer.user, product=listing.product)
    client.force_login(buyer.user)
    return client.post(SHORTLIST, form_data({"listing": listing}, **overrides), REMOTE_ADDR=address)


def test_a_buyer_over_the_limit_keeps_what_they_typed_and_nothing_is_stored(
    client, buyer_a, listing, limits, clock
):
    assert submit(client, buyer_a, listing).status_code == 302
    key = uuid.uuid4()

    refused = submit(client, buyer_a, listing, end_user="2nd Signals Regiment", idempotency_key=str(key))

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Your expression of interest was not submitted: too many were sent" in page
    assert "please submit again in 60 minutes." in page
    assert 'value="2nd Signals Regiment"' in page
    assert f'value="{key}"' in page
    assert ExpressionOfInterest.objects.count() == 1
    assert ShortlistItem.objects.filter(user=buyer_a.user).exists()


def test_the_same_form_sent_again_finds_its_interest_whatever_the_limit(client, buyer_a, listing, limits):
    data = form_data({"listing": listing})
    ShortlistItem.objects.create(user=buyer_a.user, product=listing.product)
    client.force_login(buyer_a.user)
    first = client.post(SHORTLIST, data)

    again = client.post(SHORTLIST, data)

    assert (again.status_code, again.url) == (302, first.url)


def test_a_form_with_mistakes_is_answered_as_such_and_not_counted(client, buyer_a, listing, limits):
    assert submit(client, buyer_a, listing, declaration_accepted="").status_code == 400

    assert submit(client, buyer_a, listing).status_code == 302


def test_buyers_sharing_an_address_are_limited_together_too(client, organisation_a, listing, limits):
    buyers = [make_buyer(f"colleague-{n}", organisation=organisation_a) for n in range(3)]

    statuses = [submit(client, buyer, listing).status_code for buyer in buyers]

    assert statuses == [302, 302, 429]


# The decorator and the shared counters


def test_the_decorator_answers_with_a_translated_page_and_retry_after(settings, rf):
    settings.RATE_LIMITS = {"test": {"per_address": 1, "window": 60}}
    view = rate_limit("test")(lambda request: HttpResponse("done"))
    request = rf.post("/", REMOTE_ADDR="203.0.113.7")
    request.user = AnonymousUser()

    assert view(request).status_code == 200
    refused = view(request)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "This was sent too many times in a short while." in refused.content.decode()
    assert view(rf.get("/", REMOTE_ADDR="203.0.113.7")).status_code == 200  # only POSTs count


def redis_cache_settings():
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hubcatalog-rate-limit-tests",
        }
    }


def clear_test_keys():
    client = caches["default"]._cache.get_client(write=True)
    for key in client.scan_iter("hubcatalog-rate-limit-tests:*"):
        client.delete(key)


def test_several_app_servers_count_together_through_redis(client, limits, settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}: start one, or set RATE_LIMIT_TEST_REDIS_URL")
    settings.CACHES = redis_cache_settings()
    clear_test_keys()
    try:
        first_server = caches["default"]
        assert [request_access(client, n).status_code for n in range(2)] == [302, 302]

        caches.close_all()  # another app server, with its own connection
        settings.CACHES = redis_cache_settings()
        assert caches["default"] is not first_server

        assert request_access(client, 2).status_code == 302
        assert request_access(client, 3).status_code == 429
    finally:
        clear_test_keys()


def test_requests_go_through_when_the_cache_is_down(client, limits, settings):
    """A counter that cannot be read must not stop people; the failure is logged."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    assert [request_access(client, n).status_code for n in range(5)] == [302] * 5


# Settings


def test_x_forwarded_for_is_trusted_only_behind_the_proxy():
    printed = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"

    assert run_python(printed, DJANGO_DEBUG="1").stdout.strip() == "0"
    assert run_python(printed, DJANGO_DEBUG="1", HUBCATALOG_TRUSTED_PROXY_COUNT="2").stdout.strip() == "0"
    assert run_python(printed, DJANGO_DEBUG="1", DJANGO_BEHIND_TLS_PROXY="1").stdout.strip() == "1"
    behind_two = run_python(
        printed, DJANGO_DEBUG="1", DJANGO_BEHIND_TLS_PROXY="1", HUBCATALOG_TRUSTED_PROXY_COUNT="2"
    )
    assert behind_two.stdout.strip() == "2"


def test_a_login_failure_limit_of_zero_stops_start_up():
    result = load_settings(DJANGO_DEBUG="1", HUBCATALOG_LOGIN_FAILURE_LIMIT="0")

    assert result.returncode != 0
    assert (
        "HUBCATALOG_LOGIN_FAILURE_LIMIT and HUBCATALOG_LOGIN_COOLOFF_MINUTES must be 1 or more"
        in result.stderr
    )
