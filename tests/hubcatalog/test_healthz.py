"""/healthz tells a load balancer whether this process can reach its database."""

import pytest

from tests.hubcatalog.test_settings import run_python


@pytest.mark.django_db
def test_it_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not():
    # A real process whose database URL points at a port where nothing listens.
    result = run_python(
        """
        import django
        django.setup()
        from django.test import Client
        response = Client().get("/healthz")
        print(response.status_code, response.content.decode())
        """,
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/unreachable",
    )
    assert result.stdout.startswith('503 {"status": "unavailable", "database": "down"}'), result.stderr


@pytest.mark.django_db
def test_it_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
