from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("slow"):
            item.fixturenames.append("services")
