"""The FastAPI starter on the public internet: rendered with accounts
on PostgreSQL and Redis, installed, served under production settings with its README's command,
and called as from behind a TLS proxy on 127.0.0.1 (a trusted hop: X-Forwarded-Proto: https,
X-Forwarded-For: the client).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    emptied_redis,
    fresh_database,
    project_env,
    render_project,
    running_server,
    shell,
)

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new and longer passphrase"
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
#: What production looks like: the environment's values win over the rendered .env's.
PRODUCTION = {"DEBUG": "false", "LOG_FORMAT": "json", "FORWARDED_ALLOW_IPS": "127.0.0.1"}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Proxied:
    """Requests as a TLS proxy on 127.0.0.1 forwards them for the client at ``address``."""

    def __init__(self, base_url: str, address: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.opener = urllib.request.build_opener(NoRedirects)

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        data, sent = None, {**self.headers, **(headers or {})}
        if json_body is not None:
            data, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=sent, method=method
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                status, received, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, received, body = error.code, error.headers, error.read()
        return status, {k.lower(): v for k, v in received.items()}, body.decode()

    def log_in(self, email: str, password: str) -> tuple[int, dict[str, str], str]:
        return self.call("POST", "/auth/token", form={"username": email, "password": password})

    def token(self, email: str, password: str) -> str:
        status, _, body = self.log_in(email, password)
        assert status == 200, body
        return json.loads(body)["access_token"]


def emails_in(log: Path, wait: float = 60) -> list[str]:
    """The emails the server wrote to its JSON log (no SMTP_HOST). The app sends them after
    the response, so they may land a moment later: read until one is there (or ``wait``)."""
    deadline = time.monotonic() + wait
    while True:
        lines = log.read_text().splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        emails = [r["message"] for r in records if r["message"].startswith("Email (SMTP_HOST")]
        if emails or time.monotonic() > deadline:
            return emails
        time.sleep(0.2)


def test_fastapi_with_accounts_is_safe_behind_a_tls_proxy(tmp_path: Path) -> None:
    project = render_project(
        "fastapi", tmp_path, {"database": "postgresql", "use_auth": True, "use_celery": True}
    )
    log = tmp_path / "server.log"
    with fresh_database("postgresql") as url:
        env = project_env({"DATABASE_URL": url or "", "REDIS_URL": emptied_redis()}, project)
        shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
        with running_server(project, {**env, **PRODUCTION}, output=log) as base_url:
            check_the_contract(base_url, log)


def check_the_contract(base_url: str, log: Path) -> None:
    anonymous = Proxied(base_url, "203.0.113.10")

    # Security headers, HSTS (the request is https), and URLs the app builds are https.
    status, headers, _ = anonymous.call("GET", "/health")
    assert status == 200
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert headers["strict-transport-security"].startswith("max-age=")
    status, headers, _ = anonymous.call("GET", "/items/")
    assert status == 307 and headers["location"].startswith("https://"), (status, headers)

    # Anonymous writes: 401 with WWW-Authenticate; HTTP Basic is no way in.
    status, headers, _ = anonymous.call("POST", "/items", json_body={"title": "anonymous"})
    assert (status, headers["www-authenticate"]) == (401, "Bearer")

    # One account per email, in any case.
    ada = {"email": "ada@example.com", "password": PASSWORD}
    assert anonymous.call("POST", "/users", json_body=ada)[0] == 201
    other_case = {**ada, "email": "ADA@Example.com"}
    status, _, body = anonymous.call("POST", "/users", json_body=other_case)
    assert status == 409 and "already registered" in body, body

    basic = {"Authorization": "Basic YWRhQGV4YW1wbGUuY29tOmNvcnJlY3QgaG9yc2UgYmF0dGVyeSBzdGFwbGU="}
    status, headers, _ = anonymous.call("POST", "/items", json_body={"title": "x"}, headers=basic)
    assert (status, headers["www-authenticate"]) == (401, "Bearer")

    # The 6th wrong password in a row: 429 with Retry-After, even with the right password.
    guesser = Proxied(base_url, "203.0.113.66")
    assert [guesser.log_in("ada@example.com", f"guess {n}")[0] for n in range(5)] == [401] * 5
    status, headers, _ = guesser.log_in("ada@example.com", PASSWORD)
    assert status == 429 and int(headers["retry-after"]) > 0, (status, headers)
    # The account is locked from any address until its window ends: ada's flows use grace.
    grace = {"email": "grace@example.com", "password": PASSWORD}
    assert anonymous.call("POST", "/users", json_body=grace)[0] == 201

    # Change the password, then log in with the new one (from an address the guesses did not
    # lock: the throttle sees the forwarded client address, not the proxy's).
    user = Proxied(base_url, "203.0.113.20", Proxied(base_url, "203.0.113.20").token(**grace))
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert user.call("PATCH", "/users/me/password", json_body=change)[0] == 200
    fresh = Proxied(base_url, "203.0.113.21")
    assert fresh.log_in("grace@example.com", PASSWORD)[0] == 401
    assert fresh.log_in("grace@example.com", NEW_PASSWORD)[0] == 200

    # Reset by email: the token in the email (in the log: no SMTP_HOST), its URL https.
    recovery = {"email": grace["email"]}
    assert fresh.call("POST", "/auth/password-recovery", json_body=recovery)[0] == 202
    [email] = emails_in(log)
    assert "To: grace@example.com" in email
    assert re.search(r"POST https://[^/\s]+/auth/reset-password", email), email
    token = JWT.search(email)
    assert token, email
    reset = {"token": token[0], "new_password": "a third secret phrase"}
    assert fresh.call("POST", "/auth/reset-password", json_body=reset)[0] == 200
    assert fresh.log_in("grace@example.com", "a third secret phrase")[0] == 200
    assert fresh.call("POST", "/auth/reset-password", json_body=reset)[0] == 400
