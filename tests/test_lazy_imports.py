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


def imported_modules(*args: str, cwd: Path | None = None, dotted: bool = False) -> set[str]:
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
            name = line.rsplit("|", 1)[1].strip()
            names.add(name if dotted else name.split(".")[0])
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


def test_a_render_without_a_terminal_never_loads_the_wizard(tmp_path: Path) -> None:
    args = ("new", "demo", "-f", "flask", "--no-input", "--no-git")
    loaded = imported_modules(*args, cwd=tmp_path, dotted=True)

    assert (tmp_path / "demo" / "pyproject.toml").is_file()
    assert "copier" in loaded  # the measurement works: copier renders every template
    assert "pystarter.wizard" not in loaded


def test_the_wizard_asks_its_first_question_before_the_renderer_loads(tmp_path: Path) -> None:
    """copier is loaded in the background while the first question is on screen."""
    import pexpect

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
    assert loaded.isdisjoint({"copier", "plumbum"})
