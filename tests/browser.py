"""Look at a generated project the way a person does: in Debian's headless Chromium.

``served_project`` renders a built-in, installs it, points it at a fresh database on the real
server and starts it with its README's run command. ``browser_page`` opens Chromium (the OS
package, driven by Playwright) with no network beyond 127.0.0.1: a page that needs a CDN
shows it. ``screenshot`` saves a full-page PNG under the test's tmp dir for a person to look at.
"""

from __future__ import annotations

import shutil
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    Project,
    fresh_database,
    project_env,
    redis_url,
    render_project,
    running_server,
    shell,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

LOCAL_HOSTS = ("127.0.0.1", "localhost")


def chromium_executable() -> str:
    """Debian's Chromium, or skip loudly: scripts/services.py installs it as root."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "NO CHROMIUM ON THIS MACHINE: run `apt-get install -y chromium` (scripts/services.py "
        "does it as root) to run the browser tests"
    )


@contextmanager
def browser_page(blocked: list[str] | None = None) -> Iterator[Page]:
    """A fresh Chromium page that can reach only 127.0.0.1; requests elsewhere are refused
    and their URLs appended to ``blocked``."""
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    def local_only(route: Route) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
            return
        if blocked is not None:
            blocked.append(route.request.url)
        route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        # --no-sandbox: Chromium refuses to sandbox itself when run as root (CI here is root).
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.route("**/*", local_only)
            page = context.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            browser.close()


def screenshot(page: Page, folder: Path, name: str) -> Path:
    """Save the whole page as ``folder/screenshots/name.png`` and return the path."""
    path = folder / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def served_project(
    framework: str,
    tmp_path: Path,
    answers: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[Project, str]]:
    """Render, install and start a built-in; yields the project and its base URL. ``env`` adds
    variables to the install's and the server's environment."""
    project = render_project(framework, tmp_path, answers)
    database = project.result["answers"].get("database", "sqlite")
    with fresh_database(database) as url:
        extra = {"REDIS_URL": redis_url(), **(env or {})}
        if url:
            extra["DATABASE_URL"] = url
        env = project_env(extra, project)
        shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
        with running_server(project, env, tmp_path / "server.log") as base_url:
            yield project, base_url
