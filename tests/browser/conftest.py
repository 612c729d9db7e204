"""Browser tests: a real Chromium (Debian's package, installed by `make test`) driven by Playwright."""

import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed; `make test` installs Debian's chromium package.")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}


@pytest.fixture(autouse=True)
def committed_database(migrated_rows):
    """The live server sees only committed data: these tests run outside a rolled-back transaction."""


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
