"""Products: the rules the database and the model keep, whatever form or command writes them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from products.models import Category, Product
from tests.factories import (
    make_attribute,
    make_category,
    make_image,
    make_product,
    set_spec,
)

pytestmark = pytest.mark.django_db


def assert_refused_by_database(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_it_refuses_a_trl_outside_1_to_9_in_the_database():
    product = make_product()
    product.technology_readiness_level = 10
    assert_refused_by_database(product.save)
    product.technology_readiness_level = 0
    assert_refused_by_database(product.save)


def test_it_refuses_a_malformed_nato_stock_number_in_the_database():
    product = make_product()
    product.nato_stock_number = "1550-12-3456789"
    assert_refused_by_database(product.save)


def test_it_accepts_a_well_formed_nato_stock_number():
    product = make_product(nato_stock_number="1550-61-123-4567")
    product.full_clean()
    assert Product.objects.get(nato_stock_number="1550-61-123-4567") == product


def test_the_form_validation_explains_the_nsn_format():
    product = make_product()
    product.nato_stock_number = "15506112345670"
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "NNNN-NN-NNN-NNNN" in str(error.value.message_dict["nato_stock_number"])


def test_two_products_cannot_share_a_nato_stock_number():
    make_product(nato_stock_number="1550-61-123-4567")
    assert_refused_by_database(lambda: make_product(nato_stock_number="1550-61-123-4567"))


def test_many_products_may_have_no_nato_stock_number():
    make_product(nato_stock_number="")
    make_product(nato_stock_number="")
    assert Product.objects.filter(nato_stock_number="").count() == 2


def test_a_product_needs_a_military_list_category_or_the_dual_use_flag():
    assert_refused_by_database(lambda: make_product(military_list_category=""))
    dual_use = make_product(military_list_category="", is_dual_use=True)
    dual_use.full_clean()


def test_a_product_slug_is_unique():
    product = make_product()
    assert_refused_by_database(
        lambda: Product.objects.create(
            name="Copy",
            slug=product.slug,
            category=product.category,
            manufacturer=product.manufacturer,
            technology_readiness_level=9,
            military_list_category="ML10",
        )
    )


def test_the_database_refuses_a_published_product_without_a_summary():
    product = make_product(summary="")
    product.status = Product.Status.PUBLISHED
    assert_refused_by_database(product.save)


def test_it_cannot_be_published_without_summary_image_or_required_specifications():
    category = make_category()
    range_km = make_attribute(category, "Range", unit="km", is_required=True)
    product = make_product(category=category, summary="")

    with pytest.raises(ValidationError) as error:
        product.publish()

    message = " ".join(error.value.messages)
    assert "no summary" in message
    assert "no image" in message
    assert "Range" in message
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT

    product.summary = "A quadcopter."
    product.save()
    make_image(product)
    set_spec(product, range_km, number=Decimal("12"))
    product.publish()

    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED
    assert product.published_at is not None


def test_withdrawing_keeps_the_first_publication_date():
    product = make_product(summary="A radio.")
    make_image(product)
    product.publish()
    first_published = Product.objects.get(pk=product.pk).published_at

    product.withdraw()
    product.publish()

    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED
    assert product.published_at == first_published


def test_published_lists_only_published_products():
    draft = make_product()
    published = make_product(summary="Ready.")
    make_image(published)
    published.publish()

    assert list(Product.objects.published()) == [published]
    assert draft not in Product.objects.published()


def test_a_parent_category_includes_its_subcategories():
    uas = make_category("Unmanned aerial systems")
    fpv = make_category("Strike and FPV", parent=uas)
    ew = make_category("Electronic warfare")
    drone = make_product(category=fpv)
    jammer = make_product(category=ew)

    assert list(Product.objects.in_category(uas)) == [drone]
    assert list(Product.objects.in_category(ew)) == [jammer]


def test_a_category_cannot_be_its_own_parent():
    category = make_category()
    category.parent = category
    with pytest.raises(ValidationError):
        category.full_clean()
    assert_refused_by_database(category.save)


def test_a_category_cannot_sit_below_its_own_descendant():
    root = make_category("Root")
    child = make_category("Child", parent=root)
    root.parent = child
    with pytest.raises(ValidationError):
        root.full_clean()


def test_category_names_read_as_a_path():
    uas = make_category("Unmanned aerial systems")
    fpv = make_category("Strike and FPV", parent=uas)
    assert str(fpv) == "Unmanned aerial systems → Strike and FPV"
    assert Category.objects.get(pk=fpv.pk).lineage_ids() == [fpv.pk, uas.pk]
