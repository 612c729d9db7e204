"""The arms-embargo list is data, with its source and date, that staff keep current."""

import pytest

from interests.models import Embargo

pytestmark = pytest.mark.django_db


def test_the_list_starts_with_the_embargoes_of_the_domain_notes():
    for code in ["RU", "BY", "IR", "KP", "SY", "MM", "VE", "LY", "SD", "SS", "ZW", "CF"]:
        assert Embargo.objects.covers(code), code
    assert Embargo.objects.get(country="IQ").scope == Embargo.Scope.PARTIAL
    assert all(embargo.source and embargo.as_of for embargo in Embargo.objects.all())


def test_partner_countries_are_not_covered():
    for code in ["DE", "PL", "DK", "GB", "FR"]:
        assert not Embargo.objects.covers(code)


def test_an_embargo_no_longer_in_force_does_not_cover_its_country():
    Embargo.objects.filter(country="VE").update(is_in_force=False)
    assert not Embargo.objects.covers("VE")


def test_country_codes_are_compared_regardless_of_case():
    assert Embargo.objects.covers("ru")
