"""What pystarter hands out is safe by default: a secret of its own per render that git never
sees, debug off unless the environment turns it on, Django's deploy checks clean with the
production settings, bandit clean at medium severity, and no known-vulnerable dependency
(pip-audit, when the vulnerability data can be reached).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from pystarter.options import OPTIONS, allowed_choices, clashes, default_options
from pystarter.sources import builtin_templates_dir
from tests.projects import (
    BIN,
    INSTALL_TIMEOUT,
    Project,
    project_env,
    render_project,
    shell,
)

FRAMEWORKS = [
    fw for fw in ("django", "flask", "fastapi") if (builtin_templates_dir() / fw).is_dir()
]
#: Where each built-in keeps its secret in ``.env``.
SECRET_VARIABLES = ("DJANGO_SECRET_KEY", "SECRET_KEY")
MIN_SECRET_LENGTH = 50
#: Python that prints whether the installed project runs with debug on; ``{package}`` filled in.
DEBUG_PROBES = {
    "django": "import django; django.setup(); from django.conf import settings;"
    " print(settings.DEBUG)",
    "flask": "from {package} import create_app; app = create_app();"
    " print(app.debug or app.config['DEBUG'])",
    "fastapi": "from {package}.main import app; print(app.debug)",
}
PYPI_PROBE = "https://pypi.org/pypi/pip/json"


def tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert path, f"{name} is missing: it is a test dependency (pip install -e '.[test]')"
    return path


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    return values


def secret_of(project: Project) -> str:
    values = read_env_file(project.path / ".env")
    found = [values[k] for k in SECRET_VARIABLES if k in values]
    assert found, f".env of {project.framework} has none of {SECRET_VARIABLES}"
    return found[0]


def git(project: Project, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=project.path, capture_output=True, text=True,
                          check=check)  # fmt: skip


def maximal_options(framework: str) -> dict[str, Any]:
    """Every boolean option on and a database server: the most code the template can write."""
    answers: dict[str, Any] = {**default_options(framework), "database": "postgresql"}
    for option in OPTIONS:
        if (
            option.offered_for(framework)
            and option.is_bool
            and True in allowed_choices(option.key, framework, answers)
        ):
            answers[option.key] = True
    assert not clashes(framework, answers), clashes(framework, answers)
    return {o.key: answers[o.key] for o in OPTIONS if o.offered_for(framework)}


# --- render only: fast ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "framework",  # one in the fast tier, all three in the whole suite (three renders + git)
    [fw if fw == "flask" else pytest.param(fw, marks=pytest.mark.slow) for fw in FRAMEWORKS],
)
def test_each_render_has_its_own_secret_that_git_never_sees(tmp_path: Path, framework: str) -> None:
    # FastAPI has a secret only with accounts (it signs their tokens).
    answers = {"use_auth": True} if framework == "fastapi" else None
    first = render_project(framework, tmp_path, answers, name="first", git=True)
    second = render_project(framework, tmp_path, answers, name="second", git=True)
    secrets = [secret_of(first), secret_of(second)]
    assert secrets[0] != secrets[1], "two renders share a secret key"
    assert all(len(s) >= MIN_SECRET_LENGTH for s in secrets), secrets
    for project, secret in zip((first, second), secrets, strict=True):
        holders = [
            p.relative_to(project.path).as_posix()
            for p in project.path.rglob("*")
            if p.is_file() and ".git" not in p.parts and secret in p.read_text(errors="replace")
        ]
        assert holders == [".env"], f"the secret is written in {holders}"
        assert secret not in json.dumps(project.result), "--json output shows the secret"
        assert git(project, "check-ignore", "-q", ".env", check=False).returncode == 0
        assert ".env" not in git(project, "ls-files").stdout.split()
        assert git(project, "status", "--porcelain").stdout == "", "the first commit left files"
        history = git(project, "log", "--all", "-p", "--format=%H").stdout
        assert history and secret not in history, "the secret is in the first commit"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_debug_is_off_in_what_the_render_writes(tmp_path: Path, framework: str) -> None:
    project = render_project(framework, tmp_path)
    for name in (".env", ".env.example"):
        values = read_env_file(project.path / name)
        for key, value in values.items():
            if "DEBUG" in key.upper():
                assert value.lower() in ("false", "0", "no", "off", ""), f"{name}: {key}={value}"


@pytest.mark.slow  # bandit over six renders
@pytest.mark.parametrize("combo", ["default", "maximal"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_bandit_finds_nothing_at_medium_severity(
    tmp_path: Path, framework: str, combo: str
) -> None:
    answers = maximal_options(framework) if combo == "maximal" else {}
    project = render_project(framework, tmp_path, answers)
    waived = [
        p.relative_to(project.path).as_posix()
        for p in project.path.rglob("*.py")
        if "nosec" in p.read_text(encoding="utf-8")
    ]
    assert waived == [], f"bandit findings are waived with # nosec in {waived}"
    completed = subprocess.run(
        [tool("bandit"), "-q", "-r", ".", "-ll", "-f", "txt"],
        cwd=project.path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, f"bandit on {framework} ({combo}):\n{completed.stdout}"


# --- installed: slow -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The default render of each built-in, installed once per module and worker."""
    made: dict[str, Project] = {}

    def get(framework: str) -> Project:
        if framework not in made:
            project = render_project(framework, tmp_path_factory.mktemp(f"secure-{framework}"))
            shell(project.commands["install"], project, project_env(), INSTALL_TIMEOUT)
            made[framework] = project
        return made[framework]

    return get


