"""The FastAPI starter: every option renders a project that installs, passes its own tests
against real PostgreSQL, MariaDB and Redis, lints clean and serves /health."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import invoke
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
    # Logins throttled in the database (no Redis) on MariaDB.
    {"database": "mysql", "use_auth": True},
    {"database": "none", "use_auth": False},
]

#: Tests of the generated project that must exist, by the option that brings them.
EXPECTED_TESTS = {
    "always": [
        "test_health_answers_ok",
        "test_openapi_schema_lists_the_endpoints",
        "test_debug_is_off_unless_the_environment_turns_it_on",
        "test_docs_load_only_files_this_app_serves",
        "test_a_preflight_from_a_configured_origin_is_allowed",
        "test_a_preflight_from_another_origin_is_not",
        "test_cors_origins_are_a_comma_separated_or_json_list",
        "test_production_writes_one_json_object_per_record",
        "test_development_writes_plain_text",
        "test_log_level_drops_the_records_below_it",
        "test_env_example_lists_every_setting",
        "test_every_response_carries_the_security_headers",
        "test_https_responses_carry_hsts",
    ],
    "database": [
        "test_migrations_match_the_models",
        "test_item_round_trip",
        "test_database_url_uses_the_async_driver",
        "test_the_list_has_pages_and_a_count",
    ],
    "use_auth": [
        "test_registered_user_logs_in_and_reads_their_account",
        "test_wrong_password_gets_no_token",
        "test_expired_token_is_refused",
        "test_anonymous_clients_cannot_write_items",
        "test_only_the_owner_changes_or_deletes_an_item",
        "test_health_answers_while_a_login_hashes_its_password",
        # on the public internet: the auth contract, throttling, one account per email, accounts
        "test_http_basic_credentials_are_refused",
        "test_a_signed_token_with_a_malformed_subject_is_refused",
        "test_email_is_registered_only_once_in_any_case",
        "test_the_sixth_failed_login_for_an_account_is_refused_with_retry_after",
        "test_the_sixth_failed_login_from_an_address_is_refused",
        "test_a_successful_login_clears_the_accounts_count",
        "test_the_count_is_seen_by_another_process",
        "test_changing_the_password_needs_the_current_one",
        "test_a_password_is_reset_with_the_token_in_the_email",
        "test_with_smtp_host_the_reset_email_is_sent_through_it",
        "test_create_superuser_reads_the_environment_and_runs_again_harmlessly",
        "test_a_disabled_account_can_neither_log_in_nor_use_its_token",
        "test_an_account_without_email_stops_the_migration",
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


#: One render per database, with every option that adds a setting.
SETTINGS_COMBOS: list[dict[str, Any]] = [
    {"database": db, "use_auth": db != "none", "use_celery": True}
    for db in ("sqlite", "postgresql", "mysql", "none")
]


def settings_fields(project_path: Path) -> set[str]:
    """The fields of ``Settings`` in the rendered core/config.py, as environment variables."""
    config = next(project_path.glob("*/core/config.py")).read_text()
    body = config.split("class Settings(BaseSettings):", 1)[1]
    return {name.upper() for name in re.findall(r"^    ([a-z_]+): ", body, re.MULTILINE)}


@pytest.mark.parametrize("answers", SETTINGS_COMBOS, ids=lambda a: a["database"])
def test_env_example_lists_every_setting_the_code_reads(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project("fastapi", tmp_path, answers)
    fields = settings_fields(project.path)
    example = (project.path / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))

    assert {"DEBUG", "LOG_LEVEL", "CORS_ORIGINS", "HOST", "PORT"} <= fields
    assert ("SECRET_KEY" in fields) == answers["use_auth"]
    assert ("DATABASE_URL" in fields) == (answers["database"] != "none")
    assert fields <= listed, fields - listed
    readme = (project.path / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in fields), fields


@pytest.mark.parametrize("use_auth", [True, False])
def test_env_holds_a_secret_only_when_accounts_sign_tokens(tmp_path: Path, use_auth: bool) -> None:
    project = render_project("fastapi", tmp_path, {"use_auth": use_auth})
    env = (project.path / ".env").read_text()

    assert ("SECRET_KEY=" in env) == use_auth
    assert "Nothing reads" not in env


def test_docs_assets_come_from_a_bounded_fastapi_offline(tmp_path: Path) -> None:
    project = render_project("fastapi", tmp_path)
    pyproject = (project.path / "pyproject.toml").read_text()
    docs = next(project.path.glob("*/core/docs.py")).read_text()

    assert re.search(r'"fastapi-offline>=1\.\d+,<2"', pyproject)
    assert '("fastapi_offline", "static")' in docs


def test_adding_accounts_later_says_how_to_put_a_secret_in_env(tmp_path: Path) -> None:
    """``.env`` is the user's: ``add auth`` keeps it, so the next steps write the new secret."""
    project = render_project("fastapi", tmp_path, {"use_auth": False}, git=True)
    added = invoke("add", "auth", "--path", str(project.path))
    assert added.exit_code == 0, added.stderr
    step = next(line for line in added.stdout.splitlines() if "SECRET_KEY" in line)
    command = step.split(": ", 1)[1].replace("python ", f"{sys.executable} ", 1)

    subprocess.run(["bash", "-c", command], cwd=project.path, check=True)

    secrets = re.findall(r"^SECRET_KEY=(\S+)$", (project.path / ".env").read_text(), re.MULTILINE)
    assert len(secrets) == 1 and len(secrets[0]) >= 50, secrets
