"""Money, moments, quantities and counts for people, in the reader's language (hubcatalog/formatting.py, the
`formatting` template filters and the per-language formats in hubcatalog/formats)."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from hubcatalog.formatting import format_moment, format_money, format_number, format_quantity

NBSP = "\u00a0"

# 12:35 UTC is 14:35 in Kyiv in winter (EET, UTC+2) and 15:35 in summer (EEST, UTC+3).
WINTER = datetime.datetime(2026, 12, 2, 12, 35, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2026, 7, 2, 12, 35, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def kyiv_time(settings):
    settings.TIME_ZONE = "Europe/Kyiv"


def render(source: str, **context) -> str:
    return Template("{% load formatting %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("en", Decimal("361900"), "€361,900"),
        ("en", Decimal("1250.50"), "€1,250.50"),
        ("uk", Decimal("361900"), f"361{NBSP}900{NBSP}€"),
        ("uk", Decimal("1250.50"), f"1{NBSP}250,50{NBSP}€"),
        ("de", Decimal("361900"), f"361.900{NBSP}€"),
        ("pl", Decimal("361900"), f"361{NBSP}900{NBSP}€"),
    ],
)
def test_it_writes_money_as_the_reader_s_language_does(language, amount, expected):
    with translation.override(language):
        assert format_money(amount) == expected
        assert render("{{ amount|money }}", amount=amount) == expected


def test_it_leaves_no_price_to_the_caller():
    assert format_money(None) == ""
    assert render("{{ amount|money|default:'on request' }}", amount=None) == "on request"


@pytest.mark.parametrize(
    ("language", "moment", "expected"),
    [
        ("en", WINTER, "2 Dec 2026, 14:35 EET"),
        ("en", SUMMER, "2 Jul 2026, 15:35 EEST"),
        ("uk", WINTER, "2 грудня 2026, 14:35 EET"),
        ("de", WINTER, "2. Dez. 2026, 14:35 EET"),
        ("fr", WINTER, "2 déc. 2026, 14:35 EET"),
        ("pl", WINTER, "2 grudnia 2026, 14:35 EET"),
    ],
)
def test_it_shows_a_moment_in_the_site_s_zone_with_the_zone_s_name_on_a_24_hour_clock(
    language, moment, expected
):
    with translation.override(language):
        assert format_moment(moment) == expected
        assert render("{{ moment|moment }}", moment=moment) == expected


@pytest.mark.parametrize(
    ("language", "date_format", "short_date_format"),
    [
        ("en", "2 Dec 2026", "02/12/2026"),
        ("uk", "2 грудня 2026", "02.12.2026"),
        ("de", "2. Dez. 2026", "02.12.2026"),
        ("fr", "2 déc. 2026", "02/12/2026"),
        ("pl", "2 grudnia 2026", "02.12.2026"),
    ],
)
def test_it_writes_dates_day_first_in_every_language(language, date_format, short_date_format):
    day = datetime.date(2026, 12, 2)
    with translation.override(language):
        assert formats.date_format(day, "DATE_FORMAT") == date_format
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short_date_format
        assert render('{{ day|date:"DATE_FORMAT" }}', day=day) == date_format


def test_it_groups_the_digits_of_a_count_but_not_of_a_plain_number_in_a_template():
    with translation.override("en"):
        assert format_number(12500) == "12,500"
        assert render("{{ count|number }} in {{ year }}", count=12500, year=2026) == "12,500 in 2026"
    with translation.override("uk"):
        assert format_number(12500) == f"12{NBSP}500"


@pytest.mark.parametrize(
    ("language", "count", "unit", "expected"),
    [
        ("en", 1, "units", "1 unit"),
        ("en", 2, "units", "2 units"),
        ("en", 1, "systems", "1 system"),
        ("en", 12500, "sets", "12,500 sets"),
        ("en", 3, "pallets", "3"),  # a unit the site does not know is left out rather than guessed
    ],
)
def test_it_gives_a_quantity_the_plural_form_its_count_takes(language, count, unit, expected):
    with translation.override(language):
        assert format_quantity(count, unit) == expected
        assert render("{{ count|quantity:unit }}", count=count, unit=unit) == expected


def test_it_asks_gettext_for_the_plural_form_so_that_slavic_languages_get_their_three():
    """Ukrainian and Polish have three plural forms (1 тиждень, 2 тижні, 5 тижнів): the count goes to
    ngettext, which picks the form by the language's own rule, never by `count == 1`."""
    template = (
        "{% load i18n %}{% blocktranslate count weeks=weeks %}{{ weeks }} week{% plural %}"
        "{{ weeks }} weeks{% endblocktranslate %}"
    )
    with translation.override("en"):
        rendered = [Template(template).render(Context({"weeks": weeks})) for weeks in (1, 2, 5, 21)]
    assert rendered == ["1 week", "2 weeks", "5 weeks", "21 weeks"]
    # Django's own catalogue has the three Ukrainian forms of "minute": the way ngettext picks among them.
    with translation.override("uk"):
        minutes = [
            translation.ngettext("%(num)d minute", "%(num)d minutes", n) % {"num": n} for n in (1, 2, 5)
        ]
    assert minutes == ["1 хвилина", "2 хвилини", "5 хвилин"]
