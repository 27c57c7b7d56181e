"""Which Python versions this machine can make a project's ``.venv`` with: any when uv is on
PATH (it fetches the one ``.python-version`` names), otherwise the running interpreter's and
each ``pythonX.Y`` on PATH that runs and is that version."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from functools import cache


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
    else ``python3``."""
    found = shutil.which(f"python{version}")
    return f"python{version}" if found and _is_version(found, version) else "python3"


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
