"""What each command path must not import: the benchmark holds speed, this holds the cause."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "typer",
    "rich",
    "pydantic",
    "copier",
    "questionary",
    "prompt_toolkit",
    "jinja2",
    "plumbum",
)


def imported_modules(*args: str, cwd: Path | None = None) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pystarter", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        cwd=cwd,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    names = set()
    for line in completed.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_version_imports_none_of_the_heavy_packages() -> None:
    assert imported_modules("--version").isdisjoint(HEAVY)


@pytest.mark.parametrize(
    "args", [("--help",), ("recommend", "--need", "rest-api", "--json"), ("new", "--help")]
)
def test_help_and_recommend_do_not_import_the_renderer_or_the_prompts(
    args: tuple[str, ...],
) -> None:
    loaded = imported_modules(*args)
    assert "typer" in loaded  # the measurement works
    assert loaded.isdisjoint({"copier", "questionary", "prompt_toolkit", "jinja2", "plumbum"})


@pytest.mark.parametrize("framework", ["django", "flask", "fastapi"])
def test_a_builtin_renders_without_copier_pydantic_or_the_prompts(
    tmp_path: Path, framework: str
) -> None:
    loaded = imported_modules(
        "new", "demo", "-f", framework, "--no-input", "--no-git", cwd=tmp_path
    )

    assert (tmp_path / "demo" / "pyproject.toml").is_file()
    assert "jinja2" in loaded  # the measurement works
    assert loaded.isdisjoint({"copier", "pydantic", "questionary", "prompt_toolkit", "plumbum"})


def test_the_wizard_asks_its_first_question_before_typer_or_the_renderer_load(
    tmp_path: Path,
) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable, ["-X", "importtime", "-m", "pystarter", "new"], cwd=str(tmp_path),
        dimensions=(40, 120), encoding="utf-8", timeout=120,
    )  # fmt: skip
    child.expect("What are you building")
    before_the_question = child.before
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    loaded = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in before_the_question.splitlines()
        if line.startswith("import time:") and "|" in line
    }

    assert "questionary" in loaded  # the measurement works
    assert loaded.isdisjoint({"typer", "copier", "jinja2", "pydantic", "plumbum"})


@pytest.mark.parametrize(
    ("args", "bare"),
    [
        (["new"], True),
        (["new", "my-site"], True),
        (["new", "--help"], False),
        (["new", "my-site", "-f", "flask"], False),
        (["new", ""], False),
        (["recommend"], False),
        ([], False),
    ],
)
def test_only_new_with_at_most_a_destination_skips_typer(args: list[str], bare: bool) -> None:
    from pystarter.__main__ import is_bare_new

    assert is_bare_new(args) is bare
