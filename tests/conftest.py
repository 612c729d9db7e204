"""Shared test settings and the named actors the specifications talk about."""

import importlib
import io
import os

import hypothesis
import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command

from tests.factories import make_buyer, make_hub, make_organisation, make_staff_user

# Property-based tests (hypothesis): a few dozen examples each, so the suite stays fast; no deadline, as a
# request's time varies with the machine; no example database written into the working tree. The tests
# share one database transaction across their examples (function-scoped fixtures are not reset between
# them), and are written for it. HYPOTHESIS_PROFILE=thorough tries many more.
_hypothesis_shared = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
}
hypothesis.settings.register_profile("ci", max_examples=40, **_hypothesis_shared)
hypothesis.settings.register_profile("thorough", max_examples=1000, **_hypothesis_shared)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The data migrations whose rows a test on an emptied database gets back, with their functions.
DATA_MIGRATIONS = [
    ("hubs.migrations.0002_staff_groups", "create_groups"),
    ("partners.migrations.0002_partner_vetting_group", "create_group"),
    ("interests.migrations.0002_history_append_only_and_embargoes", "add_embargoes"),
    ("interests.migrations.0003_staff_permissions", "grant"),
    ("products.migrations.0008_cooperation", "grant"),
]

CATALOGUE_EDITORS = "Catalogue editors"
HUB_COORDINATORS = "Hub coordinators"


@pytest.fixture(autouse=True)
def test_settings(settings, tmp_path):
    """Files go to a fresh folder per test; passwords hash fast; static files need no collectstatic."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Emails go to the outbox as in production; the `outbox` fixture runs the worker, which delivers them
    # to Django's test outbox (mail.outbox).
    settings.EMAIL_BACKEND = "accounts.outbox.OutboxBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Local memory caches share their storage across tests: start each one empty.
    cache.clear()
    # Pages read the database on every request, except in the tests of caching (tests/products/
    # test_caching.py), which turn it on and commit what they change: the cache's version grows on commit.
    settings.CATALOGUE_CACHE_SECONDS = 0
    # Staff sign in with their password alone, as in `make demo`, except in the tests of two-factor sign-in
    # (tests/accounts/test_two_factor.py, tests/browser/test_two_factor.py), which turn it on.
    settings.STAFF_TWO_FACTOR = False
    return settings


@pytest.fixture
def migrated_rows(transactional_db):
    """For tests that commit (transaction=True): the database is emptied after each such test, and the
    groups, permissions and embargo list that data migrations made go with it; the same migration code puts
    them back first, whatever ran before."""
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, schema_editor=None)


@pytest.fixture
def outbox(db):
    """deliver(): run the mail worker once over the outbox and return what it sent (Django's mail.outbox)."""

    def deliver():
        call_command("mailworker", once=True, stdout=io.StringIO())
        return mail.outbox

    return deliver


@pytest.fixture
def coordinator_a(db):
    return make_staff_user("coordinator-a", group=HUB_COORDINATORS)


@pytest.fixture
def coordinator_b(db):
    return make_staff_user("coordinator-b", group=HUB_COORDINATORS)


@pytest.fixture
def hub_a(coordinator_a):
    return make_hub("Hub A", country="DE", coordinators=[coordinator_a])


@pytest.fixture
def hub_b(coordinator_b):
    return make_hub("Hub B", country="PL", city="Warsaw", coordinators=[coordinator_b])


@pytest.fixture
def editor(db):
    return make_staff_user("editor", group=CATALOGUE_EDITORS)


@pytest.fixture
def superuser(db):
    return make_staff_user("root", superuser=True)


@pytest.fixture
def organisation_a(db):
    """An approved ministry of defence in Germany."""
    return make_organisation("Organisation A", country="DE")


@pytest.fixture
def organisation_b(db):
    """An approved procurement agency in Poland."""
    return make_organisation("Organisation B", country="PL", kind="procurement_agency")


@pytest.fixture
def buyer_a(organisation_a):
    return make_buyer("buyer-a", organisation=organisation_a)


@pytest.fixture
def buyer_b(organisation_b):
    return make_buyer("buyer-b", organisation=organisation_b)
