"""The FastAPI starter as a person meets it, in Chromium with no network beyond 127.0.0.1:
/docs and /redoc render every operation from files the app serves itself, a page from an origin
in CORS_ORIGINS may call the API and others may not, and the production log is JSON lines.

Screenshots land in the test's tmp dir (screenshots/docs.png, screenshots/redoc.png).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser import browser_page, screenshot, served_project

pytestmark = pytest.mark.slow

ANSWERS = {"use_auth": True, "database": "sqlite"}
#: What /docs must list: (method, path) of every operation the render has.
OPERATIONS = {
    ("GET", "/health"),
    ("GET", "/items"),
    ("POST", "/items"),
    ("GET", "/items/{item_id}"),
    ("PUT", "/items/{item_id}"),
    ("PATCH", "/items/{item_id}"),
    ("DELETE", "/items/{item_id}"),
    ("POST", "/auth/token"),
    ("POST", "/auth/password-recovery"),
    ("POST", "/auth/reset-password"),
    ("GET", "/users"),
    ("POST", "/users"),
    ("GET", "/users/me"),
    ("PATCH", "/users/me/password"),
    ("PATCH", "/users/{user_id}"),
}


class FrontendPage(BaseHTTPRequestHandler):
    """A web page from another origin than the API's, as a frontend's dev server serves it."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>frontend</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def frontend() -> Iterator[int]:
    """The port of a local page server: http://localhost:PORT is the trusted frontend's origin,
    http://127.0.0.1:PORT another site's (both loopback, as the browser may reach only that)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontendPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def served(tmp_path: Path, frontend: int) -> Iterator[tuple[str, str, str]]:
    """The API's base URL, with CORS_ORIGINS naming the frontend; the frontend's origin, and
    another one."""
    allowed, other = f"http://localhost:{frontend}", f"http://127.0.0.1:{frontend}"
    env = {"CORS_ORIGINS": allowed, "LOG_FORMAT": "json"}
    with served_project("fastapi", tmp_path, ANSWERS, env=env) as (_, url):
        yield url, allowed, other


def test_docs_render_every_operation_offline(served: tuple[str, str, str], tmp_path: Path) -> None:
    base_url = served[0]
    blocked: list[str] = []
    errors: list[str] = []
    with browser_page(blocked) as page:
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base_url}/docs")
        page.wait_for_selector(".opblock-summary-path")
        operations = page.eval_on_selector_all(
            ".opblock",
            """blocks => blocks.map(b => [
                b.querySelector('.opblock-summary-method').textContent,
                b.querySelector('.opblock-summary-path').dataset.path,
            ])""",
        )
        authorize = page.locator("button.authorize").count()
        screenshot(page, tmp_path, "docs")

        page.goto(f"{base_url}/redoc")
        page.get_by_role("heading", name="Create Item").first.wait_for()
        redoc_paths = page.locator(".operation-type").count()
        screenshot(page, tmp_path, "redoc")

    assert blocked == []
    assert errors == []
    assert {(method, path) for method, path in operations} == OPERATIONS
    assert authorize == 1  # the OAuth2 password flow is offered
    assert redoc_paths >= len(OPERATIONS)


def test_only_a_configured_origin_may_call_the_api(
    served: tuple[str, str, str], tmp_path: Path
) -> None:
    base_url, allowed, other = served
    granted = preflight(base_url, allowed)
    refused = preflight(base_url, other)

    assert granted["status"] == 200
    assert granted["access-control-allow-origin"] == allowed
    assert "authorization" in str(granted["access-control-allow-headers"]).lower()
    assert "access-control-allow-origin" not in refused

    # In the browser, a page from each origin POSTs an item with a (bad) token. Playwright
    # answers preflights itself while it routes requests, so this half checks what the page may
    # read: the 401 from the allowed origin, nothing (a TypeError) from the other.
    blocked: list[str] = []
    outcomes = {}
    with browser_page(blocked) as page:
        for origin in (allowed, other):
            page.goto(f"{origin}/")
            outcomes[origin] = page.evaluate(
                """url => fetch(url, {
                    method: 'POST',
                    headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer x'},
                    body: JSON.stringify({title: 'from the frontend'}),
                }).then(response => response.status, error => error.name)""",
                f"{base_url}/items",
            )
    assert blocked == []
    assert outcomes == {allowed: 401, other: "TypeError"}

    # LOG_FORMAT=json, as in production: one object per line, uvicorn's access log too.
    records = wait_for_records(
        tmp_path / "server.log", lambda r: "OPTIONS /health" in r.get("message", "")
    )
    assert {r["logger"] for r in records} >= {"uvicorn.error", "uvicorn.access"}


def preflight(base_url: str, origin: str) -> dict[str, str | int]:
    """The status and headers of a browser's CORS preflight for a POST with a token."""
    request = urllib.request.Request(
        f"{base_url}/health",
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, headers = error.code, error.headers
    return {"status": status, **{k.lower(): v for k, v in headers.items()}}


def wait_for_records(
    log: Path, wanted: Callable[[dict[str, str]], bool], seconds: float = 10
) -> list[dict[str, str]]:
    """Every line of the server's log as JSON, once a record satisfies ``wanted`` (the access
    log line is written as the response goes out)."""
    deadline = time.monotonic() + seconds
    while True:
        lines = [line for line in log.read_text().splitlines() if line.strip()]
        records = [json.loads(line) for line in lines]
        if any(wanted(r) for r in records) or time.monotonic() > deadline:
            assert any(wanted(r) for r in records), lines
            return records
        time.sleep(0.2)
