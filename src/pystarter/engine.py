"""``new``'s work once the answers are settled: claim DEST, let copier render into it, record
pystarter's extras, lock, make the first commit, install. No terminal I/O: callers get
plain results and :mod:`pystarter.errors` exceptions, and may pass ``on_step`` to hear which
step runs. Whatever fails or is interrupted, DEST is left as it was found.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter import git, render
from pystarter.answers import check_text_answers
from pystarter.destination import check_destination
from pystarter.errors import InstallError, StoppedError, Terminated, interrupt_within
from pystarter.placement import (
    Claim,
    compare,
    kept_files,
    list_files,
    signals_deferred,
    write_error,
)
from pystarter.project_files import append_record
from pystarter.sources import TemplateSource

StepCallback = Callable[[str], None]
ANSWERS_FILE = ".copier-answers.yml"
FIRST_COMMIT_SUBJECT = "Initial commit from pystarter"
LOCK_TIMEOUT = 300


@dataclass(frozen=True)
class NewProjectRequest:
    template: TemplateSource
    destination: Path
    answers: Mapping[str, Any]
    force: bool = False
    dry_run: bool = False
    git: bool = True
    install: bool = False
    record: Mapping[str, Any] = field(default_factory=dict)
    """pystarter's ``_pystarter_*`` answers-file keys (template, version, recommendation)."""
    keep_existing: tuple[str, ...] = ()
    """The template's ``_skip_if_exists`` patterns: copier keeps a matching file DEST has."""
    answers_file: str = ANSWERS_FILE
    lock: bool = False
    """Write ``uv.lock`` (when uv is on PATH) before the first commit: the built-ins."""
    install_command: str = "uv sync"
    """What finishes the install by hand, said when ``install`` fails."""
    python: str = sys.executable
    """The interpreter that makes ``.venv`` when uv is not there (uv reads .python-version)."""


@dataclass
class NewProjectResult:
    destination: Path
    files: list[str]
    git_commit: str | None = None
    notes: list[str] = field(default_factory=list)
    """Things the user should know that are not errors (fallback git identity, git missing)."""
    installed_with: str | None = None
    actions: dict[str, str] = field(default_factory=dict)
    """With --dry-run or --force: create, overwrite or identical for each file."""
    message: str = ""
    """The template's ``_message_after_copy``, rendered."""


def _quiet(_: str) -> None:
    pass


def new_project(
    request: NewProjectRequest, session: render.Session, on_step: StepCallback = _quiet
) -> NewProjectResult:
    """Render ``session``'s template into DEST, commit, install; DEST is left as it was found
    if anything before the first commit fails or is interrupted."""
    destination = request.destination.absolute()
    check_text_answers(request.answers)
    check_destination(destination, request.force)
    occupied = destination.is_dir() and any(destination.iterdir())
    planned: dict[str, str] = {}
    if occupied or request.dry_run:
        planned = _preview(session, request.answers, destination, request.keep_existing)
    written = sorted(f for f, action in planned.items() if action != "kept")
    if request.dry_run:
        return NewProjectResult(destination, written, actions=planned)
    claim: Claim | None = None
    complete = False
    try:
        with signals_deferred():  # a signal while claiming lands inside the try, claim known
            claim = Claim.take(destination, request.force)
        if planned:
            claim.protect(written)
        on_step("rendering")
        try:
            message = session.copy(destination, request.answers)
        except OSError as exc:
            raise write_error(exc, destination) from exc
        append_record(destination / request.answers_file, request.record)
        files = written if planned else list_files(destination)
        result = NewProjectResult(destination, files, actions=planned)
        kept = [f for f, action in planned.items() if action == "kept"]
        if kept:
            result.notes.append(
                f"kept the {', '.join(kept)} already there (the template never overwrites it)"
            )
        if request.lock:
            on_step("locking")
            _lock(destination, result.notes, request.answers.get("deploy") == "elastic-beanstalk")
        if request.git:
            on_step("git")
            result.git_commit = git.first_commit(destination, FIRST_COMMIT_SUBJECT, result.notes)
        with signals_deferred():  # from here on a signal means: the project is there
            claim.release()
            complete = True
    except BaseException as exc:
        if not complete:
            if claim is not None:
                claim.undo()
            raise
        raise stopped_after(exc, destination) from exc
    result.message = message
    if request.install:
        on_step("installing")
        result.installed_with = _install(destination, request.install_command, request.python)
        if result.git_commit and git.is_changed(destination, "uv.lock"):
            result.git_commit = git.amend_with(destination, "uv.lock")
    return result


