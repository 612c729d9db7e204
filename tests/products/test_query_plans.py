"""What PostgreSQL's planner does with the catalogue's queries on data shaped like a real hub network: the
search and the destination filter are answered through their indexes, never by reading every product or
listing. (SQLite has no such planner statistics to check; its own index is FTS5, tested in test_search.)

The data is made by generate_catalogue, which ANALYZEs what it wrote, as after a real load.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from partners.models import PartnerOrganisation
from products.facets import CatalogueFacets
from products.filters import ProductFilter
from products.models import Product
from products.search import search_products
from tests.factories import make_organisation

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans"),
    pytest.mark.django_db,
]

PRODUCTS = 10_000


@pytest.fixture
def german_ministry():
    """A buyer's organisation in Germany, beside a catalogue of 10,000 products with about 20,000 listings."""
    call_command("generate_catalogue", products=PRODUCTS, quiet=True, stdout=io.StringIO())
    return PartnerOrganisation.objects.filter(country="DE").first() or make_organisation(country="DE")


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return explain(sql, params)


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def sequential_scans(plan: str) -> set[str]:
    return set(re.findall(r"Seq Scan on (\w+)", plan))


def a_rare_name_word() -> str:
    """A word of one product family's names: found in a few dozen products of the thousands."""
    name = Product.objects.published().order_by("pk").values_list("name", flat=True).first()
    return re.findall(r"[^\W\d_]{4,}", name)[0]


def test_search_and_destination_filter_and_counts_read_indexes_not_every_row(german_ministry):
    # Checked together: the catalogue they look at takes a while to make.
    word = a_rare_name_word()
    found = search_products(Product.objects.visible_to(german_ministry), word).order_by("-rank", "name")[:12]
    plan = plan_of(found)
    assert "product_search_vector_gin" in plan
    assert "products_product" not in sequential_scans(plan)
    assert len(found) > 0

    available_soon = filtered(german_ministry, "available=yes&lead_time_max=8")
    plan = plan_of(available_soon.qs[:12])
    assert "listing_destination_country" in plan
    assert not sequential_scans(plan) & {"hubs_listing", "hubs_listingdestination"}

    category = Product.objects.published().values_list("category__slug", flat=True).first()
    facets = CatalogueFacets(filtered(german_ministry, f"category={category}&available=yes"))
    statements = []

    def keep(execute, sql, params, many, context):
        if sql.startswith("WITH facet_"):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        assert facets.total > 0
    plan = explain(*statements[0])
    assert "product_status_category" in plan
    assert not sequential_scans(plan) & {"products_product", "hubs_listing", "hubs_listingdestination"}


def filtered(organisation, query: str) -> ProductFilter:
    queryset = Product.objects.visible_to(organisation).for_catalogue()
    return ProductFilter(QueryDict(query), queryset=queryset, organisation=organisation)
