"""A session is born at login with a new key and ends when it idles, grows old or its organisation is
suspended; the person is then sent to log in again, told why.

Time is moved by rewinding the times the session keeps (the `rewind` fixture), never by waiting.
"""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.sessions import LAST_SEEN_AT, LOGGED_IN_AT, now

ENDED = "Your session has ended; please log in again."
SUSPENDED = "Your organisation&#x27;s access to the catalogue is suspended, so you have been logged out."


@pytest.fixture
def rewind(client):
    """rewind(logged_in=seconds, last_seen=seconds): move the signed-in session's clocks into the past."""

    def move(*, logged_in=0, last_seen=0):
        session = client.session
        session[LOGGED_IN_AT] -= logged_in
        session[LAST_SEEN_AT] -= last_seen
        session.save()

    return move


@pytest.fixture
def signed_in_buyer(client, buyer_a):
    client.force_login(buyer_a.user)
    return buyer_a


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def assert_sent_to_log_in_again(client, response, path, message=ENDED):
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert message in page.content.decode()


# New key at login


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_logging_in_gives_the_session_a_new_key(client, coordinator_a, login_path):
    client.get(login_path)
    anonymous_session = client.session
    anonymous_session["chosen_before_logging_in"] = True
    anonymous_session.save()
    before = session_key(client)

    response = client.post(login_path, {"username": "coordinator-a", "password": "pw"})

    assert response.status_code == 302
    assert session_key(client) != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session[SESSION_KEY] == str(coordinator_a.pk)


def test_logging_in_stamps_the_session_with_its_start(client, buyer_a):
    client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"})
    session = client.session
    assert abs(session[LOGGED_IN_AT] - now()) <= 2
    assert session[LAST_SEEN_AT] == session[LOGGED_IN_AT]


def test_the_session_cookie_ends_with_the_browser(client, buyer_a):
    client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


# Idle and absolute limits


def test_a_session_idle_for_longer_than_the_limit_ends(client, signed_in_buyer, rewind):
    rewind(last_seen=61 * 60)
    assert_sent_to_log_in_again(client, client.get("/catalogue/"), "/catalogue/")


def test_a_session_idle_for_less_than_the_limit_goes_on(client, signed_in_buyer, rewind):
    rewind(last_seen=59 * 60)
    assert client.get("/catalogue/").status_code == 200
    assert abs(client.session[LAST_SEEN_AT] - now()) <= 2


def test_the_idle_limit_is_a_setting(client, signed_in_buyer, rewind, settings):
    settings.SESSION_IDLE_MINUTES = 5
    rewind(last_seen=6 * 60)
    assert_sent_to_log_in_again(client, client.get("/catalogue/"), "/catalogue/")


def test_a_busy_session_still_ends_at_the_absolute_limit(client, signed_in_buyer, rewind):
    rewind(logged_in=12 * 3600 + 60)
    assert_sent_to_log_in_again(client, client.get("/catalogue/"), "/catalogue/")


def test_a_session_younger_than_the_absolute_limit_goes_on(client, signed_in_buyer, rewind):
    rewind(logged_in=11 * 3600)
    assert client.get("/catalogue/").status_code == 200


def test_the_absolute_limit_is_a_setting(client, signed_in_buyer, rewind, settings):
    settings.SESSION_MAX_HOURS = 2
    rewind(logged_in=2 * 3600 + 60)
    assert_sent_to_log_in_again(client, client.get("/catalogue/"), "/catalogue/")


def test_an_ended_session_is_deleted_not_just_forgotten(client, signed_in_buyer, rewind):
    rewind(last_seen=61 * 60)
    old_key = session_key(client)
    client.get("/catalogue/")
    assert not Session.objects.filter(session_key=old_key).exists()


def test_a_session_from_before_the_limits_existed_ends(client, signed_in_buyer):
    session = client.session
    del session[LOGGED_IN_AT], session[LAST_SEEN_AT]
    session.save()
    assert_sent_to_log_in_again(client, client.get("/catalogue/"), "/catalogue/")


def test_it_writes_the_last_seen_time_at_most_once_a_minute(client, signed_in_buyer, rewind):
    """A session write is a database write: not one per page."""
    rewind(last_seen=30)
    seen = client.session[LAST_SEEN_AT]
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert client.session[LAST_SEEN_AT] == seen
    assert not [query for query in queries if "UPDATE" in query["sql"] and "django_session" in query["sql"]]

    rewind(last_seen=60)
    client.get("/healthz")
    assert client.session[LAST_SEEN_AT] > seen


def test_the_checks_cost_no_query_of_their_own(client, signed_in_buyer, django_assert_num_queries):
    with django_assert_num_queries(3):
        # 1. the session, 2. the user with their buyer profile and organisation (partners.backends),
        # 3. the health check's SELECT 1
        client.get("/healthz")


def test_an_ended_admin_session_is_sent_to_the_admin_login(client, superuser, rewind, settings):
    settings.STAFF_TWO_FACTOR = False
    client.force_login(superuser)
    rewind(last_seen=61 * 60)
    response = client.get("/admin/interests/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/interests/"
    assert ENDED in client.get(response["Location"]).content.decode()


def test_a_buyer_on_an_admin_page_is_sent_to_the_sites_login(client, signed_in_buyer, rewind):
    rewind(last_seen=61 * 60)
    assert_sent_to_log_in_again(client, client.get("/admin/"), "/admin/")


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_a_login_page_opened_after_the_session_ended_is_shown_with_the_reason(
    client, signed_in_buyer, rewind, login_path
):
    rewind(last_seen=61 * 60)
    response = client.get(login_path)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert ENDED in response.content.decode()


def test_the_login_page_after_the_session_ended_logs_in_afresh(client, signed_in_buyer, rewind):
    rewind(last_seen=61 * 60)
    old_key = session_key(client)
    response = client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signed-in/"  # and on to the catalogue
    assert session_key(client) != old_key
    assert client.get("/catalogue/").status_code == 200


# Suspended organisations


def test_a_suspended_organisations_buyer_is_logged_out_on_their_next_request(client, signed_in_buyer):
    assert client.get("/catalogue/").status_code == 200
    old_key = session_key(client)

    signed_in_buyer.organisation.suspend()

    response = client.get("/catalogue/")
    assert_sent_to_log_in_again(client, response, "/catalogue/", SUSPENDED)
    assert not Session.objects.filter(session_key=old_key).exists()


def test_a_suspended_organisations_buyer_is_logged_out_from_every_page(client, signed_in_buyer):
    signed_in_buyer.organisation.suspend()
    response = client.get("/")
    assert_sent_to_log_in_again(client, response, "/", SUSPENDED)


def test_a_buyer_of_another_organisation_stays_signed_in(client, signed_in_buyer, organisation_b):
    organisation_b.suspend()
    assert client.get("/catalogue/").status_code == 200
    assert SESSION_KEY in client.session


def test_staff_without_an_organisation_are_not_affected(client, coordinator_a, organisation_a):
    client.force_login(coordinator_a)
    organisation_a.suspend()
    assert client.get("/").status_code == 200
    assert SESSION_KEY in client.session
