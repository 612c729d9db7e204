"""`{% load formatting %}`: money, moments and counts for people, in the reader's language
(hubcatalog/formatting.py; the formats per language are in hubcatalog/formats)."""

from django import template

from hubcatalog.formatting import format_moment, format_money, format_number, format_quantity

register = template.Library()


@register.filter
def money(amount):
    """{{ listing.unit_price|money }}: €361,900 in English, 361 900 € in Ukrainian; "" for None."""
    return format_money(amount)


@register.filter
def moment(value):
    """{{ interest.submitted_at|moment }}: 2 Dec 2026, 14:35 EET, in the site's time zone; "" for None."""
    return format_moment(value)


@register.filter
def number(value):
    """{{ listing.quantity_available|number }}: 12,500 in English, 12 500 in Ukrainian, 12.500 in German."""
    return format_number(value)


@register.filter
def quantity(count, unit):
    """{{ listing.quantity_available|quantity:listing.quantity_unit }}: 1 unit, 12,500 units; 5 одиниць."""
    return format_quantity(count, unit)