def _preview(
    session: render.Session,
    answers: Mapping[str, Any],
    destination: Path,
    keep_existing: tuple[str, ...],
) -> dict[str, str]:
    """Each file the template writes and what writing it does in DEST: create, overwrite,
    identical, or kept (``_skip_if_exists``). Nothing of the template is run."""
    with tempfile.TemporaryDirectory(prefix="pystarter-preview-") as scratch:
        rendered = Path(scratch) / destination.name
        session.preview(rendered, answers)
        files = list_files(rendered)
        actions = compare(rendered, destination, files)
    for relative in kept_files(destination, files, keep_existing):
        actions[relative] = "kept"
    return actions


def _lock(destination: Path, notes: list[str], export: bool = False) -> None:
    """``uv lock`` so the first commit pins every dependency; offline or failing, the project
    is made all the same and a note says how to finish. ``export``: requirements.txt (which
    Elastic Beanstalk installs) is written from the lock too."""
    uv = shutil.which("uv")
    if uv is None or not (destination / "pyproject.toml").is_file():
        return
    try:
        _run_installer([uv, "lock", "--quiet"], destination, "uv lock", "", LOCK_TIMEOUT)
    except InstallError as exc:
        (destination / "uv.lock").unlink(missing_ok=True)
        notes.append(f"{exc.message}: run uv lock in the project and commit uv.lock")
        return
    if export:
        command = [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"]
        command += ["--quiet", "--output-file", "requirements.txt"]
        try:
            _run_installer(command, destination, "uv export", "", LOCK_TIMEOUT)
        except InstallError as exc:
            notes.append(f"{exc.message}: run the uv export command in requirements.txt")


def _install(destination: Path, finish: str, python: str) -> str:
    """Install; the project is complete already, so a failure or an interrupt keeps it (the
    half-made ``.venv`` is removed) and says how to finish."""
    how = f"finish with: cd {shlex.quote(str(destination))} && {finish}"
    venv = destination / ".venv"
    made_venv = not venv.exists()
    try:
        return install_project(destination, python)
    except BaseException as exc:
        if made_venv:
            with signals_deferred():
                shutil.rmtree(venv, ignore_errors=True)
        if isinstance(exc, InstallError):
            message = f"{exc.message}; the project is created in {destination}"
            raise InstallError(message, how) from exc
        raise stopped_after(exc, destination, "the install did not finish", how) from exc


def stopped_after(
    exc: BaseException, destination: Path, skipped: str = "", hint: str = ""
) -> BaseException:
    """What to raise for ``exc`` once the project is complete: a signal becomes a message
    saying the project is there (and what did not run); anything else is itself."""
    interrupt = interrupt_within(exc)
    if interrupt is None:
        return exc
    terminated = isinstance(interrupt, Terminated)
    word = "terminated" if terminated else "interrupted"
    return StoppedError(
        f"{word}; the project is created in {destination}" + (f" ({skipped})" if skipped else ""),
        hint,
        terminated=terminated,
    )


def install_project(destination: Path, python: str = sys.executable) -> str:
    """Create ``.venv`` and install the project with its dev dependencies; returns the tool used."""
    hint = "check the network and the package index, or pass --no-install and install later"
    uv = shutil.which("uv")
    if uv:
        _run_installer([uv, "sync", "--quiet"], destination, "uv sync", hint)
        return "uv"
    venv_python = destination / ".venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run_installer([python, "-m", "venv", ".venv"], destination, "python -m venv", hint)
    pip = [str(venv_python), "-m", "pip", "--disable-pip-version-check", "-q", "install"]
    _run_installer([*pip, "--upgrade", "pip>=25.1"], destination, "pip upgrade", hint)
    _run_installer([*pip, "-e", ".", "--group", "dev"], destination, "pip install", hint)
    return "pip"


def _run_installer(
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
