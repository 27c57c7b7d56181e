"""The Django starter's development loop, on its running dev server (the README's run command):
Django's debug 404 page logged as a readable line, and a password reset whose email appears on
the server's console and whose link sets a new password."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    Client,
    project_env,
    redis_url,
    render_project,
    running_server,
    shell,
)

OLD_PASSWORD = "an old and long password"
NEW_PASSWORD = "correct horse battery staple"


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, page[-2000:]
    return match[1]


def submit(client: Client, path: str, form: dict[str, str]) -> tuple[int, str]:
    """GET the form at ``path`` (absolute or not), POST it back with its CSRF token."""
    status, page = client.request("GET", path)
    assert status == 200, page[-2000:]
    return client.request(
        "POST", client.url, form={**form, "csrfmiddlewaretoken": csrf_token(page)}
    )


def emailed_reset_link(console: Path, seconds: float = 30) -> str:
    """The link in the first email the console backend printed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        output = console.read_text(errors="replace")
        start = output.find("Content-Type: text/plain")
        end = output.find("-" * 79, start)
        if start != -1 and end != -1:
            message = email.message_from_string(output[start:end], policy=email.policy.default)
            body = message.get_content()  # type: ignore[attr-defined]
            link = re.search(r"https?://\S+/accounts/reset/\S+", body)
            assert link, body
            return link[0]
        time.sleep(0.3)
    raise AssertionError(f"no email on the console:\n{console.read_text()[-3000:]}")


@pytest.mark.slow
def test_the_dev_server_shows_debug_pages_and_prints_the_reset_email(tmp_path: Path) -> None:
    project = render_project("django", tmp_path, {"database": "sqlite", "use_auth": True})
    env = project_env({"REDIS_URL": redis_url()}, project)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_DEBUG", None)
    shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
    console = tmp_path / "console.log"

    with running_server(project, env, output=console) as base_url:
        status, page = Client(base_url).request("GET", "/no-such-page/")
        assert status == 404
        assert "Using the URLconf defined in" in page, page[-2000:]  # the debug 404 page
        # Development logs are plain readable lines: level, logger, message.
        logged = console.read_text(errors="replace").splitlines()
        assert "WARNING django.request: Not Found: /no-such-page/" in logged, logged[-20:]

        form = {"username": "ada", "email": "ada@example.com"}
        form |= {"password1": OLD_PASSWORD, "password2": OLD_PASSWORD}
        status, page = submit(Client(base_url), "/accounts/signup/", form)
        assert status == 200 and "ada" in page, page[-2000:]

        visitor = Client(base_url)
        status, page = submit(visitor, "/accounts/password_reset/", {"email": "ada@example.com"})
        assert status == 200 and "Check your email" in page, page[-2000:]
        link = emailed_reset_link(console)
        assert link.startswith(base_url), link

        new = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        status, page = submit(visitor, link, new)
        assert status == 200 and "Password set" in page, page[-2000:]

        login = {"username": "ada", "password": NEW_PASSWORD}
        status, page = submit(Client(base_url), "/accounts/login/", login)
        assert status == 200 and "Hello, ada" in page, page[-2000:]
        status, page = submit(
            Client(base_url), "/accounts/login/", {**login, "password": OLD_PASSWORD}
        )
        assert "Hello, ada" not in page
