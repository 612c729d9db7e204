"""One way to show money and moments, in the reader's language: every page, email, admin column and export
that shows an amount or a time to a person goes through these (CSV keeps plain machine values)."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

# Where the euro sign goes: English writes it before the amount (€361,900); the other languages of the site
# write it after, separated by a space (361 900 €), as their style guides and the EU's Interinstitutional
# Style Guide do.
SYMBOL_FIRST_LANGUAGES = {"en"}
NO_BREAK_SPACE = "\u00a0"


def format_money(amount: Decimal | int | float | None, *, currency_symbol: str = "€") -> str:
    """The amount in euros for the active language: whole euros when there are no cents (€361,900),
    cents otherwise (€1,250.50); "" for None, so that the caller decides what "no price" reads as."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    has_cents = amount != amount.to_integral_value()
    decimals = 2 if has_cents else 0
    rounded = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    number = formats.number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    number = number.replace(" ", NO_BREAK_SPACE)
    if (translation.get_language() or "en").split("-")[0] in SYMBOL_FIRST_LANGUAGES:
        return f"{currency_symbol}{number}"
    return f"{number}{NO_BREAK_SPACE}{currency_symbol}"


def format_moment(moment: datetime | None) -> str:
    """A date and time in the site's time zone, formatted for the active language, with the zone's
    abbreviation (2 Dec 2026, 14:35 EET): staff and buyers sit in different zones."""
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def format_number(value: int | Decimal | float | None) -> str:
    """A count or quantity with the active language's thousands separator (12,500; 12 500; 12.500); "" for
    None. Django groups digits only when asked: USE_THOUSAND_SEPARATOR would also group years and ids."""
    if value is None:
        return ""
    return formats.number_format(value, use_l10n=True, force_grouping=True).replace(" ", NO_BREAK_SPACE)


# The units a listing counts in (hubs' Listing.QuantityUnit values), each with its plural forms: ngettext
# written out, so that makemessages finds every pair.
QUANTITY_UNITS = {
    "units": lambda count: ngettext("%(count)s unit", "%(count)s units", count),
    "systems": lambda count: ngettext("%(count)s system", "%(count)s systems", count),
    "kits": lambda count: ngettext("%(count)s kit", "%(count)s kits", count),
    "sets": lambda count: ngettext("%(count)s set", "%(count)s sets", count),
}


def format_quantity(count: int | None, unit: str) -> str:
    """A quantity with its unit, the plural form chosen for the count in the active language: 1 unit,
    12,500 units; 1 одиниця, 2 одиниці, 5 одиниць. An unknown unit is left out; "" for None."""
    if count is None:
        return ""
    with_unit = QUANTITY_UNITS.get(unit)
    if with_unit is None:
        return format_number(count)
    return with_unit(count) % {"count": format_number(count)}
