"""Categories that the catalogue's specifications talk about."""

import pytest

from tests.factories import make_category


@pytest.fixture
def uas(db):
    return make_category("Unmanned aerial systems")


@pytest.fixture
def fpv(uas):
    return make_category("Strike and FPV", parent=uas)


@pytest.fixture
def ew(db):
    return make_category("Electronic warfare")
