"""The demo data in fixtures/: complete, valid by the models' own rules, safe to load twice, and pictured by
draw_product_images. The one test module that reads fixtures/ (see tests/factories.py)."""

import importlib.util
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from hubs.models import Hub, Listing
from products.models import (
    Category,
    Manufacturer,
    Product,
    ProductCooperation,
    ProductImage,
    SpecAttribute,
    SpecValue,
)
from tests.factories import make_image, make_product

pytestmark = pytest.mark.django_db

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_FILES = [str(FIXTURES_DIR / "catalogue.json"), str(FIXTURES_DIR / "hubs.json")]
DEMO_MODELS = [Category, SpecAttribute, Manufacturer, Product, SpecValue, ProductCooperation, Hub, Listing]


def load_fixtures():
    call_command("loaddata", *FIXTURE_FILES, verbosity=0)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DEMO_MODELS}


@pytest.fixture
def loaded():
    load_fixtures()


def draw(*args) -> str:
    out = io.StringIO()
    call_command("draw_product_images", *args, stdout=out)
    return out.getvalue()


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


# --- The fixtures -----------------------------------------------------------------------------------------
def test_it_meets_the_minimum_counts(loaded):
    active_hubs = Hub.objects.active()
    assert active_hubs.count() >= 6
    assert len(set(active_hubs.values_list("country", flat=True))) >= 6
    assert Manufacturer.objects.count() >= 8
    assert Product.objects.count() >= 40
    assert Listing.objects.count() >= 80


def test_it_puts_products_in_every_category(loaded):
    for category in Category.objects.all():
        assert Product.objects.in_category(category).exists(), category
        if not category.children.exists():
            assert category.products.exists(), f"{category} is a leaf with no product of its own"
    top_level = Category.objects.filter(parent__isnull=True).values_list("name", flat=True)
    assert set(top_level) == {
        "Unmanned aerial systems",
        "Electronic warfare",
        "Counter-UAS",
        "Unmanned ground vehicles",
        "Maritime drones",
        "Communications",
        "Optics and sensors",
    }


def test_it_publishes_and_lists_every_product(loaded):
    assert not Product.objects.exclude(status=Product.Status.PUBLISHED).exists()
    assert not Product.objects.filter(published_at__isnull=True).exists()
    assert not Product.objects.filter(listings__isnull=True).exists()
    assert Listing.objects.available().count() >= 40


def test_only_systems_at_readiness_level_9_are_combat_proven_and_they_have_field_notes(loaded):
    combat_proven = Product.objects.filter(is_combat_proven=True)
    assert combat_proven.count() >= 20
    assert not combat_proven.exclude(technology_readiness_level=9).exists()
    assert not combat_proven.filter(field_notes="").exists()


def test_loading_it_again_changes_no_count(loaded):
    before = counts()

    load_fixtures()

    assert counts() == before


def test_loading_it_again_keeps_the_coordinators_of_a_hub(loaded, coordinator_a):
    berlin = Hub.objects.get(slug="berlin")
    berlin.coordinators.add(coordinator_a)

    load_fixtures()

    assert list(berlin.coordinators.all()) == [coordinator_a]


def test_every_product_has_a_valid_value_for_every_attribute_of_its_category(loaded):
    problems = []
    for product in Product.objects.select_related("category__parent"):
        expected = set(product.category.spec_attributes())
        values = list(product.spec_values.select_related("attribute", "product__category__parent"))
        if {value.attribute for value in values} != expected or len(values) != len(expected):
            problems.append(f"{product}: the specification is not complete")
        for value in values:
            try:
                value.full_clean()
            except ValidationError as error:
                problems.append(f"{product} {value.attribute.slug}: {error.messages}")
    assert problems == []
    assert not any(product.missing_required_attributes() for product in Product.objects.all())


def test_every_object_passes_its_models_validation(loaded):
    problems = []
    # Specification values are checked above, with the clearer message.
    for model in [model for model in DEMO_MODELS if model is not SpecValue]:
        for instance in model.objects.all():
            try:
                instance.full_clean()
            except ValidationError as error:
                problems.append(f"{model.__name__} {instance.pk}: {error.message_dict}")
    assert problems == []


def test_the_committed_files_are_what_the_build_script_writes():
    spec = importlib.util.spec_from_file_location("build_fixtures", FIXTURES_DIR / "build_fixtures.py")
    build_fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_fixtures)

    built = build_fixtures.build()

    assert built == build_fixtures.build()  # The same script writes the same files.
    for name, content in built.items():
        assert (FIXTURES_DIR / name).read_text(encoding="utf-8") == content, f"run `make fixtures` ({name})"


# --- draw_product_images ----------------------------------------------------------------------------------
def test_it_draws_one_image_with_renditions_for_a_product_without_one(settings):
    product = make_product("SK-7 Zhalo")

    output = draw()

    image = product.images.get()
    assert (image.width, image.height) == (1200, 800)
    assert image.thumbnail and image.large
    for field in (image.image, image.thumbnail, image.large):
        assert field.storage.exists(field.name)
    assert image.alt_text.startswith("Drawn illustration")
    assert "SK-7 Zhalo" in image.alt_text
    assert "Drew SK-7 Zhalo" in output


def test_a_second_run_draws_nothing(settings):
    product = make_product()
    draw()
    files = stored_files(settings)

    output = draw()

    assert product.images.count() == 1
    assert stored_files(settings) == files
    assert "nothing to draw" in output


def test_a_dry_run_writes_nothing(settings):
    product = make_product("KR-90 Saper")

    output = draw("--dry-run")

    assert not ProductImage.objects.exists()
    assert stored_files(settings) == []
    assert "Would draw KR-90 Saper" in output
    assert product.images.count() == 0


def test_it_leaves_uploaded_photos_alone_even_when_replacing(settings):
    photo = make_image(make_product())

    draw("--replace")

    assert list(ProductImage.objects.all()) == [photo]


def test_replace_redraws_the_drawn_pictures(settings):
    product = make_product()
    draw()
    old = product.images.get()

    draw("--replace")

    new = product.images.get()
    assert new.pk != old.pk
    assert new.image.name != old.image.name


def test_it_refuses_an_unknown_product_slug():
    with pytest.raises(CommandError, match="no-such-product"):
        draw("--product", "no-such-product")


def test_it_draws_every_kind_of_fixture_product(loaded, settings):
    # One product per pictogram keeps this fast; the pictures all go through the same code.
    slugs = ["sk-7-zhalo", "sv-30-hornostai", "sv-150-kobchyk", "khv-20-zavisa", "ob-1-horyzont",
             "kr-300-vantazh", "pm-6-hvylerez", "hr-m2-merezha", "zo-35-sovyne-oko"]  # fmt: skip

    draw(*[argument for slug in slugs for argument in ("--product", slug)])

    drawn = Product.objects.filter(slug__in=slugs)
    assert [product.images.count() for product in drawn] == [1] * len(slugs)
    assert ProductImage.objects.count() == len(slugs)
    assert "fixed-wing aircraft" in drawn.get(slug="sv-30-hornostai").images.get().alt_text
