"""A generated project's Celery tests keep away from the developer's worker.

The README's dev worker is started on the same Redis the tests use; the project's own tests
(a real in-process worker among them) must pass, and the dev worker must not receive a task.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.projects import (
    INSTALL_TIMEOUT,
    TEST_TIMEOUT,
    project_env,
    redis_url,
    render_project,
    shell,
    stop,
)


def wait_for_line(
    log: Path, text: str, worker: subprocess.Popen[bytes], seconds: float = 90
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        assert worker.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)
    raise AssertionError(f"no {text!r} from the worker in {seconds}s:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["django", "flask", "fastapi"])
def test_the_tests_pass_while_the_readme_dev_worker_runs(tmp_path: Path, framework: str) -> None:
    project = render_project(framework, tmp_path, {"use_celery": True, "database": "sqlite"})
    env = project_env({"REDIS_URL": redis_url()}, project)
    shell(project.commands["install"], project, env, INSTALL_TIMEOUT)
    readme = (project.path / "README.md").read_text()
    command = re.search(r"^uv run celery -A \S+ worker.*$", readme, re.MULTILINE)
    assert command, "the README does not say how to start a worker"
    log = tmp_path / "dev-worker.log"

    with log.open("wb") as output:
        worker = subprocess.Popen(
            ["bash", "-c", command[0]],
            cwd=project.path,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_line(log, " ready.", worker)
            tests = shell(project.commands["test"], project, env, TEST_TIMEOUT)
        finally:
            stop(worker)

    summary = tests.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary, summary
    received = [line for line in log.read_text().splitlines() if "] received" in line]
    assert not received, f"the dev worker took the tests' tasks: {received}"