def project_python(project: Project, code: str, env: dict[str, str]) -> str:
    python = project.path / ".venv" / "bin" / "python"
    completed = subprocess.run([str(python), "-c", code], cwd=project.path, env=env,
                               capture_output=True, text=True, timeout=300)  # fmt: skip
    assert completed.returncode == 0, f"{code}\n{completed.stdout}{completed.stderr}"
    return completed.stdout.strip()


def without_debug(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if "DEBUG" not in k.upper()}


@pytest.mark.slow
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_installed_project_runs_with_debug_off_by_default(installed: Any, framework: str) -> None:
    project = installed(framework)
    package = project.result["answers"]["package_name"]
    code = DEBUG_PROBES[framework].format(package=package)
    dotenv = project.path / ".env"
    rendered = dotenv.read_text(encoding="utf-8")
    base = without_debug(project_env({"DJANGO_SETTINGS_MODULE": f"{package}.settings.base"}))
    try:
        for variant in ("as rendered", "no DEBUG anywhere"):
            values = read_env_file(dotenv)
            if variant == "no DEBUG anywhere":
                values = without_debug(values)
                dotenv.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
            env = {**base, **values}
            assert project_python(project, code, env) == "False", f"{framework}, {variant}"
        on = {**base, **without_debug(read_env_file(dotenv))}
        on.update({"DEBUG": "true", "DJANGO_DEBUG": "true", "FLASK_DEBUG": "1"})
        assert project_python(project, code, on) == "True", "the probe cannot see debug at all"
    finally:
        dotenv.write_text(rendered)


@pytest.mark.slow
@pytest.mark.skipif("django" not in FRAMEWORKS, reason="the Django template is not there yet")
def test_django_check_deploy_is_clean_with_production_settings(installed: Any) -> None:
    project = installed("django")
    package = project.result["answers"]["package_name"]
    env = without_debug(project_env())
    env.update(
        DJANGO_SETTINGS_MODULE=f"{package}.settings.production",
        DJANGO_SECRET_KEY=secret_of(project),
        DJANGO_ALLOWED_HOSTS="example.com",
    )
    python = project.path / ".venv" / "bin" / "python"
    completed = subprocess.run(
        [str(python), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=project.path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def vulnerability_data_reachable() -> bool:
    try:
        with urllib.request.urlopen(PYPI_PROBE, timeout=15) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_installed_dependency_has_a_known_vulnerability(
    installed: Any, framework: str, tmp_path: Path
) -> None:
    if not vulnerability_data_reachable():
        pytest.skip(f"SKIPPED LOUDLY: {PYPI_PROBE} does not answer, so pip-audit cannot run")
    project = installed(framework)
    python = project.path / ".venv" / "bin" / "python"
    frozen = subprocess.run(
        [tool("uv"), "pip", "freeze", "--python", str(python), "--exclude-editable"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(frozen)
    report = tmp_path / "audit.json"
    completed = subprocess.run(
        [tool("pip-audit"), "-r", str(requirements), "--no-deps", "--disable-pip",
         "--progress-spinner", "off", "--format", "json", "-o", str(report)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert report.exists(), completed.stderr
    dependencies = json.loads(report.read_text())["dependencies"]
    vulnerable = [
        f"{d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}"
        for d in dependencies
        if d.get("vulns")
    ]
    assert vulnerable == [], f"{framework} installs known-vulnerable packages: {vulnerable}"
    unaudited = [d for d in dependencies if d.get("skip_reason")]
    if unaudited:
        pytest.skip(
            f"SKIPPED LOUDLY: pip-audit could not audit {len(unaudited)} of {len(dependencies)} "
            f"dependencies of {framework} (e.g. {unaudited[0]['skip_reason']}); "
            "the index answers, but not with vulnerability data for these versions"
        )
    assert dependencies, "pip-audit saw no dependency at all"
