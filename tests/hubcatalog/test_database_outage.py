"""While the database does not answer, a request gets a short "try again in a moment" page with 503 and
Retry-After, never a traceback; the next request once it answers again works. (That a real PostgreSQL restart
is survived, connections replaced by their health checks, is shown by `make soak`: Django's test client keeps
one connection for the test's transaction and does not replace it.)"""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from hubcatalog.views import RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("catalogue")


@pytest.fixture
def client_a(buyer_a):
    client = Client(raise_request_exception=False)  # as a browser meets it: through Django's error handling
    client.force_login(buyer_a.user)
    return client


def refuse_queries(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def test_a_page_asked_for_while_the_database_is_away_says_try_again_in_a_moment(client_a):
    with connection.execute_wrapper(refuse_queries):
        response = client_a.get(CATALOGUE)

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "Try again in a moment" in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_a_form_sent_while_the_database_is_away_gets_the_same_answer(client_a):
    with connection.execute_wrapper(refuse_queries):
        response = client_a.post(reverse("shortlist"), {"idempotency_key": "x"})

    assert response.status_code == 503
    assert "submitting it again is safe" in response.content.decode()


def test_the_site_answers_again_as_soon_as_the_database_does(client_a):
    with connection.execute_wrapper(refuse_queries):
        assert client_a.get(CATALOGUE).status_code == 503

    assert client_a.get(CATALOGUE).status_code == 200


def test_another_error_is_a_plain_500_page_without_a_traceback(client_a, monkeypatch):
    def broken(request):
        raise RuntimeError("a bug")

    monkeypatch.setattr("products.views.catalogue_content", broken)

    response = client_a.get(CATALOGUE)

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
