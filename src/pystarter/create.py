"""``new``'s work once the answers are settled: claim DEST, let copier render into it, record
pystarter's extras, lock, make the first commit, install. No terminal I/O: callers get
plain results and :mod:`pystarter.errors` exceptions, and may pass ``on_step`` to hear which
step runs. Whatever fails or is interrupted, DEST is left as it was found.
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pystarter import git, render
from pystarter.answers import check_text_answers
from pystarter.errors import (
    DestinationError,
    InstallError,
    StoppedError,
    interrupt_status,
    interrupt_within,
    interrupt_word,
)
from pystarter.install import install_project, lock
from pystarter.names import shown
from pystarter.placement import (
    CLAIM_MARKER,
    Claim,
    compare,
    kept_files,
    list_files,
    signals_deferred,
    write_error,
)
from pystarter.sources import TemplateSource
from pystarter.subproject import append_record
from pystarter.template_config import ANSWERS_FILE


class StepCallback(Protocol):
    """Says which step of making the project runs. ``prints``: what runs in it writes to the
    terminal itself (a template's tasks), so a spinner must not draw over it."""

    def __call__(self, step: str, *, prints: bool = False) -> None: ...


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
    runs_tasks: bool = False
    """The template has ``_tasks`` and is trusted: copier runs them while it renders."""


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
    tasks: list[str] = field(default_factory=list)
    """With --dry-run: the template's tasks that would run, as copier renders them."""


def _quiet(step: str, *, prints: bool = False) -> None:
    pass


def new_project(
    request: NewProjectRequest, session: render.Session, on_step: StepCallback = _quiet
) -> NewProjectResult:
    """Render ``session``'s template into DEST, commit, install; DEST is left as it was found
    if anything before the first commit fails or is interrupted."""
    destination = request.destination.absolute()
    check_text_answers(request.answers)
    check_destination(destination, request.force)
    stale = stale_claim(destination)
    occupied = bool(_entries(destination, stale))
    planned: dict[str, str] = {}
    if occupied or request.dry_run:
        planned = _preview(session, request.answers, destination, request.keep_existing)
    written = sorted(f for f, action in planned.items() if action != "kept")
    if request.dry_run:
        result = NewProjectResult(destination, written, actions=planned)
        if session.template.kind != "builtin":
            result.tasks = session.questions(destination).task_commands(request.answers)
        return result
    claim: Claim | None = None
    complete = False
    try:
        with signals_deferred():  # a signal while claiming lands inside the try, claim known
            if stale is not None:
                shutil.rmtree(stale, ignore_errors=True)
            claim = Claim.take(destination, request.force)
            if claim.marker is not None:  # an empty folder: git adds none
                (claim.marker / str(os.getpid())).mkdir()
        if planned:
            claim.protect(written)
        if request.runs_tasks:
            on_step("rendering, then the template's tasks", prints=True)
        else:
            on_step("rendering")
        had_repository = (destination / ".git").exists()
        try:
            message = session.copy(destination, request.answers)
        except OSError as exc:
            raise write_error(exc, destination) from exc
        append_record(destination / request.answers_file, request.record)
        task_commit = None
        made_repository = not had_repository and (destination / ".git").exists()
        if made_repository and git.available() and git.is_repo_root(destination):
            # the template's tasks made the repository: pystarter's keys go on top of it
            task_commit = git.commit_record(destination, request.answers_file)
        files = written if planned else list_files(destination)
        result = NewProjectResult(destination, files, actions=planned)
        kept = [f for f, action in planned.items() if action == "kept"]
        if kept:
            result.notes.append(
                f"kept the {', '.join(kept)} already there (the template never overwrites it)"
            )
        if request.lock:
            on_step("locking")
            lock(destination, result.notes, request.answers.get("deploy") == "elastic-beanstalk")
        if task_commit is not None:
            result.git_commit = task_commit
        elif request.git:
            on_step("git")
            result.git_commit = git.first_commit(destination, result.notes)
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
    return StoppedError(
        f"{interrupt_word(interrupt)}; the project is created in {destination}"
        + (f" ({skipped})" if skipped else ""),
        hint,
        interrupt_status(interrupt),
    )


def destination_argument(text: str) -> Path:
    """DEST as typed. A blank one is refused rather than read as the current folder: it is
    what ``pystarter new "$NAME"`` gets when NAME is unset."""
    if not text.strip():
        raise DestinationError("DEST is blank", "give a folder name, or . for the current folder")
    control = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:  # a tab or line break: no `cd` line a person types would work
        raise DestinationError(
            f"DEST {shown(text)} contains a control character (U+{ord(control):04X})",
            "give a folder name without tabs, line breaks or other control characters",
        )
    return _through_dot_dot(Path(text))


def _through_dot_dot(path: Path) -> Path:
    """A DEST with ``..`` is where it leads (``np/../app`` is ``app``, ``..`` the real parent),
    resolved before it is claimed: nothing is made on the way, and messages name the real
    folder. DEST itself is not resolved, so a DEST that is a symbolic link is still refused."""
    if ".." not in path.parts:
        return path
    try:
        if path.name == "..":
            return Path(os.path.realpath(path))
        return Path(os.path.realpath(path.parent)) / path.name
    except OSError:  # a deleted working folder: check_working_folder says so
        return path


#: Why a DEST the system refuses to look at cannot be used, by errno, and what to do.
_DEST_ERRNO_HINTS = {
    errno.ENAMETOOLONG: "choose a shorter name",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another DEST",
    errno.ELOOP: "the path runs through a loop of symbolic links; give the real folder",
    errno.EACCES: "a folder on the path may not be searched by you; fix its permissions "
    "or choose another folder",
    errno.EPERM: "a folder on the path may not be searched by you; fix its permissions "
    "or choose another folder",
}


def check_working_folder() -> None:
    """Refuse to start from a current folder deleted since the shell entered it: every
    relative path, and copier itself, would fail on it."""
    try:
        os.getcwd()
    except FileNotFoundError as exc:
        raise DestinationError(
            "the current folder no longer exists", "cd into an existing folder and run again"
        ) from exc


def check_destination(destination: Path, force: bool) -> None:
    """Refuse before anything is written: a file, a symlink, or a non-empty folder without force."""
    try:
        destination.lstat()
    except FileNotFoundError:
        pass
    except OSError as exc:  # a name over 255 bytes, a folder we may not look into
        hint = _DEST_ERRNO_HINTS.get(exc.errno or 0, "choose another folder")
        raise DestinationError(f"DEST {destination} cannot be used: {exc.strerror}", hint) from exc
    if destination.is_symlink():
        raise DestinationError(
            f"{destination} is a symbolic link", "give the real folder it points to"
        )
    if destination.exists() and not destination.is_dir():
        raise DestinationError(f"{destination} exists and is not a folder", "choose another DEST")
    if destination.is_dir() and not os.access(destination, os.R_OK | os.X_OK):
        raise DestinationError(
            f"{destination} cannot be read: permission denied",
            "run chmod u+rx on it, or choose another folder",
        )
    if destination.is_dir() and not os.access(destination, os.W_OK):
        raise DestinationError(
            f"{destination} is read-only for you: permission denied",
            "run chmod u+w on it, or choose another folder",
        )
    if destination.is_dir() and _entries(destination, stale_claim(destination)) and not force:
        raise DestinationError(
            f"{destination} is not empty",
            "choose a new folder, or pass --force to overwrite only the files the template writes",
        )


def folder_problem(folder: Path, force: bool) -> str | None:
    """Why the folder a typed name makes cannot be used, said to the person typing (no
    options to pass): they type another name."""
    try:
        check_destination(folder.absolute(), force)
    except DestinationError as exc:
        if folder.is_dir() and not folder.is_symlink():
            return f"a folder {folder} is already here and not empty: type another name"
        return f"{exc.message}: type another name"
    return None


def stale_claim(destination: Path) -> Path | None:
    """The claim marker a run that is gone left in DEST (killed by SIGKILL, a power cut): the
    next run on DEST removes it. The marker holds a folder named by its run's process id; a
    marker whose run is alive is another run's, at work."""
    marker = destination / CLAIM_MARKER
    if marker.is_symlink() or not marker.is_dir():
        return None
    try:
        owner = int(next(entry.name for entry in marker.iterdir() if entry.name.isdigit()))
    except (OSError, StopIteration):  # its run stopped before it said who it was
        return marker
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        return marker
    except OSError:  # alive, another user's
        return None
    return None


def _entries(destination: Path, stale: Path | None) -> list[Path]:
    """What DEST holds, a stale claim marker aside."""
    if not destination.is_dir():
        return []
    return [entry for entry in destination.iterdir() if entry != stale]
