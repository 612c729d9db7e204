"""What a hub coordinator does in the admin, as the browser tests of the review drive it."""

from playwright.sync_api import Page


def log_in_to_admin(page: Page, live_server, username: str):
    """Sign in at the admin's login page as `username` (password "pw"), leaving any earlier session."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()


def record_step(page: Page, step: str, *, reason: str = "", comment: str = ""):
    """On an EOI's admin page, choose the next step (with its reason and comment) and record it."""
    page.get_by_label("Next step").select_option(label=step)
    if reason:
        page.get_by_label("Reason").select_option(label=reason)
    if comment:
        page.get_by_label("Comment to the buyer").fill(comment)
    page.get_by_role("button", name="Record this step").click()
