"""Search over the catalogue (products/search.py): what is found, in which order, what stays current when
names change, and what input is never a problem. Runs on both databases: PostgreSQL's stored, weighted
vector, and SQLite's FTS5 table; typos are corrected against the catalogue's vocabulary on both."""

import importlib
import io

import pytest
from django.core.management import call_command
from django.db import connection

from products.models import Product, SearchTerm
from products.search import SUGGEST_MAX_LIMIT, search_products, suggest_products
from tests.factories import make_category, make_manufacturer, make_product, make_published_product

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL stores search data")
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite fallback")


def search(query: str, queryset=None) -> list[str]:
    """The names found, best first."""
    found = search_products(Product.objects.all() if queryset is None else queryset, query)
    return [product.name for product in found.order_by("-rank", "name")]


def suggest(query: str, queryset=None, **kwargs) -> list[str]:
    return [item["name"] for item in suggest_products(queryset or Product.objects.all(), query, **kwargs)]


def rebuild(*args) -> str:
    out = io.StringIO()
    call_command("rebuild_catalogue_index", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def kestrel():
    return make_product(
        "Kestrel K-2",
        manufacturer=make_manufacturer("Stepovyk Aero"),
        category=make_category("Jamming", parent=make_category("Electronic warfare")),
        summary="A vehicle-mounted jammer that shields a convoy.",
        description="It detects drones approaching from any side and jams their control links.",
    )


@pytest.fixture
def falcon():
    return make_product(
        "Falcon Scout",
        manufacturer=make_manufacturer("Zirka Optics"),
        category=make_category("Reconnaissance"),
        summary="A quadcopter for looking over the next hedge.",
        description="A day camera and a thermal camera.",
    )


# --- What is found ----------------------------------------------------------------------------------------
def test_it_finds_a_product_by_a_word_of_its_name(kestrel, falcon):
    assert search("kestrel") == ["Kestrel K-2"]
    assert search("FALCON") == ["Falcon Scout"]


def test_it_finds_a_product_by_a_model_code(kestrel, falcon):
    assert search("K-2") == ["Kestrel K-2"]


def test_it_finds_products_by_their_manufacturers_name(kestrel, falcon):
    assert search("Stepovyk") == ["Kestrel K-2"]
    assert search("zirka optics") == ["Falcon Scout"]


def test_it_finds_products_by_their_category_and_the_categories_above_it(kestrel, falcon):
    assert search("jamming") == ["Kestrel K-2"]
    assert search("electronic warfare") == ["Kestrel K-2"]
    assert search("reconnaissance") == ["Falcon Scout"]


def test_it_finds_words_of_the_summary_and_of_the_description(kestrel, falcon):
    assert search("convoy") == ["Kestrel K-2"]
    assert search("thermal") == ["Falcon Scout"]


def test_every_word_must_match_somewhere(kestrel, falcon):
    make_product("Kestrel Scout", summary="A reconnaissance drone.")

    assert search("kestrel convoy") == ["Kestrel K-2"]
    assert search("kestrel scout") == ["Kestrel Scout"]
    assert search("kestrel hedge") == []


def test_a_word_no_product_has_finds_nothing(kestrel, falcon):
    assert search("submarine") == []


def test_it_finds_the_singular_from_the_plural(kestrel, falcon):
    # Words of the descriptions, where no typo tolerance applies.
    assert search("sides") == ["Kestrel K-2"]
    assert search("cameras") == ["Falcon Scout"]


@postgresql_only
def test_it_stems_english_words_on_postgresql(kestrel, falcon):
    assert search("detecting") == ["Kestrel K-2"]
    assert search("jamming links") == ["Kestrel K-2"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("kestral", "Kestrel K-2"),  # a wrong letter
        ("kestrl", "Kestrel K-2"),  # a missing letter
        ("kesttrel", "Kestrel K-2"),  # an extra letter
        ("stepovik", "Kestrel K-2"),  # in the manufacturer's name
        ("jamer", "Kestrel K-2"),  # in the summary
        ("falcom scout", "Falcon Scout"),
    ],
)
def test_a_typo_still_finds_the_product(kestrel, falcon, typed, meant):
    assert search(typed) == [meant]


def test_a_typo_match_is_a_whole_word_not_a_piece_of_one(kestrel, falcon):
    # "jamer" is one letter from "camer(a)", and "kestra" sits inside "orchestra"
    make_product("Orchestra Relay", summary="An orchestra of relays, each with a camera.")

    assert search("jamer") == ["Kestrel K-2"]
    assert search("kestral") == ["Kestrel K-2"]


