"""The FastAPI starter: every option renders a project that installs, passes its own tests
against real PostgreSQL, MariaDB and Redis, lints clean and serves /health."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pystarter.options import default_options
from tests.projects import (
    check_project,
    check_syntax_files,
    combo_id,
    render_project,
    runtime_combos,
    syntax_combos,
)

#: The renders the issue names; then runtime_combos adds what they leave out.
NAMED_COMBOS: list[dict[str, Any]] = [
    {},
    {
        "database": "postgresql",
        "use_auth": True,
        "use_celery": True,
        "use_docker": True,
        "ci": "github",
    },
    {"database": "mysql", "ci": "gitlab"},
    {"database": "none", "use_auth": False},
]
RUNTIME_KEYS = ("database", "use_auth", "use_celery")


def _runtime(answers: dict[str, Any]) -> tuple[Any, ...]:
    defaults = default_options("fastapi")
    return tuple(answers.get(key, defaults[key]) for key in RUNTIME_KEYS)


def _combos_to_run() -> list[dict[str, Any]]:
    """The named renders, and each runtime combo whose code none of them already runs."""
    covered = {_runtime(combo) for combo in NAMED_COMBOS}
    extra = [combo for combo in runtime_combos("fastapi") if _runtime(combo) not in covered]
    return NAMED_COMBOS + extra


RUNTIME_COMBOS = _combos_to_run()

#: Tests of the generated project that must exist, by the option that brings them.
EXPECTED_TESTS = {
    "always": [
        "test_health_answers_ok",
        "test_openapi_schema_lists_the_endpoints",
        "test_debug_is_off_unless_the_environment_turns_it_on",
    ],
    "database": [
        "test_migrations_match_the_models",
        "test_item_round_trip",
        "test_database_url_uses_the_async_driver",
    ],
    "use_auth": [
        "test_registered_user_logs_in_and_reads_their_account",
        "test_wrong_password_gets_no_token",
        "test_expired_token_is_refused",
    ],
    "use_celery": ["test_task_runs_eagerly", "test_task_runs_on_a_worker_through_redis"],
}


def _expected_tests(answers: dict[str, Any]) -> list[str]:
    database, use_auth, use_celery = _runtime(answers)
    on = {"always": True, "database": database != "none", "use_auth": use_auth,
          "use_celery": use_celery}  # fmt: skip
    return [name for option, names in EXPECTED_TESTS.items() if on[option] for name in names]


@pytest.mark.slow
@pytest.mark.parametrize(
    "answers", RUNTIME_COMBOS, ids=[combo_id(c) or "default" for c in RUNTIME_COMBOS]
)
def test_rendered_project_installs_passes_its_tests_and_serves_health(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project("fastapi", tmp_path, answers)

    output = check_project(project)

    # The project's own suite holds the behaviour: migrations in sync with the models (alembic
    # check), a database round trip, the auth flow, the Celery task on Redis, the OpenAPI schema.
    sources = "".join(path.read_text() for path in (project.path / "tests").glob("test_*.py"))
    for name in _expected_tests(answers):
        assert f"def {name}(" in sources, name
    summary = output.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary, summary


@pytest.mark.parametrize(
    "answers", syntax_combos("fastapi"), ids=[combo_id(c) for c in syntax_combos("fastapi")]
)
def test_docker_and_ci_files_pass_their_linters(tmp_path: Path, answers: dict[str, Any]) -> None:
    project = render_project("fastapi", tmp_path, answers)

    checked = check_syntax_files(project)

    assert ("Dockerfile" in checked) == answers["use_docker"]
    assert ("compose.yaml" in checked) == answers["use_docker"]
    assert (".github/workflows/ci.yml" in checked) == (answers["ci"] == "github")
    assert (".gitlab-ci.yml" in checked) == (answers["ci"] == "gitlab")


def _secret_key(project_path: Path) -> str:
    match = re.search(r"^SECRET_KEY=(.+)$", (project_path / ".env").read_text(), re.MULTILINE)
    assert match, ".env has no SECRET_KEY"
    return match.group(1)


def test_two_renders_never_share_a_secret_key(tmp_path: Path) -> None:
    first = render_project("fastapi", tmp_path, name="first")
    second = render_project("fastapi", tmp_path, name="second")

    first_key, second_key = _secret_key(first.path), _secret_key(second.path)

    assert first_key != second_key
    assert len(first_key) >= 32
    assert first_key not in (first.path / ".env.example").read_text()
    assert ".env" in (first.path / ".gitignore").read_text().splitlines()
    assert "secret_key" not in (first.path / ".copier-answers.yml").read_text()


def test_database_none_renders_no_sqlalchemy_and_no_example_resource(tmp_path: Path) -> None:
    project = render_project("fastapi", tmp_path, {"database": "none"})
    package = project.path / project.result["answers"]["package_name"]

    assert not (project.path / "migrations").exists()
    assert not (package / "models").exists()
    assert "sqlalchemy" not in (project.path / "pyproject.toml").read_text()
    assert "sqlalchemy" not in "".join(p.read_text() for p in package.rglob("*.py"))
