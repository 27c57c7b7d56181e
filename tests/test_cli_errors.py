"""The CLI's error contract for scripts: under ``--json`` an error is one JSON object on stdout
with the same exit status as the one line on stderr (issue 29)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
