# ruff: noqa: RUF001 (Ukrainian text)
"""Search in the content's other languages (products/search.py): Ukrainian words and Cyrillic names, their
inflected forms, and Latin transliteration both ways. Runs on both databases."""

import pytest
from django.db import connection
from django.utils import translation

from products.models import Product, SearchTerm
from products.search import plan_search, search_products, search_words, suggest_products
from products.words import other_spellings, prefix_stem, transliterate
from tests.factories import make_category, make_manufacturer, make_product

pytestmark = pytest.mark.django_db


def search(query: str) -> set[str]:
    return {product.name for product in search_products(Product.objects.all(), query)}


@pytest.fixture
def catalogue():
    """A strike drone family written "Zhalo" with a Ukrainian spelling, a jammer described in Ukrainian, a
    product named in Latin letters only (Kestrel), and an English-only reconnaissance drone."""
    drones = make_category("Strike drones", name_uk="Ударні дрони")
    electronic_warfare = make_category(
        "Electronic warfare", name_uk="Радіоелектронна боротьба (РЕБ)", name_de="Elektronische Kampfführung"
    )
    make_product(
        "SK-7 Zhalo",
        name_uk="Жало СК-7",
        category=drones,
        manufacturer=make_manufacturer("Sokolyk Aerosystems"),
        summary="A 7-inch first-person-view strike quadcopter.",
        summary_uk="Ударний FPV-квадрокоптер із семидюймовою рамою.",
        description_uk="Квадрокоптер для ударів по техніці на відстані до 12 км.",
    )
    make_product(
        "Shchyt-5",
        category=electronic_warfare,
        manufacturer=make_manufacturer("Stepovyk Radio"),
        summary="A trench jammer that protects a position.",
        summary_uk="Окопна глушилка, що захищає позицію від дронів.",
        description_uk="Глушіння каналів керування і відео FPV-дронів у радіусі 500 м.",
    )
    make_product(
        "Kestrel K-2",
        category=make_category("Reconnaissance"),
        manufacturer=make_manufacturer("Kestrel Works"),
        summary="A reconnaissance fixed-wing aircraft.",
    )
    make_product(
        "Orlan Scout",
        category=make_category("Observation"),
        manufacturer=make_manufacturer("Orlan Optics"),
        summary="A tethered observation balloon with a day camera.",
    )


@pytest.mark.parametrize("query", ["Жало", "жало", "ЖАЛО", "Zhalo", "zhalo"])
def test_it_finds_the_zhalo_family_in_either_script(catalogue, query):
    assert search(query) == {"SK-7 Zhalo"}


def test_it_finds_drones_by_the_ukrainian_word_and_its_inflected_forms(catalogue):
    assert search("дрон") == {"SK-7 Zhalo", "Shchyt-5"}  # "Ударні дрони", "від дронів", "FPV-дронів"
    assert search("дронів") == {"SK-7 Zhalo", "Shchyt-5"}


def test_it_finds_electronic_warfare_by_its_ukrainian_abbreviation(catalogue):
    assert search("РЕБ") == {"Shchyt-5"}
    assert search("реб") == {"Shchyt-5"}


def test_it_finds_a_jammer_by_the_ukrainian_word_for_it(catalogue):
    assert search("глушилка") == {"Shchyt-5"}
    assert search("глушіння") == {"Shchyt-5"}


def test_it_finds_a_latin_name_by_its_cyrillic_spelling(catalogue):
    assert search("Кестрел") == {"Kestrel K-2"}
    assert search("Щит") == {"Shchyt-5"}


def test_it_finds_ukrainian_text_by_its_latin_spelling(catalogue):
    assert search("hlushylka") == {"Shchyt-5"}
    assert search("Udarni") == {"SK-7 Zhalo"}


def test_it_finds_a_category_by_its_name_in_another_language(catalogue):
    assert search("Kampfführung") == {"Shchyt-5"}


def test_it_finds_nothing_for_ukrainian_stop_words_alone(catalogue):
    assert search("і та для") == set()


def test_it_keeps_the_english_search_as_it_was(catalogue):
    assert search("jammer") == {"Shchyt-5"}
    assert search("reconnaissance") == {"Kestrel K-2"}


def test_it_ranks_a_name_holding_the_word_above_a_text_mentioning_it(catalogue):
    make_product(
        "Trainer T-1", summary="A training quadcopter.", description_uk="Тренажер для пілотів дронів «Жало»."
    )
    found = search_products(Product.objects.all(), "Жало").order_by("-rank", "name")
    assert [product.name for product in found] == ["SK-7 Zhalo", "Trainer T-1"]


def test_it_adds_ukrainian_words_to_the_vocabulary_and_corrects_their_typos(catalogue):
    assert SearchTerm.objects.filter(term="глушилка").exists()
    assert plan_search("гдушилка").corrections == {"гдушилка": "глушилка"}
    assert search("гдушилка") == {"Shchyt-5"}


def test_it_treats_an_inflected_form_of_a_known_word_as_known(catalogue):
    assert plan_search("глушилки").corrections == {}


def test_it_keeps_the_index_current_when_a_ukrainian_text_changes(catalogue):
    product = Product.objects.get(name="Kestrel K-2")
    product.summary_uk = "Розвідувальний літак-крило."
    product.save()
    assert search("розвідувальний") == {"Kestrel K-2"}


def test_it_keeps_the_index_current_when_a_category_is_renamed_in_ukrainian(catalogue):
    category = Product.objects.get(name="Orlan Scout").category
    category.name_uk = "Аеростати спостереження"
    category.save()
    assert search("аеростат") == {"Orlan Scout"}


def test_it_suggests_nothing_for_query_syntax_in_cyrillic(catalogue):
    assert search('"жало" OR * :') == {"SK-7 Zhalo"}
    assert suggest_products(Product.objects.all(), "жа") == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("жало", ("zhalo",)),
        ("ярослав", ("iaroslav", "yaroslav")),
        ("згурівка", ("zhurivka", "zghurivka")),
        ("yaroslav", ("iaroslav",)),
        ("kestrel", ()),
    ],
)
def test_it_spells_words_in_the_other_script_by_the_national_system(word, expected):
    assert other_spellings(word) == expected


def test_it_looks_for_cyrillic_words_of_four_letters_as_prefixes_without_their_ending():
    assert prefix_stem("дронів") == "дрон"
    assert prefix_stem("жало") == "жало"
    assert prefix_stem("реб") is None
    assert prefix_stem("drone") is None
    assert transliterate("Радіоелектронна боротьба") == "radioelektronna borotba"
    assert "для" not in search_words("дрони для розвідки")


def test_the_ukrainian_interface_reads_the_same_index(catalogue):
    with translation.override("uk"):
        assert search("Zhalo") == {"SK-7 Zhalo"}
        assert search("jammer") == {"Shchyt-5"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored vector")
def test_it_indexes_ukrainian_text_as_typed_and_in_latin_letters_on_postgresql(catalogue):
    vector = Product.objects.values_list("search_vector", flat=True).get(name="Shchyt-5")
    assert "'глушилка'" in vector
    assert "'hlushylka'" in vector


@pytest.mark.parametrize("typed", ["Жало", "жало", "Жал"])
def test_it_suggests_a_product_by_its_ukrainian_spelling(catalogue, typed):
    suggestions = suggest_products(Product.objects.all(), typed)

    assert [suggestion["name"] for suggestion in suggestions] == ["SK-7 Zhalo"]
