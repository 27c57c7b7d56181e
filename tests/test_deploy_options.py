"""``--deploy``: its rules in the option table, through the CLI (flags, ``--data``, ``add`` and
``remove``), and what each target renders. The rehearsal of the files is
tests/test_deploy_rehearsal.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pystarter.options import allowed_choices, implied
from tests.helpers import invoke, path_without_uv
from tests.projects import check_project, render_project

FRESH_DISK = ("heroku", "railway", "elastic-beanstalk")
UV_FOLDER = str(Path(sys.executable).parent)  # the uv of the test extra
NEEDS_IMAGE = ("fly", "compose")


@pytest.fixture(autouse=True)
def uv_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deploy target needs uv (for uv.lock): these renders have it, as a user's would."""
    monkeypatch.setenv("PATH", f"{UV_FOLDER}{os.pathsep}{os.environ['PATH']}")


def new(tmp_path: Path, *args: str, name: str = "shop") -> tuple[int, dict, str]:
    result = invoke("new", str(tmp_path / name), "--no-input", "--no-git", "--json", *args)
    payload = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, payload, result.stderr


@pytest.mark.parametrize("target", FRESH_DISK)
def test_a_fresh_disk_target_defaults_to_postgresql_and_says_so(
    tmp_path: Path, target: str
) -> None:
    status, payload, stderr = new(tmp_path, "-f", "django", "--deploy", target)
    assert status == 0, stderr
    assert payload["answers"]["database"] == "postgresql"
    assert payload["answers"]["deploy"] == target
    assert any(f"--deploy {target} implies --database postgresql" in n for n in payload["notes"])


@pytest.mark.parametrize("target", FRESH_DISK)
def test_a_fresh_disk_target_refuses_sqlite_given_any_way(tmp_path: Path, target: str) -> None:
    for args, typed in (
        (("--database", "sqlite", "--deploy", target), f"--database sqlite with --deploy {target}"),
        (
            ("--data", "database=sqlite", "--data", f"deploy={target}"),
            f"--data database=sqlite with --data deploy={target}",  # as the user typed them
        ),
    ):
        status, _, stderr = new(tmp_path, "-f", "flask", *args)
        assert status == 2
        assert typed in stderr
        assert "fresh disk" in stderr
        assert not (tmp_path / "shop").exists()
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text(f"database: sqlite\ndeploy: {target}\n")
    status, _, stderr = new(tmp_path, "-f", "fastapi", "--answers-file", str(answers_file))
    assert status == 2 and "fresh disk" in stderr


def test_another_database_is_kept_with_a_fresh_disk_target(tmp_path: Path) -> None:
    status, payload, stderr = new(
        tmp_path, "-f", "flask", "--deploy", "heroku", "--database", "none"
    )
    assert status == 0, stderr
    assert payload["answers"]["database"] == "none"
    assert not any("implies" in n for n in payload["notes"])


@pytest.mark.parametrize("target", NEEDS_IMAGE)
def test_an_image_target_turns_docker_on_and_says_so(tmp_path: Path, target: str) -> None:
    status, payload, stderr = new(tmp_path, "-f", "fastapi", "--deploy", target)
    assert status == 0, stderr
    assert payload["answers"]["use_docker"] is True
    assert payload["answers"]["database"] == "sqlite"  # on a volume: kept
    assert any(f"--deploy {target} implies --docker" in n for n in payload["notes"])
    assert "Dockerfile" in payload["files"]


@pytest.mark.parametrize("target", NEEDS_IMAGE)
def test_an_image_target_refuses_no_docker(tmp_path: Path, target: str) -> None:
    status, _, stderr = new(tmp_path, "-f", "django", "--deploy", target, "--no-docker")
    assert status == 2
    assert f"--no-docker with --deploy {target}" in stderr
    assert "runs the Docker image" in stderr


def test_an_unknown_target_lists_the_choices(tmp_path: Path) -> None:
    status, _, stderr = new(tmp_path, "-f", "django", "--deploy", "netlify")
    assert status == 2
    assert "heroku, railway, fly, elastic-beanstalk, compose, none" in stderr


def test_no_target_by_default_and_nothing_implied(tmp_path: Path) -> None:
    status, payload, stderr = new(tmp_path, "-f", "django")
    assert status == 0, stderr
    assert payload["answers"]["deploy"] == "none"
    assert payload["answers"]["database"] == "sqlite"
    assert payload["answers"]["use_docker"] is False
    assert not {"Procfile", "app.json", "railway.json", "fly.toml"} & set(payload["files"])


def test_the_wizard_offers_only_what_the_earlier_answers_allow() -> None:
    assert "heroku" not in allowed_choices("deploy", "flask", {"database": "sqlite"})
    assert "heroku" in allowed_choices("deploy", "flask", {"database": "postgresql"})
    assert "fly" not in allowed_choices("deploy", "flask", {"use_docker": False})
    assert "fly" in allowed_choices("deploy", "flask", {"use_docker": True})
    assert "sqlite" not in allowed_choices("database", "django", {"deploy": "railway"})


