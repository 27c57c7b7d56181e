from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import REPO, TINY_TEMPLATE, build_file_tree

#: uv's and pip's caches in the real home (read before the isolation fixture moves HOME).
SHARED_CACHE = Path(os.path.expanduser("~")) / ".cache"

# Property tests try the same inputs every run (fixed seed, no example database). "quick", the
# default, is the inner loop; "thorough" (HYPOTHESIS_PROFILE=thorough, as the README's whole-suite
# command and .ci/run set it) tries each test's full count.
settings.register_profile(
    "thorough",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("quick", parent=settings.get_profile("thorough"), max_examples=10)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


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
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The one isolation fixture: no test reads or writes the real home, config, caches or
    copier settings; git has a known identity; output is plain and of a fixed width; the fast
    tier never reaches the network (uv offline: a ``new`` with git or a deploy target locks,
    and a lock that tries an unreachable index waits 10 s before it fails)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for variable, folder in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_DATA_HOME", ".local/share"),
    ):
        monkeypatch.setenv(variable, str(home / folder))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    (home / "copier-settings.yml").write_text("{}\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(home / "copier-settings.yml"))
    monkeypatch.setenv("PYSTARTER_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / "gitconfig").write_text("[user]\n\tname = Test User\n\temail = test@example.com\n")
    monkeypatch.delenv("PYSTARTER_DEBUG", raising=False)
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setenv("UV_OFFLINE", "1")
    # copier keeps mirrors of remote templates: not in the real home either
    monkeypatch.setenv("COPIER_CACHE_DIR", str(home / "copier-cache"))
    # The one exception: the package caches. Every install in the suite shares uv's and pip's
    # (safe between processes), so a wheel is downloaded once per machine, not once per test.
    for variable, folder in (("UV_CACHE_DIR", "uv"), ("PIP_CACHE_DIR", "pip")):
        monkeypatch.setenv(variable, os.environ.get(variable) or str(SHARED_CACHE / folder))


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: the fast tier waits on terminals and child processes about a third of its
    time, so two workers per core; a run with the slow tier (servers, installs) one per core."""
    cores = os.cpu_count() or 1
    return 2 * cores if config.option.markexpr == "not slow" else cores


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("slow"):
            item.fixturenames.append("services")


@pytest.fixture
def tiny_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A four-file copier template: fast to render, shaped like the built-ins."""
    return build_file_tree(TINY_TEMPLATE, tmp_path_factory.mktemp("tiny-template"))
