"""The CLI's error contract for scripts: under ``--json`` an error is one JSON object on stdout
with the same exit status as the one line on stderr (issue 29)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import invoke

# Each command with --json, made to fail before it changes anything.
FAILING_JSON_COMMANDS = [
    ("new", "app", "--need", "blockchain", "--no-input"),
    ("recommend", "--need", "blockchain"),
    ("update",),
    ("update", "--check"),
    ("add", "auth"),
    ("remove", "auth"),
    ("templates", "check", "/no/such/template"),
    ("templates", "test", "/no/such/template"),
    ("new", "app", "--no-such-flag"),
]


@pytest.mark.parametrize("args", FAILING_JSON_COMMANDS, ids=" ".join)
def test_json_error_is_one_object_on_stdout(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args, "--json")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    error = json.loads(result.stdout)
    assert set(error) == {"error", "hint", "exit_status"}
    assert error["exit_status"] == result.exit_code
    assert error["error"] and error["hint"]
    # the same one line on stderr, message and hint
    assert result.stderr.count("\n") == 1
    assert result.stderr == f"error: {error['error']} ({error['hint']})\n"


def test_without_json_stdout_stays_empty_on_error(tmp_path: Path) -> None:
    result = invoke("recommend", "--need", "blockchain")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: unknown need: blockchain (")


def test_json_after_double_dash_is_not_an_option() -> None:
    result = invoke("recommend", "--need", "blockchain", "--", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_json_error_in_a_real_process(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pystarter", "new", "app", "--need", "blockchain", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr
    error = json.loads(completed.stdout)
    assert error["exit_status"] == 2
    assert error["error"] == "unknown need: blockchain"
    assert completed.stderr.startswith("error: unknown need: blockchain (")
    assert not (tmp_path / "app").exists()


# --- success is never reported as failure ---------------------------------------------------

C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """The real CLI in a process, its output as bytes (the locale's encoding is under test)."""
    return subprocess.run(
        [sys.executable, "-m", "pystarter", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
        timeout=300,
    )


NEW = ("new", "app", "-f", "flask", "--no-input", "--no-install")


def test_new_in_the_c_locale_succeeds_in_ascii(tmp_path: Path) -> None:
    completed = run_cli(*NEW, cwd=tmp_path, env=C_LOCALE)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    out = completed.stdout.decode("ascii")  # raises on anything else
    assert out.startswith("OK Created app (Flask)")
    assert "OK git repository with a first commit" in out
    assert completed.stderr == b""


def test_recommend_in_the_c_locale_succeeds_in_ascii(tmp_path: Path) -> None:
    completed = run_cli("recommend", "--need", "html", cwd=tmp_path, env=C_LOCALE)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout.decode("ascii")
    assert "Recommended" in out
    assert "+---" in out  # rich's ASCII box
    assert completed.stderr == b""


def test_new_with_stdout_on_a_full_device_keeps_its_success(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        completed = run_cli(*NEW, cwd=tmp_path, stdout=full)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    stderr = completed.stderr.decode()
    assert stderr.startswith(f"warning: the project was made in {tmp_path / 'app'}")
    assert "No space left on device" in stderr
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1


def test_new_json_with_stdout_on_a_full_device_keeps_its_success(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        completed = run_cli(*NEW, "--json", cwd=tmp_path, stdout=full)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    assert completed.stderr.decode().startswith("warning: the project was made in")


def test_new_with_stdout_closed_succeeds(tmp_path: Path) -> None:
    command = f'"{sys.executable}" -m pystarter {" ".join(NEW)} >&-'
    completed = subprocess.run(
        ["sh", "-c", command],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    assert b"Traceback" not in completed.stderr
    assert b"error" not in completed.stderr


def test_version_to_a_full_device_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        completed = run_cli("--version", cwd=tmp_path, stdout=full)
    assert completed.returncode == 1
    assert completed.stderr == b"error: cannot print the version: No space left on device\n"


# --- DEST the system refuses: exit 2, the path named, the errno's own hint -------------------


@pytest.mark.parametrize(
    ("make", "dest", "reason", "hint"),
    [
        (lambda root: (root / "afile").touch(), "afile/app", "Not a directory", "is a file"),
        (
            lambda root: ((root / "l1").symlink_to("l2"), (root / "l2").symlink_to("l1")),
            "l1/app",
            "Too many levels of symbolic links",
            "loop of symbolic links",
        ),
        (lambda root: None, "a" * 300, "File name too long", "choose a shorter name"),
    ],
    ids=["ENOTDIR", "ELOOP", "ENAMETOOLONG"],
)
def test_dest_the_system_refuses_gets_its_errno_hint(
    make: Any, dest: str, reason: str, hint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = invoke("new", dest, "-f", "flask", "--no-input", "--no-install")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"error: DEST {tmp_path / dest} cannot be used: {reason} (")
    assert hint in result.stderr
    assert "shorter name" not in result.stderr or reason == "File name too long"


@pytest.mark.parametrize("dest", ["app", "ABSOLUTE"])
def test_new_from_a_deleted_current_folder_exits_2(dest: str, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    target = str(tmp_path / "app") if dest == "ABSOLUTE" else dest
    script = f'cd "{gone}" && rmdir "{gone}" && exec "{sys.executable}" -m pystarter new {target} -f flask --no-input --no-install'  # noqa: E501
    completed = subprocess.run(
        ["sh", "-c", script],
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr == (
        "error: the current folder no longer exists (cd into an existing folder and run again)\n"
    )
    assert not (tmp_path / "app").exists()


needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="runs pystarter as user nobody (65534) to meet a permission error root would bypass",
)


@needs_root
@pytest.mark.parametrize(
    ("mode", "message", "hint"),
    [
        (0o000, "cannot be read: permission denied", "chmod u+rx"),
        (0o555, "is read-only for you: permission denied", "chmod u+w"),
    ],
    ids=["unreadable", "read-only"],
)
def test_a_dest_you_may_not_use_exits_2_with_a_permission_hint(
    mode: int, message: str, hint: str
) -> None:
    import shutil
    import tempfile

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv to run as another user")
    root = Path(tempfile.mkdtemp(prefix="pystarter-perm-"))  # pytest's tmp is root's only
    try:
        root.chmod(0o777)
        dest = root / "dest"
        dest.mkdir()
        dest.chmod(mode)
        as_nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        completed = subprocess.run(
            [*as_nobody, sys.executable, "-m", "pystarter", "new", "dest", "-f", "flask"],
            cwd=root,
            env={**os.environ, "NO_COLOR": "1", "HOME": str(root)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert completed.returncode == 2, completed.stderr
        assert completed.stderr.startswith(f"error: {dest} {message} (")
        assert hint in completed.stderr
        assert "space" not in completed.stderr
        dest.chmod(0o755)
        assert list(dest.iterdir()) == []
    finally:
        (root / "dest").chmod(0o755)
        shutil.rmtree(root)
