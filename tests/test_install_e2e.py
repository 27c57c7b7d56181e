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


@pytest.mark.slow
def test_a_newcomer_without_uv_can_follow_every_printed_step(
    installed_pystarter: Path, tmp_path: Path
) -> None:
    """No uv on PATH: pystarter installs with venv + pip, and every next step it prints (with
    the commands in --json) runs as printed: install leftovers, the server on /health, tests."""
    import os
    import shutil

    from tests.projects import free_port, stop, wait_for_json

    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("git", "python3"):
        found = shutil.which(tool, path="/usr/local/bin:/usr/bin:/bin") or sys.executable
        (bare / tool).symlink_to(found if tool == "git" else sys.executable)
    env = {**os.environ, "PATH": f"{bare}{os.pathsep}/usr/bin:/bin"}
    assert shutil.which("uv", path=env["PATH"]) is None
    made = subprocess.run(
        [str(installed_pystarter), "new", "demo", "-f", "flask", "--no-input", "--install",
         "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-3000:]
    payload = json.loads(made.stdout)
    assert payload["installed_with"] == "pip"
    steps = payload["next_steps"]
    assert steps[0] == "cd demo" and not any(step.startswith("uv ") for step in steps)
    project = tmp_path / "demo"
    port = free_port()
    for step in steps[1:]:
        if step == payload["commands"]["run"]:
            server = subprocess.Popen(
                step, shell=True, cwd=project, env={**env, "PORT": str(port)},
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            try:
                assert wait_for_json(f"http://127.0.0.1:{port}/health", server) == {"status": "ok"}
            finally:
                stop(server)
            continue
        ran = subprocess.run(step, shell=True, cwd=project, env=env, capture_output=True,
                             text=True, timeout=900)  # fmt: skip
        assert ran.returncode == 0, (step, ran.stdout[-2000:], ran.stderr[-2000:])
