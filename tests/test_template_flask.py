"""The Flask starter: every option renders a project that installs, passes its own tests
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
RUNTIME_KEYS = ("database", "use_auth", "use_rest_api", "use_celery")


def _runtime(answers: dict[str, Any]) -> tuple[Any, ...]:
    defaults = default_options("flask")
    return tuple(answers.get(key, defaults[key]) for key in RUNTIME_KEYS)


def _combos_to_run() -> list[dict[str, Any]]:
    """The named renders, and each runtime combo whose code none of them already runs."""
    covered = {_runtime(combo) for combo in NAMED_COMBOS}
    extra = [combo for combo in runtime_combos("flask") if _runtime(combo) not in covered]
    return NAMED_COMBOS + extra


RUNTIME_COMBOS = _combos_to_run()

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
}


def _expected_tests(answers: dict[str, Any]) -> list[str]:
    database, use_auth, use_rest_api, use_celery = _runtime(answers)
    on = {"always": True, "database": database != "none", "use_auth": use_auth,
          "use_rest_api": use_rest_api, "use_celery": use_celery}  # fmt: skip
    return [name for option, names in EXPECTED_TESTS.items() if on[option] for name in names]


@pytest.mark.slow
@pytest.mark.parametrize(
    "answers", RUNTIME_COMBOS, ids=[combo_id(c) or "default" for c in RUNTIME_COMBOS]
)
def test_rendered_project_installs_passes_its_tests_and_serves_health(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project("flask", tmp_path, answers)

    output = check_project(project)

    # The project's own suite holds the behaviour: migrations in sync with the models
    # (flask db check), a database round trip, the auth flow with CSRF, the JSON API, the
    # Celery task on a real worker through Redis, production settings.
    sources = "".join(path.read_text() for path in (project.path / "tests").glob("test_*.py"))
    for name in _expected_tests(answers):
        assert f"def {name}(" in sources, name
    summary = output.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary, summary


@pytest.mark.parametrize(
    "answers", syntax_combos("flask"), ids=[combo_id(c) for c in syntax_combos("flask")]
)
def test_docker_and_ci_files_pass_their_linters(tmp_path: Path, answers: dict[str, Any]) -> None:
    project = render_project("flask", tmp_path, answers)

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
    first = render_project("flask", tmp_path, name="first")
    second = render_project("flask", tmp_path, name="second")

    first_key, second_key = _secret_key(first.path), _secret_key(second.path)

    assert first_key != second_key
    assert len(first_key) >= 32
    assert first_key not in (first.path / ".env.example").read_text()
    assert ".env" in (first.path / ".gitignore").read_text().splitlines()
    assert "secret_key" not in (first.path / ".copier-answers.yml").read_text()


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
