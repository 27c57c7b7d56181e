"""The Flask starter: every option renders a project that installs, passes its own tests
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
        "test_errors_are_json_for_clients_asking_json",
        "test_production_is_the_default_with_secure_cookies_and_no_debug",
        "test_the_app_refuses_to_start_without_a_real_secret_key",
    ],
    "database": [
        "test_the_migrations_match_the_models",
        "test_the_migrations_go_down_and_up_again",
        "test_a_note_makes_the_round_trip",
    ],
    "use_auth": [
        "test_the_account_page_needs_a_login",
        "test_registering_logs_in_and_opens_the_account_page",
        "test_logging_out_then_in_again",
        "test_passwords_are_stored_hashed",
        "test_forms_need_their_csrf_token",
    ],
    "use_rest_api": [
        "test_a_created_note_can_be_read_back",
        "test_invalid_input_is_refused_with_the_reason",
    ],
    "use_celery": ["test_add_runs_eagerly", "test_add_runs_on_a_worker_through_redis"],
    "use_auth+use_rest_api": [
        "test_anonymous_clients_cannot_write_notes",
        "test_only_the_owner_deletes_a_note",
    ],
}


@pytest.mark.slow
@each_runtime_combo("flask", NAMED_COMBOS)
def test_rendered_project_installs_passes_its_tests_and_serves_health(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project("flask", tmp_path, answers)

    # The project's own suite holds the behaviour: migrations in sync with the models
    # (flask db check), a database round trip, the auth flow with CSRF, the JSON API, the
    # Celery task on a real worker through Redis, production settings.
    check_project(project, expected_tests("flask", answers, EXPECTED_TESTS))


def test_with_every_option_off_the_app_carries_no_code_for_them(tmp_path: Path) -> None:
    project = render_project("flask", tmp_path, {"database": "none", "ci": "none"})
    package = project.path / project.result["answers"]["package_name"]

    assert sorted(p.name for p in package.glob("*.py")) == [
        "__init__.py",
        "__main__.py",
        "config.py",
        "errors.py",
        "main.py",
    ]
    assert not (project.path / "migrations").exists()
    code = "".join(p.read_text() for p in package.rglob("*.py"))
    dependencies = (project.path / "pyproject.toml").read_text()
    for library in ("sqlalchemy", "flask_login", "flask_wtf", "pydantic", "celery"):
        assert library not in code, library
        assert library.replace("_", "-") not in dependencies, library