@sqlite_only
def test_the_sqlite_fallback_forgives_two_swapped_letters(kestrel, falcon):
    assert search("kesrtel") == ["Kestrel K-2"]


def test_stop_words_neither_find_nor_hinder(kestrel, falcon):
    assert search("the") == []
    assert search("the kestrel with a jammer") == ["Kestrel K-2"]


def test_a_blank_query_matches_everything_with_rank_zero(kestrel, falcon):
    found = search_products(Product.objects.all(), "   ")
    assert sorted(product.name for product in found) == ["Falcon Scout", "Kestrel K-2"]
    assert {product.rank for product in found} == {0.0}


@pytest.mark.parametrize(
    "query",
    [
        '"kestrel',
        "kestrel & | ! :*",
        "kestrel:*",
        "-kestrel",
        "kestrel OR",
        "!(kestrel)",
        "\x00kestrel\x1f",
        "🚀 kestrel 🛰️",
        "kestrel\\",
        "kestrel " * 300,
    ],
)
def test_odd_input_never_raises_and_the_words_are_still_searched(kestrel, falcon, query):
    assert search(query) == ["Kestrel K-2"]


def test_sql_in_a_query_is_only_more_words_to_find(kestrel, falcon):
    assert search("kestrel'); DROP TABLE products_product; --") == []
    assert search("kestrel'; --") == ["Kestrel K-2"]
    assert Product.objects.count() == 2


@pytest.mark.parametrize("query", ["&|!", "%", "_", "%%_", "\\", "'", '"', ":*", "🚀", "\x00", "-" * 500])
def test_input_without_words_finds_nothing_rather_than_everything(kestrel, falcon, query):
    assert search(query) == []


# --- Ranking ----------------------------------------------------------------------------------------------
def test_it_ranks_name_above_manufacturer_and_category_above_summary_above_description():
    # Names in the opposite alphabetical order, so that equal ranks would show.
    make_product("Alpha", description="Shares its frequencies with the Vortex family.")
    make_product("Bravo", summary="Works alongside the vortex radar.")
    make_product("Charlie", manufacturer=make_manufacturer("Vortex Dynamics"))
    make_product("Zulu Vortex")

    assert search("vortex") == ["Zulu Vortex", "Charlie", "Bravo", "Alpha"]


def test_a_category_match_ranks_above_a_description_match():
    make_product("Alpha", description="Not a vortex system.")
    make_product("Bravo", category=make_category("Vortex systems"))

    assert search("vortex") == ["Bravo", "Alpha"]


def test_a_name_starting_with_the_query_ranks_first():
    make_product("Alpha Kestrel")
    make_product("Kestrel Bravo")

    assert search("kestrel")[0] == "Kestrel Bravo"


def test_a_word_the_catalogue_has_is_looked_for_as_typed(kestrel):
    make_product("Kestral Pro")

    assert search("kestrel") == ["Kestrel K-2"]
    assert search("kestral") == ["Kestral Pro"]


def test_a_typo_finds_every_close_word_the_catalogue_has(kestrel):
    make_product("Kestral Pro")

    assert sorted(search("kestrl")) == ["Kestral Pro", "Kestrel K-2"]


def test_the_rank_is_a_float(kestrel):
    assert isinstance(search_products(Product.objects.all(), "kestrel").get().rank, float)


# --- Whose products -----------------------------------------------------------------------------------------
def test_drafts_are_not_found_when_searching_published_products():
    make_published_product("Kestrel Live")
    make_product("Kestrel Draft")

    assert search("kestrel", Product.objects.published()) == ["Kestrel Live"]
    assert search("kestrel") == ["Kestrel Draft", "Kestrel Live"]


def test_it_searches_only_within_the_given_queryset(kestrel, falcon):
    make_product("Kestrel Twin", category=falcon.category)

    assert search("kestrel", Product.objects.filter(category=falcon.category)) == ["Kestrel Twin"]


# --- Keeping the search data current ----------------------------------------------------------------------
def test_renaming_a_manufacturer_updates_its_products_search(kestrel, falcon):
    manufacturer = kestrel.manufacturer
    manufacturer.name = "Obrii Systems"
    manufacturer.save()

    assert search("obrii") == ["Kestrel K-2"]
    assert search("stepovyk") == []


