"""Screenshots of the main pages, at a phone's width (390 px) and a laptop's (1280 px), for docs/screenshots/.

Run by `make screenshots`, which serves the demo data on a database of its own and points this script at it:

    .venv/bin/python scripts/take_screenshots.py --base-url http://127.0.0.1:8765 --out docs/screenshots

It signs in as the demo buyer and the demo hub coordinator (DEBUG on: no second factor), visits each page in
a real Chromium (Debian's package) and saves what a reader sees on arriving: the first screen, not the whole
page, so that the pictures stay small enough to keep in git.
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

WIDTHS = {"phone": (390, 844), "laptop": (1280, 800)}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
BUYER = ("buyer", "buyer-demo-2026")
COORDINATOR = ("coordinator", "coordinator-demo-2026")


def sign_in(page: Page, base_url: str, username: str, password: str, *, staff: bool = False) -> None:
    page.goto(f"{base_url}/admin/login/" if staff else f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def product_paths(page: Page, base_url: str) -> list[str]:
    """The product pages the catalogue's first page links to, in order."""
    page.goto(f"{base_url}/catalogue/")
    links = page.locator(".card-title a")
    return [links.nth(index).get_attribute("href") for index in range(links.count())]


def press_on_each(page: Page, base_url: str, paths: list[str], action: str) -> None:
    """On each product page, submit the buyer's control whose form posts to `action` (where it is offered)."""
    for path in paths:
        page.goto(base_url + path)
        button = page.locator(f"form[action='{action}'] [type=submit]")
        if button.count():
            button.first.click()
            page.wait_for_load_state("networkidle")


def buyer_pages(page: Page, base_url: str) -> dict[str, str]:
    products = product_paths(page, base_url)
    press_on_each(page, base_url, products[:3], "/catalogue/compare/toggle/")
    # The products of the first page that may be shortlisted (a listing open to interest in the country).
    press_on_each(page, base_url, products, "/interests/shortlist/add/")
    pages = {
        "catalogue": "/catalogue/",
        "product": products[0],
        "compare": "/catalogue/compare/",
        "hubs": "/hubs/",
        "shortlist": "/interests/shortlist/",
        "interests": "/interests/",
    }
    page.goto(f"{base_url}/catalogue/?cooperation=licensed_production")
    open_to_cooperation = page.locator(".card-title a")
    if open_to_cooperation.count():
        product = open_to_cooperation.first.get_attribute("href")
        pages["cooperation-product"] = product
        pages["cooperation-proposal"] = "/interests/cooperation" + product.removeprefix("/catalogue")
    page.goto(f"{base_url}/interests/")
    reference = page.locator("a[href^='/interests/'][href$='/']").filter(has_text="-")
    if reference.count():
        pages["interest"] = reference.first.get_attribute("href")
    return pages


def capture(page: Page, base_url: str, pages: dict[str, str], out: Path, prefix: str) -> list[Path]:
    saved = []
    for device, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            page.goto(base_url + path)
            page.wait_for_load_state("networkidle")
            target = out / f"{prefix}{name}-{device}.png"
            page.screenshot(path=str(target))
            saved.append(target)
    return saved


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    options = parser.parse_args(argv)
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        print("Chromium is not installed: `make chromium` installs Debian's package.", file=sys.stderr)
        return 1
    options.out.mkdir(parents=True, exist_ok=True)
    base_url = options.base_url.rstrip("/")
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)

        visitor = browser.new_page()
        saved += capture(visitor, base_url, {"landing": "/"}, options.out, "")

        buyer = browser.new_page()
        sign_in(buyer, base_url, *BUYER)
        saved += capture(buyer, base_url, buyer_pages(buyer, base_url), options.out, "")

        ukrainian = browser.new_context(locale="uk-UA")
        ukrainian.add_cookies([{"name": "django_language", "value": "uk", "url": base_url}])
        reader = ukrainian.new_page()
        sign_in(reader, base_url, *BUYER)
        saved += capture(reader, base_url, {"catalogue": "/catalogue/?q=дрон"}, options.out, "uk-")

        coordinator = browser.new_page()
        sign_in(coordinator, base_url, *COORDINATOR, staff=True)
        staff_pages = {
            "admin-interests": "/admin/interests/expressionofinterest/",
            "admin-listings": "/admin/hubs/listing/",
        }
        coordinator.goto(base_url + staff_pages["admin-interests"])
        change_link = coordinator.locator("#result_list tbody th a")
        if change_link.count():
            staff_pages["admin-interest"] = change_link.first.get_attribute("href")
        saved += capture(coordinator, base_url, staff_pages, options.out, "")
        browser.close()
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
