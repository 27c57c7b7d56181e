"""The Flask starter in Chromium: a person signs up, logs out and in, is sent to the login page
by the protected page and back again; the pages are styled and need nothing from the internet.

Screenshots of the home and login pages land in the test's tmp dir (``screenshots/``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import browser_page, screenshot, served_project

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

PASSWORD = "correct horse battery staple"


def path_of(page: Page, base_url: str) -> str:
    return page.url.removeprefix(base_url)


def css(page: Page, selector: str, property_name: str) -> str:
    return page.eval_on_selector(
        selector, "(element, name) => getComputedStyle(element)[name]", property_name
    )


def assert_styled(page: Page) -> None:
    """site.css applied: not the browser's Times, header in one row, nav items a gap apart."""
    assert "system-ui" in css(page, "body", "fontFamily")
    assert css(page, "header", "display") == "flex"
    items = page.locator("header nav > *")
    assert items.count() == 2
    first, second = items.nth(0).bounding_box(), items.nth(1).bounding_box()
    assert first is not None and second is not None
    assert second["x"] - (first["x"] + first["width"]) >= 12  # 1rem; a space would be ~4px


EMAIL = "ada@example.com"


def log_in(page: Page) -> None:
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.slow
def test_a_person_signs_up_logs_in_and_out_in_chromium(tmp_path: Path) -> None:
    blocked: list[str] = []
    statuses: dict[str, int] = {}

    def record(response: Response) -> None:
        statuses[response.url] = response.status

    answers = {"database": "sqlite", "use_auth": True}
    with served_project("flask", tmp_path, answers) as (_, base_url), browser_page(blocked) as page:
        page.on("response", record)

        page.goto(f"{base_url}/")
        screenshot(page, tmp_path, "home")
        assert statuses[f"{base_url}/static/css/site.css"] == 200
        assert_styled(page)
        favicon = page.get_attribute("link[rel=icon]", "href")
        assert favicon == "/static/favicon.svg"
        assert page.request.get(f"{base_url}{favicon}").status == 200

        # Sign up: logged in, on the account page.
        page.get_by_role("link", name="Register").click()
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.get_by_role("button", name="Register").click()
        assert path_of(page, base_url) == "/account"
        assert f"You are logged in as {EMAIL}." in page.inner_text("main")

        # Log out, log in from the nav: home, then the account page through the nav.
        page.get_by_role("button", name="Log out").click()
        assert path_of(page, base_url) == "/"
        page.get_by_role("link", name="Log in").click()
        log_in(page)
        assert path_of(page, base_url) == "/"
        page.get_by_role("link", name=EMAIL).click()
        assert f"You are logged in as {EMAIL}." in page.inner_text("main")
        page.get_by_role("button", name="Log out").click()

        # The protected page sends an anonymous visitor to log in, and back after it.
        page.goto(f"{base_url}/account")
        assert path_of(page, base_url) == "/auth/login?next=%2Faccount"
        screenshot(page, tmp_path, "login")
        assert_styled(page)
        log_in(page)
        assert path_of(page, base_url) == "/account"
        assert f"You are logged in as {EMAIL}." in page.inner_text("main")

        page.goto(f"{base_url}/nowhere")
        assert "Page not found" in page.inner_text("h1")
        assert_styled(page)

    assert blocked == []
