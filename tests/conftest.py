from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def services() -> None:
    """PostgreSQL, MariaDB and Redis on 127.0.0.1, started (or installed) by the repo's script."""
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "services.py")],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if completed.returncode != 0:
        pytest.fail(f"services are missing, and CI must run every test:\n{completed.stdout}")


@pytest.fixture(autouse=True)
def _isolated_user(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real user config; git has a known identity."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PYSTARTER_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / "gitconfig").write_text("[user]\n\tname = Test User\n\temail = test@example.com\n")
    monkeypatch.delenv("PYSTARTER_DEBUG", raising=False)
    # copier keeps mirrors of remote templates: not in the real home either
    monkeypatch.setenv("COPIER_CACHE_DIR", str(home / "copier-cache"))
    monkeypatch.setenv("PYSTARTER_CACHE_DIR", str(home / "pystarter-cache"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("slow"):
            item.fixturenames.append("services")


TINY_TEMPLATE = {
    "copier.yml": """\
        _subdirectory: project
        _pystarter:
          commands:
            install: "uv sync"
            run: "uv run python -m {{ package_name }}"
            test: "uv run pytest"
        project_name: {type: str, default: Tiny}
        project_slug: {type: str, default: tiny}
        package_name: {type: str, default: tiny}
        greeting: {type: str, default: hello}
        """,
    "project/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "project/pyproject.toml.jinja": '[project]\nname = "{{ project_slug }}"\nversion = "0.1.0"\n',
    "project/{{ package_name }}/__init__.py.jinja": 'GREETING = "{{ greeting }}"\n',
    "project/README.md.jinja": "# {{ project_name }}\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    import textwrap

    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def tiny_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A four-file copier template: fast to render, shaped like the built-ins."""
    return write_tree(tmp_path_factory.mktemp("tiny-template"), TINY_TEMPLATE)


def invoke(*args: str, **kwargs: Any) -> Any:
    """``pystarter ARGS`` in this process with typer's CliRunner: for tests that need neither a
    terminal nor a separate process (``tests.projects.pystarter`` runs the real console)."""
    from typer.testing import CliRunner

    from pystarter.cli import app

    return CliRunner().invoke(app, list(args), **kwargs)