@pytest.mark.parametrize("products", [1, 6])
def test_renaming_a_manufacturer_updates_all_its_products_in_one_query(django_assert_num_queries, products):
    manufacturer = make_manufacturer("Stepovyk Aero")
    for number in range(products):
        make_product(f"Drone {number}", manufacturer=manufacturer)

    manufacturer.name = "Obrii Systems"
    # UPDATE the manufacturer; its products' index: on PostgreSQL one UPDATE of their vectors, on SQLite a
    # DELETE and an INSERT of their full-text rows; then SELECT their text and INSERT the new words into the
    # vocabulary. As many statements for one product as for six.
    with django_assert_num_queries(4 if ON_POSTGRESQL else 5):
        manufacturer.save()

    assert len(search("obrii")) == products


def test_renaming_a_category_updates_the_search_of_products_in_it_and_below(kestrel, falcon):
    warfare = kestrel.category.parent
    warfare.name = "Spectrum dominance"
    warfare.save()
    jamming = kestrel.category
    jamming.name = "Denial"
    jamming.save()

    assert search("spectrum dominance") == ["Kestrel K-2"]
    assert search("denial") == ["Kestrel K-2"]
    assert search("warfare") == []


def test_moving_a_category_updates_the_search_of_its_products(kestrel, falcon):
    reconnaissance = falcon.category
    reconnaissance.parent = make_category("Unmanned aerial systems")
    reconnaissance.save()

    assert search("unmanned aerial") == ["Falcon Scout"]


def test_changing_a_products_manufacturer_or_text_updates_its_search(kestrel, falcon):
    kestrel.manufacturer = falcon.manufacturer
    kestrel.description = "Now with a spoofer."
    kestrel.save()

    assert search("zirka") == ["Falcon Scout", "Kestrel K-2"]
    assert search("spoofer") == ["Kestrel K-2"]
    assert search("stepovyk") == []


def test_saving_a_searched_field_refreshes_its_index_in_the_same_transaction(
    kestrel, django_assert_num_queries
):
    kestrel.name = "Kestrel K-3"
    # UPDATE the product; then, in the same transaction, its index (PostgreSQL: UPDATE its vector; SQLite:
    # DELETE and INSERT its full-text row) and its words (SELECT its text, INSERT new words)
    with django_assert_num_queries(4 if ON_POSTGRESQL else 5):
        kestrel.save()

    assert search("k-3") == ["Kestrel K-3"]


def test_saving_fields_search_does_not_read_costs_nothing_more(kestrel, django_assert_num_queries):
    kestrel.status = Product.Status.WITHDRAWN
    # UPDATE the product's status; the search vector is left alone
    with django_assert_num_queries(1):
        kestrel.save(update_fields=["status", "updated_at"])

    assert search("kestrel") == ["Kestrel K-2"]


# --- Cost ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("matching", [2, 12])
def test_a_search_is_two_queries_however_many_products_match(django_assert_num_queries, matching):
    manufacturer, category = make_manufacturer("Stepovyk Aero"), make_category("Jamming")
    for number in range(matching):
        make_product(f"Kestrel {number}", manufacturer=manufacturer, category=category, summary="A jammer.")
    make_product("Falcon Scout")

    # the spellings of "jamer" in the vocabulary; the products, their rank, manufacturer and category
    with django_assert_num_queries(2):
        found = search_products(Product.objects.select_related("manufacturer", "category"), "kestrel jamer")
        rows = [(product.rank, product.manufacturer.name, product.category.name) for product in found]

    assert len(rows) == matching


# --- Suggestions --------------------------------------------------------------------------------------------
def test_suggestions_are_names_and_slugs_starting_with_the_text_first(kestrel, falcon):
    make_product("Mini Kestrel")

    assert suggest("kes") == ["Kestrel K-2", "Mini Kestrel"]
    assert suggest_products(Product.objects.all(), "falc") == [{"name": "Falcon Scout", "slug": falcon.slug}]


@postgresql_only
def test_suggestions_on_postgresql_also_find_the_text_inside_a_word(kestrel):
    make_product("Superkestrel")

    assert suggest("kes") == ["Kestrel K-2", "Superkestrel"]


@sqlite_only
def test_suggestions_on_sqlite_come_from_the_words_of_the_name_through_the_full_text_index(kestrel):
    make_product("Superkestrel")
    make_product("Zirka Optics Mk 2")

    assert suggest("kes") == ["Kestrel K-2"]
    assert suggest("zirka op") == ["Zirka Optics Mk 2"]


