"""Installing a project made here: ``uv lock``, ``.venv`` with uv or pip, and which Python
versions this machine can make that ``.venv`` with: any when uv is on PATH (it fetches the one
``.python-version`` names), otherwise the running interpreter's and each ``pythonX.Y`` on PATH
that runs and is that version."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pystarter.errors import InstallError, UsageError

LOCK_TIMEOUT = 300


def running_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def has_uv() -> bool:
    return shutil.which("uv") is not None


def interpreter(version: str) -> str | None:
    """The interpreter that makes ``.venv`` for ``version`` without uv, or None."""
    if version == running_version():
        return sys.executable
    found = shutil.which(f"python{version}")
    return found if found is not None and _is_version(found, version) else None


def command_for(version: str) -> str:
    """What a person types here to run Python ``version``: ``pythonX.Y`` when it is on PATH,
    else ``python3``. Only named, not run: it is printed, not used."""
    return f"python{version}" if shutil.which(f"python{version}") else "python3"


def usable_versions(supported: Iterable[str]) -> tuple[str, ...]:
    """The versions of ``supported`` a project made here can be installed with."""
    supported = tuple(supported)
    if has_uv():
        return supported
    return tuple(version for version in supported if interpreter(version))


@cache
def _is_version(program: str, version: str) -> bool:
    """A ``pythonX.Y`` found on PATH may not run: a pyenv shim of a version that is not
    installed is there, and fails."""
    try:
        completed = subprocess.run(
            [program, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0 and completed.stdout.strip() == version


def check_python_for_install(version: str, supported: Iterable[str]) -> None:
    """``--python`` alone is a pin, whatever this machine has; installing needs uv (it fetches
    that Python) or that Python here."""
    if has_uv() or interpreter(version):
        return
    usable = usable_versions(supported)
    pick = f", pick --python {' or '.join(usable)}" if usable else ""
    raise UsageError(
        f"--install needs Python {version}, which is not on this machine, and uv (which would "
        "fetch it) is not installed",
        f"install uv (https://docs.astral.sh/uv/) or Python {version}{pick}, or pass --no-install",
    )


def lock(destination: Path, notes: list[str], export: bool = False) -> None:
    """``uv lock`` so the first commit pins every dependency; offline or failing, the project
    is made all the same and a note says how to finish. ``export``: requirements.txt (which
    Elastic Beanstalk installs) is written from the lock too."""
    uv = shutil.which("uv")
    if uv is None or not (destination / "pyproject.toml").is_file():
        return
    try:
        run_installer([uv, "lock", "--quiet"], destination, "uv lock", "", LOCK_TIMEOUT)
    except InstallError as exc:
        (destination / "uv.lock").unlink(missing_ok=True)
        notes.append(f"{exc.message}: run uv lock in the project and commit uv.lock")
        return
    if export:
        command = [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"]
        command += ["--quiet", "--output-file", "requirements.txt"]
        try:
            run_installer(command, destination, "uv export", "", LOCK_TIMEOUT)
        except InstallError as exc:
            notes.append(f"{exc.message}: run the uv export command in requirements.txt")


def install_project(destination: Path, python: str = sys.executable) -> str:
    """Create ``.venv`` and install the project with its dev dependencies; returns the tool used."""
    hint = "check the network and the package index, or pass --no-install and install later"
    uv = shutil.which("uv")
    if uv:
        run_installer([uv, "sync", "--quiet"], destination, "uv sync", hint)
        return "uv"
    venv_python = destination / ".venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    run_installer([python, "-m", "venv", ".venv"], destination, "python -m venv", hint)
    pip = [str(venv_python), "-m", "pip", "--disable-pip-version-check", "-q", "install"]
    run_installer([*pip, "--upgrade", "pip>=25.1"], destination, "pip upgrade", hint)
    run_installer([*pip, "-e", ".", "--group", "dev"], destination, "pip install", hint)
    return "pip"


def run_installer(
    args: list[str], cwd: Path, what: str, hint: str, timeout: float | None = None
) -> None:
    try:
        completed = subprocess.run(
            args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise InstallError(f"{what} gave no answer within {timeout} seconds", hint) from exc
    except OSError as exc:
        raise InstallError(f"{what} failed: {exc.strerror or exc}", hint) from exc
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()
        detail = output[-1] if output else f"exit code {completed.returncode}"
        raise InstallError(f"{what} failed: {detail}", hint)
