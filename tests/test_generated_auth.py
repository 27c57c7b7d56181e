"""With auth on, a generated project's example resource is protected on the running server.

The Flask and FastAPI renders are started with their README's run command against a real
PostgreSQL database: anonymous writes get 401, a logged-in user's writes succeed, and another
user's delete gets 403. (Django's notes API has the same rules, tested in its own suite.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    Client,
    Project,
    fresh_database,
    project_env,
    redis_url,
    render_project,
    running_server,
    shell,
)

PASSWORD = "correct horse battery staple"


def flask_user(base_url: str, username: str) -> Client:
    """Register through the HTML form, CSRF token and all: the client holds the session."""
    email = f"{username}@example.com"
    client = Client(base_url)
    status, page = client.request("GET", "/auth/register")
    assert status == 200, page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page
    form = {"email": email, "password": PASSWORD, "confirm": PASSWORD}
    status, page = client.request("POST", "/auth/register", form={**form, "csrf_token": token[1]})
    assert status == 200 and f"logged in as {email}" in page, (status, page)
    return client


def fastapi_user(base_url: str, username: str) -> Client:
    """Sign up and log in: the client sends the bearer token."""
    email = f"{username}@example.com"
    anonymous = Client(base_url)
    status, body = anonymous.request(
        "POST", "/users", json_body={"email": email, "password": PASSWORD}
    )
    assert status == 201, body
    status, body = anonymous.request(
        "POST", "/auth/token", form={"username": email, "password": PASSWORD}
    )
    assert status == 200, body
    return Client(base_url, {"Authorization": f"Bearer {json.loads(body)['access_token']}"})


#: framework -> (answers, collection path, a valid new object, how a user logs in)
CASES = {
    "flask": ({"use_rest_api": True}, "/api/notes", {"text": "mine"}, flask_user),
    "fastapi": ({}, "/items", {"title": "mine"}, fastapi_user),
}


@pytest.mark.slow
@pytest.mark.parametrize("framework", list(CASES))
def test_the_running_server_protects_the_example_resource(tmp_path: Path, framework: str) -> None:
    answers, collection, new_object, log_in = CASES[framework]
    project: Project = render_project(
        framework, tmp_path, {"database": "postgresql", "use_auth": True, **answers}
    )
    with fresh_database("postgresql") as url:
        env = project_env({"DATABASE_URL": url or "", "REDIS_URL": redis_url()}, project)
        shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
        with running_server(project, env) as base_url:
            anonymous = Client(base_url)
            ada = log_in(base_url, "ada")
            grace = log_in(base_url, "grace")

            assert anonymous.request("POST", collection, json_body=new_object)[0] == 401
            status, body = ada.request("POST", collection, json_body=new_object)
            assert status == 201, body
            item = f"{collection}/{json.loads(body)['id']}"
            assert anonymous.request("GET", item)[0] == 200
            assert anonymous.request("DELETE", item)[0] == 401
            assert grace.request("DELETE", item)[0] == 403
            assert ada.request("DELETE", item)[0] == 204
            assert anonymous.request("GET", item)[0] == 404
