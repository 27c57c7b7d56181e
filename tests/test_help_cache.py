"""Help kept from the run before is printed without typer, and only while it is still the
help typer would print."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pystarter import help_cache


def pystarter(
    *args: str, cache: Path, columns: int = 100, profile: bool = False, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *(["-X", "importtime"] if profile else []), "-m", "pystarter", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env={**os.environ, "PYSTARTER_CACHE_DIR": str(cache), "COLUMNS": str(columns), **env},
    )


def loaded_typer(completed: subprocess.CompletedProcess[str]) -> bool:
    return any(
        line.startswith("import time:") and line.rsplit("|", 1)[1].strip() == "typer"
        for line in completed.stderr.splitlines()
    )


HELP_COMMAND_LINES = [
    (),
    ("--help",),
    ("new", "--help"),
    ("recommend", "--help"),
    ("update", "--help"),
    ("templates", "--help"),
    ("templates", "add", "--help"),
]


@pytest.mark.parametrize("args", HELP_COMMAND_LINES, ids=" ".join)
def test_the_second_help_is_the_first_byte_for_byte_without_typer(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    first = pystarter(*args, cache=tmp_path, profile=True)
    second = pystarter(*args, cache=tmp_path, profile=True)

    assert first.returncode == second.returncode == 0
    assert loaded_typer(first) and not loaded_typer(second)
    assert second.stdout == first.stdout
    assert first.stdout.startswith("Usage: ")


def test_help_for_another_terminal_width_is_typers_not_the_kept_one(tmp_path: Path) -> None:
    pystarter("new", "--help", cache=tmp_path, columns=120)

    narrow = pystarter("new", "--help", cache=tmp_path, columns=60, profile=True)
    uncached = pystarter("new", "--help", cache=tmp_path / "other", columns=60)

    assert loaded_typer(narrow)
    assert narrow.stdout == uncached.stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60


def test_a_damaged_or_foreign_help_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    truth = pystarter("--help", cache=tmp_path / "clean").stdout
    kept = tmp_path / "help" / "pystarter.help.txt"
    kept.parent.mkdir(parents=True)
    for damage in (b"", b"no key line", b"\xff\xfe\x00garbage\n", b"old-key\nUsage: stale\n"):
        kept.write_bytes(damage)

        completed = pystarter("--help", cache=tmp_path)

        assert (completed.returncode, completed.stdout, completed.stderr) == (0, truth, "")
        assert kept.read_text(encoding="utf-8").endswith(truth)


def test_an_unwritable_cache_costs_nothing_but_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    completed = pystarter("--help", cache=blocker)

    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout.startswith("Usage: python -m pystarter")


@pytest.mark.parametrize(
    "args", [("nosuch", "--help"), ("new", "--bogus"), ("recommend", "--need", "x", "--help")]
)
def test_only_successful_plain_help_is_kept(tmp_path: Path, args: tuple[str, ...]) -> None:
    pystarter(*args, cache=tmp_path)

    assert not (tmp_path / "help").exists() or not any((tmp_path / "help").iterdir())


def test_help_requests_are_command_words_then_help() -> None:
    assert help_cache.is_help_request([])
    assert help_cache.is_help_request(["--help"])
    assert help_cache.is_help_request(["templates", "add", "--help"])
    assert not help_cache.is_help_request(["new", "--framework", "--help"])
    assert not help_cache.is_help_request(["new", "../x", "--help"])
    assert not help_cache.is_help_request(["a", "b", "c", "--help"])
    assert not help_cache.is_help_request(["--version"])
    assert not help_cache.is_help_request(["new", "--help", "x"])


def test_the_fingerprint_changes_with_each_thing_help_depends_on(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "cli.py").write_text("x = 1\n")
    site = tmp_path / "site"
    site.mkdir()

    def key(program: str = "/venv/bin/pystarter", width: int = 80, **env: str) -> str:
        return help_cache.fingerprint(program, str(package), [str(site)], width, env)

    before = key()
    assert key() == before
    assert key(program="/venv/lib/python3.11/site-packages/pystarter/__main__.py") != before
    assert key(width=60) != before
    assert key(LANG="de_DE.UTF-8") != before
    assert key(TYPER_USE_RICH="0") != before
    assert key(UNRELATED="1") == before

    os.utime(package / "cli.py", ns=(1, 1))
    after_edit = key()
    assert after_edit != before

    (site / "typer-0.29.0.dist-info").mkdir()  # an install changes the folder's mtime
    os.utime(site, ns=(2, 2))
    assert key() != after_edit


def test_the_cache_folder_is_the_platforms(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_cache_dir

    monkeypatch.delenv("PYSTARTER_CACHE_DIR", raising=False)
    for xdg in (None, "/tmp/xdg-cache-elsewhere", "  "):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert help_cache.cache_dir() == user_cache_dir("pystarter", appauthor=False)


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("new", "--help")])
def test_a_closed_stdout_is_no_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    command = " ".join([sys.executable, "-m", "pystarter", *args, ">&-"])
    for _ in ("without the help kept", "with it"):
        completed = subprocess.run(
            ["bash", "-c", command],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYSTARTER_CACHE_DIR": str(tmp_path)},
        )
        assert (completed.returncode, completed.stderr) == (0, "")
