"""The Django starter on the public internet: rendered with accounts and its API on PostgreSQL
and Redis, served with its README's production command (gunicorn, production settings, two
workers) behind a simulated TLS proxy, and probed as a client out there would.

Every request says what the proxy in front would: ``X-Forwarded-Proto: https`` and the client's
address in ``X-Forwarded-For`` (the production settings trust one proxy). Secure cookies are
sent back over the test's plain HTTP, as the proxy would pass them.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    Project,
    emptied_redis,
    free_port,
    fresh_database,
    project_env,
    render_project,
    shell,
    stop,
    wait_for_json,
)

PASSWORD = "correct horse battery staple"
ANSWERS = {
    "python_version": "3.12",
    "database": "postgresql",
    "use_auth": True,
    "use_rest_api": True,
    "use_celery": True,
}


class BehindTheProxy(DefaultCookiePolicy):
    """TLS ends at the proxy: the site's Secure cookies come back over the inner plain HTTP."""

    def return_ok_secure(self, cookie: object, request: object) -> bool:
        return True


class ProxiedClient:
    """Keeps cookies, follows redirects; each request carries the TLS proxy's headers."""

    def __init__(self, base_url: str, client_address: str = "203.0.113.5") -> None:
        self.base_url = base_url
        self.public = base_url.replace("http://", "https://")
        self.headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": client_address}
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar(policy=BehindTheProxy()))
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        json_body: object = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        data = None
        sent = {**self.headers, "Origin": self.public, "Referer": self.public + path}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        request = urllib.request.Request(self.base_url + path, data, sent, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:  # its socket is closed here, not whenever it is collected
                return error.code, dict(error.headers), error.read().decode()

    def submit(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """GET the form at ``path``, POST it back with its CSRF token."""
        status, _, page = self.request("GET", path)
        assert status == 200, page[-2000:]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[-2000:]
        return self.request("POST", path, form={**form, "csrfmiddlewaretoken": token[1]})


@contextmanager
def production_server(project: Project, env: dict[str, str]) -> Iterator[str]:
    """The README's production steps: collectstatic, migrate, gunicorn (two workers)."""
    package = project.result["answers"]["package_name"]
    shell("uv run python manage.py collectstatic --noinput", project, env, 300)
    shell("uv run python manage.py migrate", project, env, 300)
    port = free_port()
    server = subprocess.Popen(
        ["uv", "run", "gunicorn", f"{package}.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        cwd=project.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_json(f"http://127.0.0.1:{port}/health", server)  # exempt from the redirect
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


def remove_counts(database: str) -> None:
    """The production cache has no prefix: drop the lockout and throttle keys it left."""
    for pattern in (":1:axes-*", ":1:throttle_*"):
        keys = subprocess.run(
            ["redis-cli", "-n", database, "--scan", "--pattern", pattern],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout.split()  # fmt: skip
        if keys:
            subprocess.run(["redis-cli", "-n", database, "del", *keys], check=True, timeout=60)


@pytest.mark.slow
def test_the_production_server_holds_up_on_the_internet(tmp_path: Path) -> None:
    project = render_project("django", tmp_path, ANSWERS)
    package = project.result["answers"]["package_name"]
    redis = emptied_redis()
    with fresh_database("postgresql") as url:
        env = project_env({"DATABASE_URL": url or "", "REDIS_URL": redis}, project)
        shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
        env.update(
            DJANGO_SETTINGS_MODULE=f"{package}.settings.production",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        )
        try:
            with production_server(project, env) as base_url:
                check_the_contract(base_url)
        finally:
            remove_counts(redis.rsplit("/", 1)[1])


def check_the_contract(base_url: str) -> None:
    visitor = ProxiedClient(base_url)
    public = visitor.public

    # Plain HTTP (no proxy header) is sent to HTTPS.
    plain = urllib.request.Request(f"{base_url}/api/", method="GET")
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(plain, timeout=30)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == f"{public}/api/"
    redirect.value.close()

    # Security headers, and external URLs that say https.
    status, headers, body = visitor.request("GET", "/api/", headers={"Accept": "application/json"})
    assert status == 200, body
    assert json.loads(body) == {"notes": f"{public}/api/notes/"}
    assert headers["Strict-Transport-Security"].startswith("max-age=60")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"

    # Anonymous writes: 401 with WWW-Authenticate.
    status, headers, body = visitor.request("POST", "/api/notes/", json_body={"title": "anon"})
    assert status == 401, body
    assert headers["WWW-Authenticate"] == "Token"

    # Sign up; another case of the same email is refused.
    ada = ProxiedClient(base_url)
    form = {"username": "ada", "email": "ada@example.com"}
    form |= {"password1": PASSWORD, "password2": PASSWORD}
    status, _, page = ada.submit("/accounts/signup/", form)
    assert status == 200 and "Hello, ada" in page, page[-2000:]
    status, _, page = ProxiedClient(base_url).submit(
        "/accounts/signup/", {**form, "username": "ada2", "email": "ADA@Example.com"}
    )
    assert status == 200, page[-2000:]
    assert "An account with this email address already exists." in page, page[-2000:]

    # HTTP Basic is refused; a token works.
    basic = base64.b64encode(f"ada:{PASSWORD}".encode()).decode()
    status, _, body = visitor.request(
        "POST", "/api/notes/", json_body={"title": "basic"},
        headers={"Authorization": f"Basic {basic}"},
    )  # fmt: skip
    assert status == 401, body
    status, _, body = visitor.request(
        "POST", "/api/token/", json_body={"username": "ada", "password": PASSWORD}
    )
    assert status == 200, body
    token = json.loads(body)["token"]
    status, _, body = visitor.request(
        "POST", "/api/notes/", json_body={"title": "mine"},
        headers={"Authorization": f"Token {token}"},
    )  # fmt: skip
    assert status == 201, body

    # Five wrong passwords answer as such; the sixth attempt waits, across both workers.
    guesser = ProxiedClient(base_url, client_address="198.51.100.9")
    statuses = []
    for n in range(6):
        status, headers, page = guesser.submit(
            "/accounts/login/", {"username": "ada", "password": f"wrong {n}"}
        )
        statuses.append(status)
    assert statuses == [200] * 5 + [429], statuses
    assert headers["Retry-After"] == "900"
    assert "Too many attempts" in page


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