def test_suggestions_match_a_word_after_a_hyphen(kestrel):
    assert suggest("k-2") == ["Kestrel K-2"]
    assert suggest("k2") == []  # too short to suggest anything


def test_suggestions_are_bounded_by_the_limit():
    for number in range(SUGGEST_MAX_LIMIT + 3):
        make_product(f"Kestrel {number:02}")

    assert suggest("kestrel", limit=3) == ["Kestrel 00", "Kestrel 01", "Kestrel 02"]
    assert len(suggest("kestrel")) == 8
    assert len(suggest("kestrel", limit=1000)) == SUGGEST_MAX_LIMIT
    assert len(suggest("kestrel", limit=0)) == 1


def test_suggestions_come_only_from_the_given_queryset():
    make_published_product("Kestrel Live")
    make_product("Kestrel Draft")

    assert suggest("kestrel", Product.objects.published()) == ["Kestrel Live"]


@pytest.mark.parametrize("text", ["", "   ", "k", "%", "_", "%_", "\x00", "🚀", "'"])
def test_short_or_odd_text_suggests_nothing_and_never_raises(kestrel, text):
    assert suggest(text) == []


def test_suggestions_ignore_control_characters(kestrel):
    assert suggest("kes\x00") == ["Kestrel K-2"]


@postgresql_only
def test_suggestions_forgive_a_typo_on_postgresql(kestrel, falcon):
    assert suggest("kestral") == ["Kestrel K-2"]


@pytest.mark.parametrize("products", [2, 12])
def test_suggestions_are_one_query(django_assert_num_queries, products):
    for number in range(products):
        make_product(f"Kestrel {number}")

    # the names and slugs, best first, limited
    with django_assert_num_queries(1):
        found = suggest("kestrel")

    assert len(found) == min(products, 8)


# --- The rebuild command and the migration ------------------------------------------------------------
@postgresql_only
def test_rebuild_restores_the_search_data_a_bulk_write_lost(kestrel, falcon):
    Product.objects.update(search_vector=None)  # as loaddata and queryset.update() leave it
    assert search("approaching") == []  # a word of the description (not of the live trigram fields)

    output = rebuild()

    assert "Rebuilt the search data of 2 products" in output
    assert search("approaching") == ["Kestrel K-2"]


@postgresql_only
def test_a_dry_run_rebuilds_nothing_on_postgresql(kestrel, falcon):
    Product.objects.filter(pk=kestrel.pk).update(search_vector=None)

    output = rebuild("--dry-run")

    assert "Would rebuild the search data of 2 products" in output
    assert Product.objects.filter(search_vector__isnull=True).count() == 1


@sqlite_only
def test_rebuild_restores_the_full_text_rows_a_bulk_write_left_stale_on_sqlite(kestrel, falcon):
    Product.objects.filter(pk=kestrel.pk).update(name="Osprey O-1")  # bypasses save(), as loaddata does
    assert search("osprey") == []

    output = rebuild()

    assert "Rebuilt the search data of 2 products" in output
    assert search("osprey") == ["Osprey O-1"]
    assert search("kestrel") == []


def test_rebuild_replaces_the_vocabulary_with_the_words_the_catalogue_has_now(kestrel, falcon):
    Product.objects.filter(pk=kestrel.pk).update(summary="A vehicle-mounted spoofer.")
    assert SearchTerm.objects.filter(term="jammer").exists()

    rebuild()

    assert SearchTerm.objects.filter(term="spoofer").exists()
    assert not SearchTerm.objects.filter(term="jammer").exists()
    assert search("spofer") == ["Kestrel K-2"]


@postgresql_only
def test_postgresql_has_the_gin_and_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'products_product'")
        indexes = dict(cursor.fetchall())

    assert "USING gin (search_vector)" in indexes["product_search_vector_gin"]
    assert "USING gin (name gin_trgm_ops)" in indexes["product_name_trgm"]


@postgresql_only
def test_the_migration_fills_the_same_vectors_as_the_models(kestrel, falcon):
    migration = importlib.import_module("products.migrations.0002_search")
    expected = dict(Product.objects.values_list("pk", "search_vector"))
    Product.objects.update(search_vector=None)

    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_SEARCH_VECTORS)

    assert dict(Product.objects.values_list("pk", "search_vector")) == expected
