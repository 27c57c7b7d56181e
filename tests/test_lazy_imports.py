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
