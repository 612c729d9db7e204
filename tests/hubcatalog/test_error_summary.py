"""A form that failed starts with GOV.UK's error summary: "There is a problem", each error a link to its
field, the page's title prefixed "Error: " (includes/error_summary.html, templatetags/error_summary.py)."""

import re

import pytest
from django.urls import reverse

from interests.models import ShortlistItem
from tests.factories import make_hub, make_listing, make_published_product

pytestmark = pytest.mark.django_db


def summary_links(page: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))


def title_of(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def test_it_links_each_field_in_error_from_the_summary_at_the_top(client):
    response = client.post(reverse("request_access"), {"full_name": "", "work_email": "not-an-email"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert title_of(page).startswith("Error: Request access")
    links = dict(summary_links(page))
    assert links["id_full_name"] == "Full name: This field is required."
    assert links["id_work_email"] == "Work email: Enter a valid email address."
    for anchor in links:
        assert f'id="{anchor}"' in page
    assert "data-error-summary" in page and "js/error_summary.js" in page


def test_it_shows_no_summary_and_no_error_title_on_a_fresh_form(client):
    page = client.get(reverse("request_access")).content.decode()

    assert "There is a problem" not in page
    assert "error_summary.js" not in page
    assert not title_of(page).startswith("Error")


def test_it_links_an_error_of_the_whole_form_to_its_first_field(client, buyer_a):
    response = client.post(reverse("login"), {"username": "buyer-a", "password": "wrong password"})

    page = response.content.decode()
    [(anchor, message)] = summary_links(page)
    assert anchor == "id_username"
    assert message.startswith("Please enter a correct username and password.")
    assert title_of(page).startswith("Error: Log in")


def test_it_names_the_product_of_each_shortlist_line_in_error(client, buyer_a):
    product = make_published_product("Kestrel FPV")
    make_listing(product, make_hub(), destination_countries=["DE"])
    ShortlistItem.objects.create(user=buyer_a.user, product=product)
    client.force_login(buyer_a.user)
    page = client.get(reverse("shortlist")).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)

    response = client.post(
        reverse("shortlist"),
        {
            "idempotency_key": key,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-product": str(product.pk),
            "lines-0-include": "on",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert title_of(page).startswith("Error: Shortlist")
    links = dict(summary_links(page))
    assert links["id_end_user"] == "End user: This field is required."
    assert links["id_intended_use_0"] == "Intended use: This field is required."  # the first radio button
    assert links["id_lines-0-quantity"].startswith("Kestrel FPV – Quantity: ")
    assert links["id_declaration_accepted"] == "Tick the declaration to submit your expression of interest."
