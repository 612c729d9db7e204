# ruff: noqa: RUF001 (Ukrainian text)
"""The catalogue's content in the reader's language (products/translation.py, hubs/translation.py): pages
show the active language's text with English where there is none, the caches keep each language apart,
and editors write each language's text side by side in the admin."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from products.models import Category, Product
from tests.factories import make_category, make_listing, make_published_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


def in_language(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def zhalo():
    # A translated field given without its language goes to the active language's column: English here.
    with translation.override("en"):
        category = make_category("Strike drones", name_uk="Ударні дрони", name_de="Kampfdrohnen")
        return make_published_product(
            "SK-7 Zhalo",
            name_uk="Жало СК-7",
            category=category,
            summary="A 7-inch strike quadcopter.",
            summary_uk="Ударний квадрокоптер із семидюймовою рамою.",
            description="Built in Vinnytsia.",
        )


def test_it_reads_a_text_in_the_active_language_with_english_fallback(zhalo):
    with translation.override("uk"):
        assert zhalo.summary == "Ударний квадрокоптер із семидюймовою рамою."
        assert zhalo.description == "Built in Vinnytsia."  # no Ukrainian description: the English one
    with translation.override("pl"):
        assert zhalo.summary == "A 7-inch strike quadcopter."
    with translation.override("de"):
        assert zhalo.category.name == "Kampfdrohnen"


def test_it_keeps_english_in_the_en_column_of_what_is_created(zhalo):
    assert (
        Product.objects.values_list("summary_en", flat=True).get(pk=zhalo.pk) == "A 7-inch strike quadcopter."
    )


def test_the_ukrainian_product_page_shows_ukrainian_text_and_spelling(client_a, zhalo):
    response = in_language(client_a, "uk").get(reverse("product_detail", args=[zhalo.slug]))

    assert response.status_code == 200
    assert "Ударний квадрокоптер із семидюймовою рамою." in response.text
    assert "Жало СК-7" in response.text
    assert "Built in Vinnytsia." in response.text
    assert "Ударні дрони" in response.text


def test_the_english_product_page_shows_neither_ukrainian_text_nor_spelling(client_a, zhalo):
    response = in_language(client_a, "en").get(reverse("product_detail", args=[zhalo.slug]))

    assert "A 7-inch strike quadcopter." in response.text
    assert "Жало" not in response.text
    assert "Ударн" not in response.text


def test_the_catalogue_card_shows_the_ukrainian_summary(client_a, zhalo):
    response = in_language(client_a, "uk").get(reverse("catalogue"))

    assert "Ударний квадрокоптер із семидюймовою рамою." in response.text


def test_cached_pages_never_show_one_language_to_another(client_a, zhalo, settings):
    settings.CATALOGUE_CACHE_SECONDS = 600
    url = reverse("catalogue")

    english = in_language(client_a, "en").get(url).text
    ukrainian = in_language(client_a, "uk").get(url).text
    english_again = in_language(client_a, "en").get(url).text

    assert "A 7-inch strike quadcopter." in english and "Ударний" not in english
    assert "Ударний квадрокоптер" in ukrainian and "A 7-inch strike quadcopter." not in ukrainian
    assert "A 7-inch strike quadcopter." in english_again and "Ударний" not in english_again


def test_the_hub_page_shows_its_ukrainian_description(client_a, hub_a, zhalo):
    hub_a.description = "A logistics hub near the border."
    hub_a.description_uk = "Логістичний хаб біля кордону."
    hub_a.save()
    make_listing(zhalo, hub_a)

    ukrainian = in_language(client_a, "uk").get(reverse("hub_detail", args=[hub_a.slug])).text
    english = in_language(client_a, "en").get(reverse("hub_detail", args=[hub_a.slug])).text

    assert "Логістичний хаб біля кордону." in ukrainian
    assert "A logistics hub near the border." in english


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_an_editor_writes_each_language_side_by_side(editor_client, zhalo):
    url = reverse("admin:products_category_change", args=[zhalo.category.pk])
    page = editor_client.get(url)
    assert 'name="name_en"' in page.text and 'name="name_uk"' in page.text and 'name="name_pl"' in page.text

    data = {
        "name_en": "Strike drones",
        "name_uk": "Ударні БпЛА",
        "slug": zhalo.category.slug,
        "position": 0,
        "description_uk": "Дрони для ураження техніки.",
        "attributes-TOTAL_FORMS": 0,
        "attributes-INITIAL_FORMS": 0,
    }
    response = editor_client.post(url, data)

    assert response.status_code == 302
    category = Category.objects.get(pk=zhalo.category.pk)
    assert (category.name_en, category.name_uk) == ("Strike drones", "Ударні БпЛА")
    assert category.description_uk == "Дрони для ураження техніки."


def test_an_editor_saves_a_products_ukrainian_summary_and_spelling(editor_client, zhalo):
    url = reverse("admin:products_product_change", args=[zhalo.pk])
    page = editor_client.get(url)
    assert 'name="summary_uk"' in page.text and 'name="name_uk"' in page.text
    assert 'name="field_notes_uk"' in page.text


def test_the_hubs_description_is_written_in_each_language(client, superuser, hub_a):
    client.force_login(superuser)
    page = client.get(reverse("admin:hubs_hub_change", args=[hub_a.pk]))

    assert page.status_code == 200
    assert 'name="description_en"' in page.text and 'name="description_uk"' in page.text
