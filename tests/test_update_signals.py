"""An interrupt during ``update`` puts the project back (work tree, index, no merge state) and
says so, with SIGINT's and SIGTERM's exit codes. Real processes and signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import git, git_save, make_template
from tests.test_update import TEMPLATE_V1, commit_all, copier_settings_file, render, state

__all__ = ["copier_settings_file"]  # the autouse fixture, used here too


@pytest.mark.parametrize(
    ("signum", "status"),
    [(signal.SIGINT, 130), pytest.param(signal.SIGTERM, 143, marks=pytest.mark.slow)],
)
def test_a_signal_during_update_restores_the_project(
    tmp_path: Path, signum: int, status: int
) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    project = render(str(template), tmp_path / "svc")
    (project / "README.md").write_text((project / "README.md").read_text() + "ours\n")
    commit_all(project, "ours")
    started = tmp_path / "task-started"
    slow = f"_tasks: ['touch {started}', 'sleep 5']\n"
    copier_yml = template / "copier.yml"
    copier_yml.write_text(slow + copier_yml.read_text())
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nv2\n")
    git_save(template, "v2", tag="v2")
    before = state(project)

    process = subprocess.Popen(
        [sys.executable, "-m", "pystarter", "update", str(project), "--trust"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not started.exists():
        assert time.monotonic() < deadline and process.poll() is None, process.stderr
        time.sleep(0.1)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == status, stderr
    assert "the project was put back as it was before the update" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert state(project) == before
    assert git("status", "--porcelain", cwd=project) == ""
