"""The Django starter: every option renders a project that installs, passes its own tests
against real PostgreSQL, MariaDB and Redis, lints clean, serves /health and its admin login."""

from __future__ import annotations

import re
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.projects import (
    Project,
    all_pairs_combos,
    check_project,
    each_runtime_combo,
    expected_tests,
    free_port,
    fresh_database,
    project_env,
    pystarter,
    redis_url,
    render_project,
    sampled_for_the_fast_tier,
    stop,
    wait_for_json,
    with_defaults,
)

#: The renders the issue names, on Python 3.12 so that they install Django 6 (which needs it;
#: on 3.11 the template falls back to Django 5.2 LTS, which the runtime combos cover); then
#: runtime_combos adds what they leave out.
NAMED_COMBOS: list[dict[str, Any]] = [
    {"python_version": "3.12"},
    {
        "python_version": "3.12",
        "database": "postgresql",
        "use_rest_api": True,
        "use_celery": True,
        "use_docker": True,
        "ci": "github",
    },
    {"python_version": "3.12", "database": "mysql", "use_auth": False, "ci": "gitlab"},
]

#: Tests of the generated project that must exist, by the option that brings them.
EXPECTED_TESTS = {
    "always": [
        "test_health_answers_ok",
        "test_admin_login_page_answers",
        "test_a_user_round_trips_through_the_database",
        "test_models_and_migrations_are_in_sync",
        "test_deploy_check_is_clean_with_production_settings",
        "test_production_refuses_to_start_without_a_secret_key",
        "test_development_shows_debug_pages_and_prints_emails",
        "test_production_pins_debug_off_and_sends_email_over_smtp",
        "test_the_tests_hash_passwords_fast_and_keep_emails_in_memory",
        "test_development_logs_readable_lines_from_the_level_the_environment_sets",
        "test_production_logs_one_line_per_record_with_the_time",
        "test_database_connections_are_kept_for_the_age_the_environment_sets",
        "test_the_asgi_application_answers_health",
        "test_pages_link_the_favicon_and_it_is_served",
        "test_a_missing_page_renders_the_404_template",
        "test_a_server_error_renders_the_500_template",
    ],
    "use_auth": [
        "test_a_visitor_signs_up_and_is_logged_in",
        "test_a_user_logs_in_and_out",
        "test_a_forgotten_password_is_reset_through_the_emailed_link",
    ],
    "use_rest_api": [
        "test_anyone_lists_notes_a_page_at_a_time",
        "test_a_logged_in_user_creates_a_note_they_own",
        "test_anonymous_visitors_cannot_create_notes",
        "test_only_the_owner_deletes_a_note",
        "test_only_the_owner_updates_a_note",
        "test_anyone_reads_the_api_root",
        "test_the_browsable_api_links_to_its_login_page",
        "test_a_user_logs_in_on_the_browsable_api_login_page",
        "test_the_openapi_schema_describes_the_notes",
        "test_the_schema_is_generated_without_warnings",
        "test_the_api_docs_load_swagger_ui_from_this_site",
    ],
    "use_celery": ["test_count_users_runs_eagerly", "test_a_worker_runs_count_users_through_redis"],
}


def _served_status(project: Project, path: str) -> int:
    """Start the project's run command against a fresh database and GET ``path``."""
    with fresh_database(with_defaults("django", project.answers)["database"]) as url:
        extra = {"REDIS_URL": redis_url(), "PORT": str(free_port())}
        if url:
            extra["DATABASE_URL"] = url
        env = project_env(extra, project)
        server = subprocess.Popen(
            ["bash", "-c", project.commands["run"]],
            cwd=project.path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{env['PORT']}"
            wait_for_json(f"{base}/health", server)
            with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
                return response.status
        finally:
            stop(server)


@pytest.mark.slow
@each_runtime_combo("django", NAMED_COMBOS)
def test_rendered_project_installs_passes_its_tests_and_serves_health(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project("django", tmp_path, answers)

    # The project's own suite holds the behaviour: `check --deploy` clean with production
    # settings, makemigrations --check, a database round trip, the admin login page, the auth
    # flow, the REST API's permissions and pages, the Celery task on a real Redis worker.
    check_project(project, expected_tests("django", answers, EXPECTED_TESTS), min_tests=5)
    assert _served_status(project, "/admin/login/") == 200


def test_database_none_is_refused_with_the_reason(tmp_path: Path) -> None:
    completed = pystarter(
        "new", str(tmp_path / "demo"), "-f", "django", "--no-input", "--database", "none"
    )

    assert completed.returncode == 2
    assert "database" in completed.stderr
    assert not (tmp_path / "demo").exists()


def test_options_that_are_off_leave_no_files_behind(tmp_path: Path) -> None:
    project = render_project(
        "django", tmp_path, {"use_auth": False, "use_docker": False, "ci": "none"}
    )
    files = set(project.result["files"])
    package = project.result["answers"]["package_name"]

    assert f"{package}/users/models.py" in files  # the custom user model is always there
    for absent in ("notes", "api.py", "celery.py", "users/views.py", "templates/registration"):
        assert not any(f.startswith(f"{package}/{absent}") for f in files), absent
    assert not {"Dockerfile", "compose.yaml", ".gitlab-ci.yml"} & files
    assert not any(f.startswith(".github/") for f in files)
    assert "rest_framework" not in (project.path / package / "settings" / "base.py").read_text()


#: What the generated code reads from the environment: django-environ's env.<type>("NAME"),
#: os.environ.get("NAME") and os.environ.setdefault("NAME").
READS_ENV = re.compile(r'(?:\benv\.\w+|os\.environ\.(?:get|setdefault))\(\s*"([A-Z_]+)"')


@pytest.mark.parametrize("answers", sampled_for_the_fast_tier(all_pairs_combos("django")))
def test_env_example_lists_every_variable_the_code_reads(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project("django", tmp_path, answers)
    package = project.result["answers"]["package_name"]
    sources = [project.path / "manage.py", *(project.path / package).rglob("*.py")]
    read = {name for path in sources for name in READS_ENV.findall(path.read_text())}
    example = (project.path / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", example, re.MULTILINE))

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "PORT", "DJANGO_LOG_LEVEL"} <= read
    assert read - listed == set(), example
    readme = (project.path / "README.md").read_text()
    assert [name for name in read if f"`{name}" not in readme] == []
