"""What every built-in template owes, checked the same way for all three: Docker and CI files
that pass their linters, and a secret of its own for every render."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pystarter.options import FRAMEWORKS
from tests.projects import check_syntax_files, combo_id, env_secret, render_project, syntax_combos

SYNTAX_CASES = [
    (framework, combo) for framework in FRAMEWORKS for combo in syntax_combos(framework)
]


@pytest.mark.slow  # hadolint, actionlint and friends over every combo: minutes
@pytest.mark.parametrize(
    ("framework", "answers"), SYNTAX_CASES, ids=[f"{fw}-{combo_id(c)}" for fw, c in SYNTAX_CASES]
)
def test_docker_and_ci_files_pass_their_linters(
    tmp_path: Path, framework: str, answers: dict[str, Any]
) -> None:
    project = render_project(framework, tmp_path, answers)

    checked = check_syntax_files(project)

    assert ("Dockerfile" in checked) == answers["use_docker"]
    assert ("compose.yaml" in checked) == answers["use_docker"]
    assert (".github/workflows/ci.yml" in checked) == (answers["ci"] == "github")
    assert (".gitlab-ci.yml" in checked) == (answers["ci"] == "gitlab")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_two_renders_never_share_a_secret_key(tmp_path: Path, framework: str) -> None:
    # FastAPI has a secret only with accounts (it signs their tokens).
    answers = {"use_auth": True} if framework == "fastapi" else None
    first = render_project(framework, tmp_path, answers, name="first")
    second = render_project(framework, tmp_path, answers, name="second")

    key = env_secret(first)

    assert key != env_secret(second)
    assert len(key) >= 50  # what Django's `check --deploy` asks of a production key
    assert key not in (first.path / ".env.example").read_text()
    assert key not in (first.path / ".copier-answers.yml").read_text()
    assert ".env" in (first.path / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize("database", ["sqlite", "none"])
def test_fastapi_without_auth_requires_no_secret_key(tmp_path: Path, database: str) -> None:
    project = render_project(
        "fastapi", tmp_path, {"database": database, "use_auth": False, "ci": "github"}
    )
    holders = [
        p.relative_to(project.path).as_posix()
        for p in project.path.rglob("*")
        if p.is_file() and "SECRET_KEY" in p.read_text()
    ]
    # Nothing reads a secret, so none is written: not in .env, not in .env.example, not in CI.
    assert holders == [], holders
    config = next(project.path.glob("*/core/config.py")).read_text()
    assert "secret_key" not in config


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_plain_copier_derives_usable_names_from_a_punctuated_project_name(
    tmp_path: Path, framework: str
) -> None:
    """The templates stand alone: ``copier copy`` with only a name gives a valid slug and
    package (pystarter itself always passes the names it derives)."""
    import yaml
    from copier import run_copy

    from pystarter.sources import builtin_source

    run_copy(
        builtin_source(framework).location, tmp_path,
        data={"framework": framework, "project_name": "  My Shop: v2!"},
        defaults=True, unsafe=True, quiet=True,
    )  # fmt: skip

    answers = yaml.safe_load((tmp_path / ".copier-answers.yml").read_text())
    assert (answers["project_slug"], answers["package_name"]) == ("my-shop-v2", "my_shop_v2")
    assert (tmp_path / "my_shop_v2" / "__init__.py").is_file()


MIGRATE = {
    "django": "manage.py migrate",
    "flask": "db upgrade",
    "fastapi": "alembic upgrade head",
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_install_step_applies_the_migrations(tmp_path: Path, framework: str) -> None:
    """The next steps a person follows end with tables in the database, not a 500."""
    import json

    from tests.helpers import invoke

    result = invoke(
        "new", str(tmp_path / "app"), "-f", framework, "--database", "sqlite",
        "--no-input", "--no-git", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    commands = json.loads(result.stdout)["commands"]
    assert MIGRATE[framework] in commands["install"]


@pytest.mark.slow  # builds pystarter's wheel and installs it
def test_renders_from_an_installed_wheel_hold_only_template_files(tmp_path: Path) -> None:
    """pip byte-compiles the templates folder inside the wheel; none of it reaches a project
    (copier's ``_exclude``), and the project holds exactly the files --json lists."""
    import json
    import os
    import subprocess
    import sys

    from tests.helpers import REPO, pip_install_target

    built = subprocess.run(
        [sys.executable, "-m", "uv", "build", "--wheel", "--out-dir", str(tmp_path / "dist")],
        cwd=REPO, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    installed = pip_install_target(next((tmp_path / "dist").glob("*.whl")), tmp_path / "site")
    assert list((installed / "pystarter" / "templates").rglob("*.pyc"))  # pip compiled them
    env = {**os.environ, "PYTHONPATH": str(installed)}
    ask = "from pystarter.builtin import builtin_templates_dir as d; print(d())"
    where = subprocess.run(
        [sys.executable, "-c", ask], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert where == str(installed / "pystarter" / "templates")  # the wheel's, not the checkout's
    for framework in FRAMEWORKS:
        project = tmp_path / f"demo-{framework}"
        made = subprocess.run(
            [sys.executable, "-m", "pystarter", "new", str(project), "-f", framework,
             "--no-input", "--no-git", "--json"],
            env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        listed = json.loads(made.stdout)["files"]
        on_disk = sorted(
            p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()
        )
        answers = (project / ".copier-answers.yml").read_text()
        assert f"_src_path: builtin:{framework}\n" in answers  # no path of this machine
        assert str(installed) not in answers
        assert on_disk == sorted(listed)
        assert not [f for f in on_disk if f.endswith(".pyc") or "__pycache__" in f]


@pytest.mark.parametrize(("python", "django_major"), [("3.11", 5), ("3.12", 6), ("3.14", 6)])
def test_one_django_major_across_pyproject_python_version_ci_and_docker(
    tmp_path: Path, python: str, django_major: int
) -> None:
    project = render_project(
        "django", tmp_path, {"python_version": python, "use_docker": True, "ci": "github"}
    )
    pyproject = (project.path / "pyproject.toml").read_text()

    assert re.findall(r'"django(?:\[[a-z0-9,]+\])?(>=[^"]*)"', pyproject) == [
        f">={'5.2' if django_major == 5 else '6.1'},<{django_major + 1}"
    ]
    assert not re.search(r";\s*python_version", pyproject)  # no marker picking another major
    assert (project.path / ".python-version").read_text().strip() == python
    assert f"FROM python:{python}-slim" in (project.path / "Dockerfile").read_text()
    ci = (project.path / ".github" / "workflows" / "ci.yml").read_text()
    assert f'python-version: "{python}"' in ci


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_dependency_is_bounded_below_its_next_major(tmp_path: Path, framework: str) -> None:
    answers = {"database": "postgresql", "use_auth": True, "use_celery": True}
    if framework != "fastapi":
        answers["use_rest_api"] = True
    project = render_project(framework, tmp_path, answers)
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text())
    requirements = pyproject["project"]["dependencies"] + pyproject["dependency-groups"]["dev"]

    unbounded = [r for r in requirements if not re.search(r">=[\d.]+,<\d+$", r.split(";")[0])]
    assert not unbounded, unbounded


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_ci_and_docker_install_exactly_the_lock(tmp_path: Path, framework: str) -> None:
    project = render_project(framework, tmp_path, {"use_docker": True, "ci": "github"})
    dockerfile = (project.path / "Dockerfile").read_text()
    ci = (project.path / ".github" / "workflows" / "ci.yml").read_text()

    syncs = re.findall(r"uv sync[^\n\\]*", dockerfile + ci)
    assert syncs and all("--locked" in sync for sync in syncs), syncs
    assert "COPY pyproject.toml uv.lock ./" in dockerfile
    assert "persist-credentials: false" in ci and "timeout-minutes:" in ci
    assert "concurrency:" in ci
    # installed as root, then run as a user who cannot rewrite the code or the virtualenv
    assert dockerfile.rindex("uv sync --locked --no-dev") < dockerfile.index("USER 10001")
    assert "--chown" not in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/health" in dockerfile
