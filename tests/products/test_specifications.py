"""Specification values: typed by their category's attributes, stored as numbers where they are numbers."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from products.models import Product, SpecAttribute
from tests.factories import make_attribute, make_category, make_product, set_spec

pytestmark = pytest.mark.django_db

Type = SpecAttribute.ValueType


def test_a_subcategory_carries_its_parents_attributes(uas, fpv):
    range_km = make_attribute(uas, "Range", unit="km")
    warhead = make_attribute(fpv, "Warhead mass", unit="kg")
    other = make_attribute(make_category("Maritime drones"), "Speed", unit="kn")

    assert set(fpv.spec_attributes()) == {range_km, warhead}
    assert set(uas.spec_attributes()) == {range_km}
    assert other not in fpv.spec_attributes()


def test_a_subcategory_cannot_redefine_a_parent_attribute_slug(uas, fpv):
    make_attribute(uas, "Range", slug="range")
    clash = SpecAttribute(category=fpv, name="Range", slug="range", value_type=Type.NUMBER)
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert "slug" in error.value.message_dict


@pytest.mark.parametrize(
    ("value_type", "values", "valid"),
    [
        (Type.NUMBER, {"number": Decimal("12.5")}, True),
        (Type.NUMBER, {"text": "twelve"}, False),
        (Type.NUMBER, {"number": Decimal("12"), "number_max": Decimal("20")}, False),
        (Type.RANGE, {"number": Decimal("400"), "number_max": Decimal("6000")}, True),
        (Type.RANGE, {"number": Decimal("400")}, False),
        (Type.TEXT, {"text": "AES-256"}, True),
        (Type.TEXT, {"boolean": True}, False),
        (Type.BOOLEAN, {"boolean": False}, True),
        (Type.BOOLEAN, {"text": "yes"}, False),
    ],
)
def test_a_value_must_have_its_attributes_type(uas, value_type, values, valid):
    attribute = make_attribute(uas, value_type=value_type)
    product = make_product(category=uas)
    value = product.spec_values.model(product=product, attribute=attribute, **values)
    if valid:
        value.full_clean()
    else:
        with pytest.raises(ValidationError):
            value.full_clean()


def test_a_choice_must_be_one_of_the_attributes_choices(uas):
    deployment = make_attribute(
        uas, "Deployment", value_type=Type.CHOICE, choices=["portable", "vehicle", "fixed"]
    )
    product = make_product(category=uas)
    value = product.spec_values.model(product=product, attribute=deployment, text="orbital")
    with pytest.raises(ValidationError) as error:
        value.full_clean()
    assert "portable, vehicle, fixed" in str(error.value)


def test_a_choice_attribute_needs_choices(uas):
    attribute = SpecAttribute(category=uas, name="Deployment", slug="deployment", value_type=Type.CHOICE)
    with pytest.raises(ValidationError):
        attribute.full_clean()


def test_only_numbers_have_a_direction_in_the_database(uas):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_attribute(uas, value_type=Type.TEXT, direction=SpecAttribute.Direction.HIGHER_IS_BETTER)


def test_a_value_must_belong_to_the_products_category(uas):
    maritime_speed = make_attribute(make_category("Maritime drones"), "Speed")
    product = make_product(category=uas)
    value = product.spec_values.model(product=product, attribute=maritime_speed, number=Decimal("30"))
    with pytest.raises(ValidationError) as error:
        value.full_clean()
    assert "attribute" in error.value.message_dict


def test_the_database_refuses_a_range_whose_upper_end_is_below_its_lower_end(uas):
    coverage = make_attribute(uas, value_type=Type.RANGE)
    with pytest.raises(IntegrityError), transaction.atomic():
        set_spec(make_product(category=uas), coverage, number=Decimal("6000"), number_max=Decimal("400"))


def test_the_database_refuses_an_empty_value(uas):
    attribute = make_attribute(uas)
    with pytest.raises(IntegrityError), transaction.atomic():
        set_spec(make_product(category=uas), attribute)


def test_a_product_has_one_value_per_attribute(uas):
    attribute = make_attribute(uas)
    product = make_product(category=uas)
    set_spec(product, attribute, number=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        set_spec(product, attribute, number=Decimal("2"))


def test_values_display_with_their_units(uas):
    range_km = make_attribute(uas, "Range", unit="km")
    coverage = make_attribute(uas, "Coverage", unit="MHz", value_type=Type.RANGE)
    night = make_attribute(uas, "Night capability", value_type=Type.BOOLEAN)
    product = make_product(category=uas)

    assert set_spec(product, range_km, number=Decimal("40.000")).display() == "40 km"
    assert set_spec(product, coverage, number=Decimal("400"), number_max=Decimal("6000")).display() == (
        "400–6000 MHz"
    )
    assert set_spec(product, night, boolean=True).display() == "Yes"


def test_numeric_values_filter_as_numbers_not_text(uas):
    range_km = make_attribute(uas, "Range", unit="km")
    short = make_product("Short", category=uas)
    long = make_product("Long", category=uas)
    unknown = make_product("Unknown", category=uas)
    set_spec(short, range_km, number=Decimal("9"))
    set_spec(long, range_km, number=Decimal("120"))

    # As text "9" > "120"; as numbers it is the other way round.
    assert set(Product.objects.with_spec_between(range_km, minimum=10)) == {long}
    assert set(Product.objects.with_spec_between(range_km, maximum=10)) == {short}
    assert set(Product.objects.with_spec_between(range_km, minimum=9, maximum=120)) == {short, long}
    assert unknown not in Product.objects.with_spec_between(range_km)


def test_a_range_attribute_matches_when_the_ranges_overlap(uas):
    coverage = make_attribute(uas, "Frequency coverage", unit="MHz", value_type=Type.RANGE)
    low_band = make_product("Low band", category=uas)
    wide_band = make_product("Wide band", category=uas)
    set_spec(low_band, coverage, number=Decimal("20"), number_max=Decimal("500"))
    set_spec(wide_band, coverage, number=Decimal("400"), number_max=Decimal("6000"))

    assert set(Product.objects.with_spec_between(coverage, minimum=1200, maximum=1200)) == {wide_band}
    assert set(Product.objects.with_spec_between(coverage, minimum=450, maximum=450)) == {low_band, wide_band}
    assert set(Product.objects.with_spec_between(coverage, minimum=7000)) == set()


def test_products_sort_by_a_numeric_value(uas):
    endurance = make_attribute(uas, "Endurance", unit="min")
    for name, minutes in [("B", "45"), ("A", "120"), ("C", "8")]:
        set_spec(make_product(name, category=uas), endurance, number=Decimal(minutes))

    ordered = Product.objects.annotate_spec(endurance, "endurance").order_by("-endurance")
    assert [product.name for product in ordered] == ["A", "B", "C"]


def test_a_parent_cannot_take_a_slug_a_subcategory_already_uses(uas, fpv):
    make_attribute(fpv, "Warhead mass", slug="warhead")
    clash = SpecAttribute(category=uas, name="Warhead", slug="warhead", value_type=Type.NUMBER)
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert "slug" in error.value.message_dict


def test_the_schema_lists_the_parents_attributes_before_the_subcategorys(uas, fpv):
    warhead = make_attribute(fpv, "Warhead mass", position=0)
    range_km = make_attribute(uas, "Range", position=5)
    endurance = make_attribute(uas, "Endurance", position=6)
    assert list(fpv.spec_attributes()) == [range_km, endurance, warhead]
