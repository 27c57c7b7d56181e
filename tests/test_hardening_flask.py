"""The Flask starter on the public internet, checked on the running server.

Flask with auth and its API on PostgreSQL and Redis (Celery on) is installed and served with
its README's production command (gunicorn, two workers, production settings, one trusted
proxy) and spoken to as a TLS proxy would: ``X-Forwarded-Proto: https`` and
``X-Forwarded-For``. Anonymous writes get 401 with ``WWW-Authenticate``, HTTP Basic
credentials are refused, the sixth wrong password in a row gets 429 with ``Retry-After``,
another case of a known email is refused at sign-up, the security headers are there and the
app's external URLs are ``https://``.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    emptied_redis,
    env_secret,
    free_port,
    fresh_database,
    project_env,
    render_project,
    shell,
    stop,
    wait_for_json,
)

PASSWORD = "correct horse battery staple"
ANSWERS = {"database": "postgresql", "use_auth": True, "use_rest_api": True, "use_celery": True}


class TLSTerminated(DefaultCookiePolicy):
    """The client speaks https to the proxy, the proxy http to the app: Secure cookies go."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True


class ProxiedClient:
    """A browser behind a TLS proxy: keeps cookies, follows redirects, sends what the proxy
    adds (X-Forwarded-*) and the Referer a browser sends on https; answers
    ``(status, headers, body)``."""

    def __init__(self, base_url: str, client_address: str) -> None:
        self.base_url = base_url
        host = urllib.parse.urlsplit(base_url).netloc
        self.headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": client_address,
            "Referer": f"https://{host}/",
        }
        jar = CookieJar(policy=TLSTerminated())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        sent = {**self.headers, **(headers or {})}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data, sent, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def submit(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """Fill in the form at ``path`` (its CSRF token included) and post it."""
        status, _, page = self.request("GET", path)
        assert status == 200, page
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, page
        return self.request("POST", path, form={**form, "csrf_token": token[1]})


def production_command(readme: str, port: int) -> str:
    """The README's production command, bound to loopback on ``port``."""
    found = re.search(r"^APP_ENV=production SECRET_KEY=\.\.\. (gunicorn .+)$", readme, re.M)
    assert found, "the README gives no production command"
    command = found[1].replace("--bind 0.0.0.0:8000", f"--bind 127.0.0.1:{port}")
    assert f"127.0.0.1:{port}" in command, command
    return f"uv run {command}"


def forget_counts(redis: str, *names: str) -> None:
    """Remove the login throttle's counts of this run from Redis."""
    database = urllib.parse.urlsplit(redis).path.strip("/") or "0"
    for name in names:
        keys = subprocess.run(
            ["redis-cli", "-n", database, "--scan", "--pattern", f"*{name}*"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout.split()  # fmt: skip
        if keys:
            subprocess.run(["redis-cli", "-n", database, "del", *keys], check=True, timeout=30,
                           capture_output=True)  # fmt: skip


@pytest.mark.slow
def test_flask_behind_a_tls_proxy_is_safe_on_the_internet(tmp_path: Path) -> None:
    project = render_project("flask", tmp_path, ANSWERS)
    run = uuid.uuid4().hex[:8]
    email = f"ada-{run}@example.com"
    address = f"198.51.100.{int(run[:2], 16) % 250 + 1}"
    redis = emptied_redis()
    with fresh_database("postgresql") as url:
        assert url is not None
        env = project_env({"DATABASE_URL": url, "REDIS_URL": redis}, project)
        shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
        port = free_port()
        production = {
            **env,
            "APP_ENV": "production",
            "SECRET_KEY": env_secret(project),
            "TRUSTED_PROXIES": "1",
            "WEB_CONCURRENCY": "2",
        }
        log = (tmp_path / "gunicorn.log").open("wb")
        server = subprocess.Popen(
            ["bash", "-c", production_command((project.path / "README.md").read_text(), port)],
            cwd=project.path, env=production, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            base_url = f"http://127.0.0.1:{port}"
            assert wait_for_json(f"{base_url}/health", server) == {"status": "ok"}
            browser = ProxiedClient(base_url, address)

            # Security headers, HSTS included: the app sees the https the client used.
            status, headers, _ = browser.request("GET", "/")
            assert status == 200
            assert headers["Strict-Transport-Security"] == "max-age=60"
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "same-origin"
            assert "default-src 'self'" in headers["Content-Security-Policy"]

            # Sign up; the session cookie is Secure.
            account = {"email": email, "password": PASSWORD, "confirm": PASSWORD}
            status, _, page = browser.submit("/auth/register", account)
            assert status == 200 and f"logged in as {email}" in page, page
            status, _, _ = browser.request("POST", "/api/notes", json_body={"text": "mine"})
            assert status == 201

            # Another case of the same address: refused, with the reason.
            stranger = ProxiedClient(base_url, address)
            other_case = {**account, "email": email.upper()}
            status, _, page = stranger.submit("/auth/register", other_case)
            assert status == 200
            assert "An account with this email address already exists" in page

            # Anonymous writes: 401 with a challenge whose URL is https; Basic is no way in.
            status, headers, body = stranger.request("POST", "/api/notes", json_body={"text": "x"})
            assert status == 401, body
            challenge = headers["WWW-Authenticate"]
            assert challenge.startswith("Cookie "), challenge
            assert f'form-action="https://127.0.0.1:{port}/auth/login"' in challenge, challenge
            basic = base64.b64encode(f"{email}:{PASSWORD}".encode()).decode()
            status, headers, _ = stranger.request(
                "POST", "/api/notes", json_body={"text": "x"},
                headers={"Authorization": f"Basic {basic}"},
            )  # fmt: skip
            assert status == 401
            assert "basic" not in headers["WWW-Authenticate"].lower()

            # Five wrong passwords in a row (two workers serve them); the sixth try is 429.
            wrong = {"email": email, "password": "not the password"}
            statuses = [stranger.submit("/auth/login", wrong)[0] for _ in range(5)]
            assert statuses == [200] * 5
            status, headers, page = stranger.submit("/auth/login", {**wrong, "password": PASSWORD})
            assert status == 429, page
            assert 0 < int(headers["Retry-After"]) <= 15 * 60
            assert "Too many failed logins" in page
        finally:
            stop(server)
            log.close()
            forget_counts(redis, email, address)
