"""The FastAPI starter: every option renders a project that installs, passes its own tests
against real PostgreSQL, MariaDB and Redis, lints clean and serves /health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.projects import (
    check_project,
    each_runtime_combo,
    expected_tests,
    render_project,
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
        "test_anonymous_clients_cannot_write_items",
        "test_only_the_owner_deletes_an_item",
        "test_health_answers_while_a_login_hashes_its_password",
    ],
    "use_celery": ["test_task_runs_eagerly", "test_task_runs_on_a_worker_through_redis"],
}


@pytest.mark.slow
@each_runtime_combo("fastapi", NAMED_COMBOS)
def test_rendered_project_installs_passes_its_tests_and_serves_health(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project("fastapi", tmp_path, answers)

    # The project's own suite holds the behaviour: migrations in sync with the models (alembic
    # check), a database round trip, the auth flow, the Celery task on Redis, the OpenAPI schema.
    check_project(project, expected_tests("fastapi", answers, EXPECTED_TESTS))


def test_database_none_renders_no_sqlalchemy_and_no_example_resource(tmp_path: Path) -> None:
    project = render_project("fastapi", tmp_path, {"database": "none"})
    package = project.path / project.result["answers"]["package_name"]

    assert not (project.path / "migrations").exists()
    assert not (package / "models").exists()
    assert "sqlalchemy" not in (project.path / "pyproject.toml").read_text()
    assert "sqlalchemy" not in "".join(p.read_text() for p in package.rglob("*.py"))
