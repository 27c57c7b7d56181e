"""The Django starter in a real browser: Debian's headless Chromium, no network beyond
127.0.0.1, on the project's development server (its README's run command).

A visitor signs up, logs out and in, sees the profile page, forgets the password and resets it
through the link the console email backend prints; the Swagger UI docs of the REST API render
their operations from the app's own files. Screenshots land in ``tmp_path/screenshots``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import browser_page, screenshot, served_project
from tests.test_generated_django_dev import emailed_reset_link

OLD_PASSWORD = "an old and long password"
NEW_PASSWORD = "correct horse battery staple"


def log_in(page: Page, base_url: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


@pytest.mark.slow
def test_a_visitor_signs_up_logs_in_resets_the_password_and_reads_the_api_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The README's run command serves the development settings: emails on its console.
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    answers = {"python_version": "3.12", "use_auth": True, "use_rest_api": True}
    blocked: list[str] = []

    with (
        served_project("django", tmp_path, answers) as (_, base_url),
        browser_page(blocked) as page,
    ):
        page.goto(f"{base_url}/")
        expect(page.get_by_role("heading", name="It works")).to_be_visible()
        screenshot(page, tmp_path, "home")

        page.get_by_role("link", name="Sign up").click()
        page.fill("#id_username", "ada")
        page.fill("#id_email", "ada@example.com")
        page.fill("#id_password1", OLD_PASSWORD)
        page.fill("#id_password2", OLD_PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Hello, ada")).to_be_visible()
        log_out(page)

        page.get_by_role("link", name="Log in").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        screenshot(page, tmp_path, "login")
        log_in(page, base_url, OLD_PASSWORD)
        expect(page.get_by_role("heading", name="Hello, ada")).to_be_visible()
        assert page.url == f"{base_url}/accounts/profile/"
        screenshot(page, tmp_path, "profile")
        log_out(page)
        page.goto(f"{base_url}/accounts/profile/")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()  # members only

        page.get_by_role("link", name="Reset it").click()
        page.fill("#id_email", "ada@example.com")
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        link = emailed_reset_link(tmp_path / "server.log")
        assert link.startswith(f"{base_url}/accounts/reset/"), link
        page.goto(link)
        page.fill("#id_new_password1", NEW_PASSWORD)
        page.fill("#id_new_password2", NEW_PASSWORD)
        page.get_by_role("button", name="Set the password").click()
        expect(page.get_by_role("heading", name="Password set")).to_be_visible()

        log_in(page, base_url, OLD_PASSWORD)
        expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
        log_in(page, base_url, NEW_PASSWORD)
        expect(page.get_by_role("heading", name="Hello, ada")).to_be_visible()
        log_out(page)

        page.goto(f"{base_url}/api/docs/")
        notes = page.locator(".opblock-summary-path", has_text="/api/notes/{id}/")
        expect(notes.first).to_be_visible()
        assert page.locator(".opblock").count() >= 6  # list, create, read, update x2, delete
        screenshot(page, tmp_path, "docs")

        page.goto(f"{base_url}/no-such-page/")  # development: Django's debug 404 page
        expect(page.get_by_text("Using the URLconf defined in")).to_be_visible()

    assert blocked == [], f"the pages asked for files off this machine: {blocked}"
