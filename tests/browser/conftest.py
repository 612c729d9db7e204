"""Browser tests: a real Chromium (Debian's package, installed by `make test`) driven by Playwright."""

import importlib
import shutil

import pytest
from django.apps import apps

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# The data migrations whose rows the browser tests' emptied database must get back, with their functions.
DATA_MIGRATIONS = [
    ("hubs.migrations.0002_staff_groups", "create_groups"),
    ("partners.migrations.0002_partner_vetting_group", "create_group"),
    ("interests.migrations.0002_history_append_only_and_embargoes", "add_embargoes"),
    ("interests.migrations.0003_staff_permissions", "grant"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed; `make test` installs Debian's chromium package.")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}


@pytest.fixture(autouse=True)
def staff_groups(transactional_db):
    """The live server sees only committed data, so these tests run outside a rolled-back transaction and
    the database is emptied after each; the groups, permissions and embargo list that data migrations made
    go with it, so the same migration code puts them back first."""
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, schema_editor=None)


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(page):
    """Every page a browser test visits runs under the site's strict CSP; a violation (an inline script or
    style, a third-party request) is reported on the console and fails the test."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert violations == []


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
