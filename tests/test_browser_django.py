"""The Django starter in a real browser: Debian's headless Chromium, no network beyond
127.0.0.1, on the project's development server (its README's run command).

A visitor signs up, logs out and in, sees the profile page, forgets the password and resets it
through the link the console email backend prints; the Swagger UI docs of the REST API render
their operations from the app's own files. Without the auth pages, a user logs in on the
browsable API's own page and writes a note there. Screenshots land in ``tmp_path/screenshots``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import browser_page, screenshot, served_project
from tests.projects import project_env, shell
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


@pytest.mark.slow
def test_without_the_auth_pages_a_user_logs_in_on_the_browsable_api_and_writes_a_note(
    tmp_path: Path,
) -> None:
    answers = {"python_version": "3.12", "use_auth": False, "use_rest_api": True}
    blocked: list[str] = []

    with (
        served_project("django", tmp_path, answers) as (project, base_url),
        browser_page(blocked) as page,
    ):
        account = {"USERNAME": "ada", "EMAIL": "ada@example.com", "PASSWORD": NEW_PASSWORD}
        env = project_env({f"DJANGO_SUPERUSER_{k}": v for k, v in account.items()}, project)
        shell("uv run python manage.py createsuperuser --noinput", project, env, 300)

        page.goto(f"{base_url}/api/")  # the index: open to anyone
        expect(page.get_by_role("heading", name="API")).to_be_visible()
        expect(page.get_by_text("its docs: /api/docs/")).to_be_visible()
        screenshot(page, tmp_path, "api-root")
        page.get_by_role("link", name="Log in").click()
        page.fill("#id_username", "ada")
        page.fill("#id_password", NEW_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="API")).to_be_visible()  # back, logged in
        assert page.url == f"{base_url}/api/"

        page.goto(f"{base_url}/api/notes/")
        form = page.locator("#post-object-form form")
        form.locator("[name=title]").fill("Written in the browser")
        form.get_by_role("button", name="POST").click()
        expect(page.get_by_text('"owner": "ada"')).to_be_visible()
        expect(page.get_by_text("HTTP 201 Created")).to_be_visible()
        screenshot(page, tmp_path, "api-note-created")

    assert blocked == [], f"the pages asked for files off this machine: {blocked}"
