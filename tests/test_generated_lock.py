"""Reproducible: the first commit holds ``uv.lock``, and a fresh clone installs exactly it with
``uv sync --locked`` (what the generated CI and Dockerfile run)."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.projects import INSTALL_TIMEOUT, interpreter_for, project_env, pystarter


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "python"), [("django", "3.12"), ("flask", None), ("fastapi", None)]
)
def test_a_fresh_clone_installs_the_committed_lock(
    tmp_path: Path, framework: str, python: str | None
) -> None:
    dest = tmp_path / "made"
    flags = ["--python", python] if python else []
    env = project_env({"UV_PYTHON": interpreter_for(python)} if python else None)
    completed = pystarter(
        "new", str(dest), "-f", framework, *flags, "--no-input", "--json", "--git", "--install",
        env=env, timeout=INSTALL_TIMEOUT,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    committed = subprocess.run(
        ["git", "ls-tree", "--name-only", "HEAD"], cwd=dest, capture_output=True, text=True
    ).stdout.split()
    assert "uv.lock" in committed, f"the first commit lacks uv.lock: {committed}"

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(dest), str(clone)], check=True)
    synced = subprocess.run(
        ["uv", "sync", "--locked"], cwd=clone, env=env, capture_output=True, text=True,
        timeout=INSTALL_TIMEOUT,
    )  # fmt: skip
    assert synced.returncode == 0, synced.stderr[-3000:]
    if framework == "django":
        lock = tomllib.loads((clone / "uv.lock").read_text())
        versions = [p["version"] for p in lock["package"] if p["name"] == "django"]
        assert [v.split(".")[0] for v in versions] == ["6"], versions
    assert result["answers"]["framework"] == framework
