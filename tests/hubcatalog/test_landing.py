"""The public landing page: what anyone may see before logging in."""

import pytest

from tests.factories import make_hub


@pytest.mark.django_db
def test_the_landing_page_lists_active_hubs_to_anonymous_visitors(client):
    make_hub("Berlin Export Hub")
    make_hub("Closed Hub", is_active=False)
    response = client.get("/")
    assert response.status_code == 200
    assert "Berlin Export Hub" in response.content.decode()
    assert "Closed Hub" not in response.content.decode()
