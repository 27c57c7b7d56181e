"""Faults of the machine, not of the user: a read-only folder, a full disk, git missing or
without an identity, uv missing, an install or a commit that fails, a network that does not
answer. Each gives one line and its exit code, and leaves nothing half-written.

The disk faults are real where the test may mount a small tmpfs (root, as in CI), and
simulated at write time otherwise; the simulated full disk runs everywhere.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pystarter.cli import app

REAL_GIT = shutil.which("git")
#: Variables through which git finds an identity other than the config files.
IDENTITY_VARIABLES = ("EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                      "GIT_COMMITTER_EMAIL")  # fmt: skip
#: An address where nothing listens: connections are refused at once, no packet leaves.
DEAD_INDEX = "http://127.0.0.1:9/simple"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess, with ``env`` replacing the environment when given."""
    return subprocess.run(
        [sys.executable, "-m", "pystarter", *args],
        cwd=cwd,
        env=env if env is not None else dict(os.environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line(completed: Any, status: int, *words: str) -> str:
    code = getattr(completed, "returncode", getattr(completed, "exit_code", None))
    assert code == status, (code, completed.stdout, completed.stderr)
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), completed.stderr
    assert "Traceback" not in completed.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def path_with(tmp_path: Path, *tools: str) -> str:
    """A PATH holding only ``tools`` (as links to the real ones): the others are missing."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for tool in tools:
        found = shutil.which(tool) or shutil.which(tool, path=str(Path(sys.executable).parent))
        assert found, f"{tool} is needed for this test"
        (folder / tool).symlink_to(found)
    return str(folder)


# --- a small file system of our own ----------------------------------------------------------


@functools.cache
def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"pystarter-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                                 capture_output=True, check=False)  # fmt: skip
        if mounted.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    finally:
        probe.rmdir()


needs_mount = pytest.mark.skipif(
    not can_mount(), reason="needs root and tmpfs mounts (CI has both); simulated below"
)


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


@contextmanager
def read_only_folder(where: Path) -> Iterator[Path]:
    """A folder no one may write in: a read-only tmpfs as root, mode 555 otherwise."""
    if os.geteuid() == 0:
        if not can_mount():
            pytest.skip("root ignores folder modes, and this machine cannot mount a tmpfs")
        with tmpfs(where, "size=1m,mode=0755"):
            remount_read_only(where)
            yield where
        return
    where.mkdir()
    where.chmod(0o555)
    try:
        yield where
    finally:
        where.chmod(0o755)


# --- read-only and full disks ----------------------------------------------------------------


def test_read_only_parent_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with read_only_folder(tmp_path / "readonly") as parent:
        completed = run("new", str(parent / "demo"), "-f", "fastapi", "--no-input", cwd=tmp_path)
        assert_one_line(completed, 2, f"cannot write in {parent}")
        assert list(parent.iterdir()) == []


@needs_mount
def test_an_existing_dest_mounted_in_a_read_only_parent_is_rendered_in_place(
    tmp_path: Path,
) -> None:
    """Like a volume mounted into a container: DEST is writable, its parent is not."""
    parent = tmp_path / "readonly"
    with tmpfs(parent, "size=1m"):
        (parent / "dest").mkdir()
        remount_read_only(parent)
        with tmpfs(parent / "dest", "size=8m") as dest:
            completed = run("new", str(dest), "-f", "fastapi", "--name=demo", "--no-input",
                            "--git", cwd=tmp_path)  # fmt: skip
            assert completed.returncode == 0, completed.stderr
            assert (dest / "demo" / "__init__.py").is_file()
            assert not [p for p in dest.iterdir() if p.name.startswith(".pystarter-")]
            tracked = subprocess.run(["git", "ls-files"], cwd=dest, capture_output=True,
                                     text=True, check=True).stdout.split()  # fmt: skip
            assert "pyproject.toml" in tracked
            assert not [t for t in tracked if t.startswith(".pystarter-")]


@needs_mount
def test_full_disk_fails_in_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "size=48k") as small:
        completed = run("new", str(small / "demo"), "-f", "fastapi", "--no-input", "--no-git",
                        cwd=tmp_path)  # fmt: skip
        line = assert_one_line(completed, 1, "No space left on device", f"in {small}")
        assert "free some space" in line
        assert list(small.iterdir()) == []


def test_full_disk_at_write_time_simulated_fails_in_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write_bytes = pathlib.Path.write_bytes
    written: list[Path] = []

    def write_bytes(self: Path, data: bytes) -> int:
        if len(written) >= 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        written.append(self)
        return real_write_bytes(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    work = tmp_path / "work"
    work.mkdir()
    result = CliRunner().invoke(app, ["new", str(work / "demo"), "-f", "fastapi", "--no-input",
                                      "--no-git"])  # fmt: skip
    assert_one_line(result, 1, "cannot write the project", "No space left on device")
    assert len(written) == 3, "the fault was never hit"
    assert list(work.iterdir()) == []


# --- git ---------------------------------------------------------------------------------------


def test_git_missing_still_makes_the_project_and_says_so_once(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": path_with(tmp_path)}
    completed = run("new", "demo", "-f", "fastapi", "--no-input", "--git", cwd=tmp_path, env=env)
    assert completed.returncode == 0, completed.stderr
    notes = [line for line in completed.stdout.splitlines() if "git is not installed" in line]
    assert len(notes) == 1, completed.stdout
    assert (tmp_path / "demo" / "pyproject.toml").is_file()
    assert not (tmp_path / "demo" / ".git").exists()


def test_git_missing_for_a_git_template_fails_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": path_with(tmp_path)}
    completed = run("new", "demo", "--template", "https://127.0.0.1:9/acme/template.git",
                    "--no-input", cwd=tmp_path, env=env)  # fmt: skip
    assert_one_line(completed, 1, "git is not installed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_git_without_an_identity_commits_as_pystarter_and_says_how_to_fix_it(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "gitconfig").write_text("")
    env = {k: v for k, v in os.environ.items() if k not in IDENTITY_VARIABLES}
    env.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(home / "gitconfig"), GIT_CONFIG_NOSYSTEM="1")
    completed = run("new", "demo", "-f", "fastapi", "--no-input", "--git", "--json",
                    cwd=tmp_path, env=env)  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["git_commit"]
    assert any("git config --global user.name" in note for note in result["notes"])
    author = subprocess.run(["git", "log", "-1", "--format=%an <%ae>"], cwd=tmp_path / "demo",
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert author == "pystarter <pystarter@localhost>"


def test_a_failing_git_commit_fails_in_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "git").write_text(
        f"#!{sys.executable}\nimport os, sys\n"
        "if 'commit' in sys.argv:\n"
        "    sys.stderr.write('error: insufficient permission\\n"
        "fatal: unable to write new index file\\n')\n"
        "    sys.exit(128)\n"
        f"os.execv({REAL_GIT!r}, [{REAL_GIT!r}, *sys.argv[1:]])\n"
    )
    (folder / "git").chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    completed = run("new", "demo", "-f", "fastapi", "--no-input", "--git", cwd=work, env=env)
    assert_one_line(completed, 1, "git commit failed", "unable to write new index file")
    assert list(work.iterdir()) == []


# --- install -------------------------------------------------------------------------------------


@pytest.mark.slow  # pip builds a venv and tries its index
def test_uv_missing_falls_back_to_pip_and_an_offline_pip_fails_in_one_line(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    local_wheels = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL")
    env = {k: v for k, v in os.environ.items() if k not in local_wheels}
    env.update(PATH=path_with(tmp_path, "git"), PIP_INDEX_URL=DEAD_INDEX, PIP_RETRIES="0",
               PIP_TIMEOUT="2", PIP_NO_CACHE_DIR="1", PIP_CONFIG_FILE=os.devnull)  # fmt: skip
    completed = run("new", "demo", "-f", "fastapi", "--no-input", "--install", cwd=work, env=env)
    line = assert_one_line(completed, 1, "pip")
    assert "failed" in line
    assert_project_kept_with_a_way_to_finish(line, work / "demo", "python3 -m venv .venv")


def test_an_install_that_cannot_reach_the_index_fails_in_one_line(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PATH": path_with(tmp_path, "git", "uv"), "UV_OFFLINE": "1",
           "UV_CACHE_DIR": str(tmp_path / "empty-cache"), "UV_INDEX_URL": DEAD_INDEX}  # fmt: skip
    completed = run("new", "demo", "-f", "fastapi", "--no-input", "--install", cwd=work, env=env)
    line = assert_one_line(completed, 1, "uv sync failed")
    assert_project_kept_with_a_way_to_finish(line, work / "demo")


def assert_project_kept_with_a_way_to_finish(
    line: str, dest: Path, install: str = "uv sync"
) -> None:
    """A failed install keeps the rendered, committed project and says the command that
    finishes it (with the installer there is: without uv, a venv and pip); the half-made .venv
    is gone."""
    assert f"the project is created in {dest}" in line
    assert f"finish with: cd {dest} && {install}" in line
    assert (dest / "pyproject.toml").is_file() and not (dest / ".venv").exists()
    log = subprocess.run(["git", "log", "--format=%s"], cwd=dest, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert log.strip() == "Initial commit from pystarter"


# --- network -------------------------------------------------------------------------------------


def test_an_unreachable_remote_template_fails_in_one_line_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    scratch = tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "GIT_TERMINAL_PROMPT": "0"}
    completed = run("new", "demo", "--template", "https://127.0.0.1:9/acme/template.git",
                    "--no-input", cwd=work, env=env, timeout=120)  # fmt: skip
    assert_one_line(completed, 1, "template", "127.0.0.1")
    assert list(work.iterdir()) == []
    assert list(scratch.iterdir()) == []