def test_implications_never_override_an_answer() -> None:
    assert implied({"deploy": "heroku"}) == {"database": "postgresql"}
    assert implied({"deploy": "heroku", "database": "mysql"}) == {}
    assert implied({"deploy": "fly"}) == {"use_docker": True}
    assert implied({"deploy": "none"}) == {}


def test_the_answers_file_records_the_target(tmp_path: Path) -> None:
    status, _, stderr = new(tmp_path, "-f", "flask", "--deploy", "railway")
    assert status == 0, stderr
    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["deploy"] == "railway" and answers["database"] == "postgresql"


def test_add_and_remove_deploy_follow_the_rules(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    made = invoke("new", str(project), "-f", "flask", "--no-input")
    assert made.exit_code == 0, made.stderr
    refused = invoke("add", "deploy", "heroku", "--path", str(project))
    assert refused.exit_code == 2 and "--database sqlite with --deploy heroku" in refused.stderr
    no_value = invoke("add", "deploy", "--path", str(project))
    assert no_value.exit_code == 2 and "pystarter add deploy heroku" in no_value.stderr
    (project / "notes.txt").write_text("wip\n")
    dirty = invoke("add", "deploy", "compose", "--path", str(project))
    assert dirty.exit_code == 2 and "uncommitted changes" in dirty.stderr


def test_remove_docker_is_refused_naming_the_target(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    made = invoke("new", str(project), "-f", "fastapi", "--deploy", "fly", "--no-input")
    assert made.exit_code == 0, made.stderr
    refused = invoke("remove", "docker", "--path", str(project))
    assert refused.exit_code == 2
    assert "--no-docker with --deploy fly" in refused.stderr


@pytest.mark.slow
def test_add_deploy_fly_turns_docker_on_and_gives_the_files_of_a_render_with_it(
    tmp_path: Path,
) -> None:
    project = tmp_path / "added" / "svc"
    made = invoke("new", str(project), "-f", "flask", "--database", "postgresql", "--no-input")
    assert made.exit_code == 0, made.stderr

    added = invoke("add", "deploy", "fly", "--path", str(project), "--json")

    assert added.exit_code == 0, added.stderr
    git = ["git", "-C", str(project)]
    subprocess.run([*git, "commit", "-qam", "add deploy fly", "--no-gpg-sign"], check=True)
    rendered = tmp_path / "rendered" / "svc"
    made = invoke("new", str(rendered), "-f", "flask", "--database", "postgresql", "--deploy",
                  "fly", "--no-input")  # fmt: skip
    assert made.exit_code == 0, made.stderr
    files = tracked(project)
    assert files == tracked(rendered)
    assert {"fly.toml", "Dockerfile", "compose.yaml", ".dockerignore"} <= set(files)
    different = [f for f in files if (project / f).read_bytes() != (rendered / f).read_bytes()]
    assert different == [".copier-answers.yml"] or different == [], different
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["deploy"] == "fly" and answers["use_docker"] is True


def tracked(project: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(project), "ls-files"], capture_output=True, text=True, check=True
    )
    return sorted(listed.stdout.splitlines())


def test_a_deploy_target_without_uv_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(path_without_uv(tmp_path)))
    status, _, stderr = new(tmp_path, "-f", "fastapi", "--deploy", "fly")
    assert status == 2
    assert "--deploy fly needs uv.lock" in stderr and "install uv" in stderr
    assert not (tmp_path / "shop").exists()


@pytest.mark.slow
def test_a_deploy_target_is_locked_without_git(tmp_path: Path) -> None:
    status, _, stderr = new(tmp_path, "-f", "fastapi", "--deploy", "elastic-beanstalk")
    assert status == 0, stderr
    project = tmp_path / "shop"
    assert (project / "uv.lock").exists() and not (project / ".git").exists()
    assert "fastapi==" in (project / "requirements.txt").read_text()


REDISS = "test_a_rediss_url_turns_on_tls_for_broker_and_results"
REQUIREMENTS = "test_requirements_pin_the_locked_versions"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "answers", "expected"),
    [
        ("django", {"deploy": "elastic-beanstalk", "database": "postgresql", "use_celery": True},
         [REDISS, REQUIREMENTS, "test_health_is_answered_for_a_load_balancers_host"]),
        ("flask", {"deploy": "heroku", "database": "postgresql", "use_celery": True,
                   "use_auth": True}, [REDISS]),
        ("fastapi", {"deploy": "elastic-beanstalk", "database": "postgresql", "use_celery": True,
                     "use_auth": True}, [REDISS, REQUIREMENTS]),
        ("fastapi", {"deploy": "fly", "database": "sqlite"},
         ["test_a_relative_sqlite_path_is_in_the_project_whatever_the_folder"]),
    ],
    ids=["django-eb", "flask-heroku", "fastapi-eb", "fastapi-fly-sqlite"],
)  # fmt: skip
def test_a_render_with_a_target_passes_its_own_checks(
    framework: str, answers: dict, expected: list[str], tmp_path: Path
) -> None:
    """Tests, coverage, ruff, mypy and /health, as every render must (tests/projects.py)."""
    project = render_project(framework, tmp_path, answers)
    check_project(project, expected)
