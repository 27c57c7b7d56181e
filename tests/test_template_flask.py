"""The Flask starter: every option renders a project that installs, passes its own tests
against real PostgreSQL, MariaDB and Redis, lints clean and serves /health."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    check_project,
    each_runtime_combo,
    expected_tests,
    project_env,
    render_project,
    shell,
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
        "test_pages_link_the_stylesheet_and_favicon_which_are_served",
        "test_errors_are_json_for_clients_asking_json",
        "test_a_missing_page_is_the_sites_404_page_for_browsers",
        "test_a_crash_is_the_sites_500_page_for_browsers",
        "test_production_logs_one_line_per_record_traceback_included",
        "test_development_logs_plain_text",
        "test_the_log_level_comes_from_log_level",
        "test_production_is_the_default_with_secure_cookies_and_no_debug",
        "test_the_app_refuses_to_start_without_a_real_secret_key",
        "test_every_response_carries_the_security_headers",
        "test_behind_a_trusted_proxy_the_app_sees_https_and_the_clients_address",
        "test_forwarded_headers_are_not_believed_without_trusted_proxies",
        "test_hsts_lasts_hsts_seconds",
    ],
    "database": [
        "test_the_migrations_match_the_models",
        "test_migrate_writes_no_empty_revision_when_no_model_changed",
        "test_the_migrations_go_down_and_up_again",
        "test_a_note_makes_the_round_trip",
    ],
    "use_auth": [
        "test_the_account_page_needs_a_login",
        "test_logging_in_returns_to_the_page_that_asked",
        "test_logging_in_never_leaves_the_site",
        "test_registering_logs_in_and_opens_the_account_page",
        "test_logging_out_then_in_again",
        "test_passwords_are_stored_hashed",
        "test_forms_need_their_csrf_token",
        "test_the_email_is_kept_lower_cased_and_logs_in_in_any_case",
        "test_another_account_for_a_known_email_is_refused_in_any_case",
        "test_the_database_keeps_one_account_per_email",
        "test_signing_up_needs_an_email_address",
        "test_the_sixth_failed_login_in_a_row_answers_429_with_retry_after",
        "test_the_count_is_per_account_from_any_address",
        "test_the_count_is_per_address_across_accounts",
        "test_a_successful_login_starts_the_count_again",
        "test_a_new_worker_sees_the_count_so_far",
        "test_the_limit_comes_from_login_limit",
    ],
    "database+use_auth": ["test_the_upgrade_to_email_accounts_stops_with_the_accounts_to_fix"],
    "use_rest_api": [
        "test_a_created_note_can_be_read_back",
        "test_invalid_input_is_refused_with_the_reason",
        "test_notes_come_a_page_at_a_time_with_the_total",
        "test_a_page_out_of_bounds_is_refused",
    ],
    "use_celery": ["test_add_runs_eagerly", "test_add_runs_on_a_worker_through_redis"],
    "use_auth+use_rest_api": [
        "test_anonymous_clients_cannot_write_notes",
        "test_http_basic_authentication_is_refused",
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
        "security.py",  # ProxyFix and security headers: every project has them
    ]
    assert not (project.path / "migrations").exists()
    code = "".join(p.read_text() for p in package.rglob("*.py"))
    dependencies = (project.path / "pyproject.toml").read_text()
    for library in ("sqlalchemy", "flask_login", "flask_wtf", "pydantic", "celery"):
        assert library not in code, library
        assert library.replace("_", "-") not in dependencies, library


@pytest.mark.slow
def test_flask_db_says_what_it_runs_and_writes_no_empty_revision(tmp_path: Path) -> None:
    """Flask-Migrate's stock env.py and logging: the install's `db upgrade` names the
    revisions it runs; `db migrate` with no model change writes nothing and says so."""
    project = render_project("flask", tmp_path, {"database": "sqlite"})
    env = project_env({}, project)
    installed = shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
    assert "Running upgrade  -> 0001, Initial tables." in installed

    versions = project.path / "migrations" / "versions"
    revisions = sorted(versions.glob("*.py"))
    package = project.result["answers"]["package_name"]
    migrated = shell(f"uv run flask --app {package} db migrate -m nothing", project, env, 300)
    assert "No changes in schema detected." in migrated
    assert sorted(versions.glob("*.py")) == revisions


def test_env_example_lists_every_setting_the_code_reads(tmp_path: Path) -> None:
    answers = {"database": "postgresql", "use_auth": True, "use_rest_api": True,
               "use_celery": True}  # fmt: skip
    project = render_project("flask", tmp_path, answers)
    code = "".join(p.read_text() for p in project.path.rglob("*.py"))
    read = set(re.findall(r"os\.environ(?:\.get\(|\[)\"([A-Z_]+)\"", code))
    assert {"APP_ENV", "SECRET_KEY", "LOG_LEVEL", "DATABASE_URL", "REDIS_URL"} <= read
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", (project.path / ".env.example").read_text(), re.M))
    assert read <= listed, f".env.example lacks {sorted(read - listed)}"


def test_pages_get_the_shared_stylesheet_favicon_and_python_version(tmp_path: Path) -> None:
    project = render_project("flask", tmp_path, {"python_version": "3.12"})
    static = project.path / project.result["answers"]["package_name"] / "static"
    assert "font-family: system-ui" in (static / "css" / "site.css").read_text()
    assert (static / "favicon.svg").read_text().startswith("<svg ")
    assert (project.path / ".python-version").read_text() == "3.12\n"
