"""The newcomer's path: install pystarter from the checkout (not editable) into a fresh venv,
render the FastAPI starter, and prove the project installs, passes its checks and serves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.projects import BIN, Project, check_project, project_env

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed_pystarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    env = project_env()
    subprocess.run(
        [str(BIN / "uv"), "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env
    )
    subprocess.run(
        [
            str(BIN / "uv"),
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            str(REPO),
        ],
        check=True,
        env=env,
        timeout=600,
    )
    return venv / "bin" / "pystarter"


@pytest.mark.slow
def test_wheel_renders_a_fastapi_project_that_works(
    installed_pystarter: Path, tmp_path: Path
) -> None:
    completed = subprocess.run(
        [str(installed_pystarter), "new", "demo", "-f", "fastapi", "--no-input", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    dest = tmp_path / "demo"
    assert result["destination"] == str(dest)
    assert result["template"] == "builtin:fastapi"
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=dest, capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == "Initial commit from pystarter"
    committed = subprocess.run(
        ["git", "ls-files"], cwd=dest, capture_output=True, text=True
    ).stdout.split()
    assert ".env" not in committed and ".env.example" in committed and (dest / ".env").is_file()
    assert sorted(committed) == sorted(f for f in result["files"] if f != ".env")
    check_project(Project("fastapi", dest, result, {}))
