"""A generated project's tests never touch the development database, and never fall back.

Each framework's PostgreSQL render is installed and migrated against a development database
holding a row; its own test suite then runs with ``DATABASE_URL`` naming that database, and the
row and every table must still be there, with no test database left behind. Pointed at a server
that does not answer, the suite must fail with the reason, not quietly run on SQLite.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    TEST_TIMEOUT,
    fresh_database,
    project_env,
    psql,
    redis_url,
    render_project,
    shell,
)

#: A table every PostgreSQL render of the framework with auth migrates, and a row to put in it.
DEVELOPMENT_ROW = {
    "django": ("auth_group", {"name": "kept by the tests"}),
    "flask": ("users", {"email": "kept@example.com", "password_hash": "x"}),
    "fastapi": ("users", {"email": "kept@example.com", "hashed_password": "x"}),
}

#: Auth and the API on: their tests write to the database too.
ANSWERS = {"database": "postgresql", "use_auth": True, "use_rest_api": True}


def tables(database: str) -> list[str]:
    return psql(database, "select tablename from pg_tables where schemaname = 'public' order by 1")


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["django", "flask", "fastapi"])
def test_the_tests_leave_the_development_database_as_it_was(tmp_path: Path, framework: str) -> None:
    answers = {
        k: v for k, v in ANSWERS.items() if not (framework == "fastapi" and k == "use_rest_api")
    }
    project = render_project(framework, tmp_path, answers)
    table, row = DEVELOPMENT_ROW[framework]
    columns, values = ", ".join(row), ", ".join(f"'{v}'" for v in row.values())
    with fresh_database("postgresql") as url:
        assert url is not None
        name = url.rsplit("/", 1)[1]
        env = project_env({"DATABASE_URL": url, "REDIS_URL": redis_url()}, project)
        shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
        psql(name, f"insert into {table} ({columns}) values ({values})")
        tables_before = tables(name)

        output = shell(project.commands["test"], project, env, TEST_TIMEOUT)

        assert " passed" in output.strip().splitlines()[-1], output[-3000:]
        assert psql(name, f"select {columns} from {table}") == ["|".join(row.values())]
        assert tables(name) == tables_before
        leftovers = psql(
            "postgres", f"select datname from pg_database where datname like '%{name}%'"
        )
        assert leftovers == [name], f"test databases left behind: {leftovers}"


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["django", "flask", "fastapi"])
def test_the_tests_fail_when_the_database_server_does_not_answer(
    tmp_path: Path, framework: str
) -> None:
    project = render_project(framework, tmp_path, {"database": "postgresql"})
    with fresh_database("postgresql") as url:
        env = project_env({"DATABASE_URL": url or "", "REDIS_URL": redis_url()}, project)
        shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
    env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/nowhere"

    completed = subprocess.run(
        ["bash", "-c", project.commands["test"]],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TEST_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output[-3000:]
    assert " passed" not in output.strip().splitlines()[-1], output[-3000:]
    reason = [line for line in output.splitlines() if "cannot create the test database" in line]
    assert reason, output[-3000:]
    assert "127.0.0.1" in reason[0] and ("refused" in reason[0] or "failed" in reason[0]), reason
