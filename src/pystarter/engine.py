"""Render a template into a staging folder beside DEST, move it into place, git, install.

No terminal I/O here: callers get plain results and :mod:`pystarter.errors` exceptions, and
may pass ``on_step`` to hear which step is running. Whatever fails or is interrupted, the
destination is left as it was found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter.errors import (
    DestinationError,
    GitError,
    InstallError,
    PystarterError,
    RenderError,
    UntrustedTemplateError,
)
from pystarter.sources import TemplateSource

StepCallback = Callable[[str], None]
FALLBACK_GIT_IDENTITY = ("pystarter", "pystarter@localhost")
ANSWERS_FILE = ".copier-answers.yml"


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
    """Extra keys saved in the answers file (the recommendation), prefixed with ``_pystarter_``."""


@dataclass
class NewProjectResult:
    destination: Path
    files: list[str]
    git_commit: str | None = None
    notes: list[str] = field(default_factory=list)
    """Things the user should know that are not errors (fallback git identity, git missing)."""
    installed_with: str | None = None


def _quiet(_: str) -> None:
    pass


def check_destination(destination: Path, force: bool) -> None:
    """Refuse before anything is written: a file, a symlink, or a non-empty folder without force."""
    if destination.is_symlink():
        raise DestinationError(
            f"{destination} is a symbolic link", "give the real folder it points to"
        )
    if destination.exists() and not destination.is_dir():
        raise DestinationError(f"{destination} exists and is not a folder", "choose another DEST")
    if destination.is_dir() and any(destination.iterdir()) and not force:
        raise DestinationError(
            f"{destination} is not empty",
            "choose a new folder, or pass --force to overwrite only the files the template writes",
        )


def new_project(request: NewProjectRequest, on_step: StepCallback = _quiet) -> NewProjectResult:
    destination = request.destination.absolute()
    check_destination(destination, request.force)
    parent = _nearest_existing_parent(destination)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DestinationError(f"cannot write in {parent}", "choose a folder you can write to")
    with _staging_area(parent) as staging:
        on_step("rendering")
        rendered = staging / "project"
        render_template(request.template, rendered, request.answers)
        if request.record:
            _record_in_answers_file(rendered, request.record)
        files = _list_files(rendered)
        result = NewProjectResult(destination, files)
        if request.dry_run:
            return result
        placement = _Placement(rendered, destination, staging / "backup")
        try:
            placement.apply(files)
            if request.git:
                on_step("git")
                placement.track(destination / ".git")
                result.git_commit = _git_first_commit(destination, result.notes)
            if request.install:
                on_step("installing")
                placement.track(destination / ".venv")
                result.installed_with = install_project(destination)
        except BaseException:
            placement.undo()
            raise
        return result


def _nearest_existing_parent(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.exists():
            return candidate
    return Path(path.anchor)


@contextmanager
def _staging_area(parent: Path) -> Iterator[Path]:
    """A hidden folder beside DEST on the same file system, so the final move is a rename."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=".pystarter-", dir=parent))
    except OSError as exc:
        raise DestinationError(
            f"cannot write in {parent}: {exc.strerror}", "free space or pick another folder"
        ) from exc
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def render_template(template: TemplateSource, target: Path, answers: Mapping[str, Any]) -> None:
    from copier import run_copy
    from copier.errors import CopierError, UnsafeTemplateError

    try:
        run_copy(
            template.location,
            target,
            data=dict(answers),
            defaults=True,
            unsafe=template.trusted,
            quiet=True,
            vcs_ref=template.vcs_ref,
            overwrite=True,
        )
    except UnsafeTemplateError as exc:
        raise UntrustedTemplateError(
            f"template {template.source} wants to run code: {_first_line(exc)}",
            "pass --trust if you trust its author",
        ) from exc
    except PystarterError:
        raise
    except (CopierError, OSError, ValueError, TypeError) as exc:
        raise RenderError(
            f"template {template.source} did not render: {_first_line(exc)}",
            "check the template and the answers given with --data",
        ) from exc
    except Exception as exc:  # Jinja and YAML errors surface under many types
        raise RenderError(
            f"template {template.source} did not render: {type(exc).__name__}: {_first_line(exc)}",
            "check the template and the answers given with --data",
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _record_in_answers_file(rendered: Path, record: Mapping[str, Any]) -> None:
    answers_file = rendered / ANSWERS_FILE
    if not answers_file.is_file():
        return
    import yaml

    extra = {f"_pystarter_{key}": value for key, value in record.items()}
    with answers_file.open("a", encoding="utf-8") as stream:
        yaml.safe_dump(extra, stream, sort_keys=False, allow_unicode=True)


def _list_files(root: Path) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames):
            files.append((base / name).relative_to(root).as_posix())
        for name in dirnames:
            if (base / name).is_symlink():
                files.append((base / name).relative_to(root).as_posix())
    return sorted(files)


class _Placement:
    """Moves rendered files into DEST and remembers enough to put everything back."""

    def __init__(self, rendered: Path, destination: Path, backup: Path) -> None:
        self.rendered = rendered
        self.destination = destination
        self.backup = backup
        self.created_destination: Path | None = None
        self.created: list[Path] = []
        self.replaced: list[tuple[Path, Path]] = []

    def apply(self, files: list[str]) -> None:
        if not self.destination.exists():
            self.created_destination = self._top_missing(self.destination)
            self.destination.parent.mkdir(parents=True, exist_ok=True)
            self.rendered.rename(self.destination)
            return
        for relative in files:
            self._place(relative)

    @staticmethod
    def _top_missing(path: Path) -> Path:
        top = path
        while not top.parent.exists():
            top = top.parent
        return top

    def _place(self, relative: str) -> None:
        source = self.rendered / relative
        target = self.destination / relative
        missing_dirs = [p for p in reversed(target.parents) if not p.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        self.created.extend(missing_dirs)
        if target.exists() or target.is_symlink():
            if target.is_dir() and not target.is_symlink():
                raise DestinationError(
                    f"{target} is a folder where the template writes a file",
                    "move it away or choose another DEST",
                )
            saved = self.backup / relative
            saved.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, saved)
            self.replaced.append((target, saved))
        else:
            self.created.append(target)
        os.replace(source, target)

    def track(self, path: Path) -> None:
        """Remember a path a later step may create (``.git``, ``.venv``) so undo removes it."""
        if not path.exists():
            self.created.append(path)

    def undo(self) -> None:
        if self.created_destination is not None:
            shutil.rmtree(self.created_destination, ignore_errors=True)
            return
        for original, saved in reversed(self.replaced):
            os.replace(saved, original)
        for path in reversed(self.created):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _run(args: list[str], cwd: Path, error: type[PystarterError], what: str, hint: str) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        completed = subprocess.run(
            args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
    except OSError as exc:
        raise error(f"{what} failed: {exc.strerror or exc}", hint) from exc
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()
        detail = output[-1] if output else f"exit code {completed.returncode}"
        raise error(f"{what} failed: {detail}", hint)
    return completed.stdout


def _inside_git_work_tree(path: Path) -> bool:
    probe = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    return probe.returncode == 0 and probe.stdout.strip() == "true"


def _git_identity_missing(path: Path) -> bool:
    for key in ("user.name", "user.email"):
        probe = subprocess.run(
            ["git", "config", key], cwd=path, stdin=subprocess.DEVNULL, capture_output=True
        )
        if probe.returncode != 0:
            return True
    return False


def _git_first_commit(destination: Path, notes: list[str]) -> str | None:
    git = shutil.which("git")
    if git is None:
        notes.append("git is not installed: the project was not put under version control")
        return None
    if (destination / ".git").exists() or _inside_git_work_tree(destination):
        notes.append("the folder is already inside a git work tree: no new repository was made")
        return None
    hint = "fix git, or pass --no-git"
    _run([git, "init", "-q"], destination, GitError, "git init", hint)
    identity: list[str] = []
    if _git_identity_missing(destination):
        name, email = FALLBACK_GIT_IDENTITY
        identity = ["-c", f"user.name={name}", "-c", f"user.email={email}"]
        notes.append(
            f"git has no user.name/user.email: the first commit is by {name} <{email}>; "
            "set yours with git config --global user.name/user.email"
        )
    _run([git, "add", "-A"], destination, GitError, "git add", hint)
    _run(
        [
            git,
            *identity,
            "commit",
            "-q",
            "--no-verify",
            "--no-gpg-sign",
            "-m",
            "Initial commit from pystarter",
        ],
        destination,
        GitError,
        "git commit",
        hint,
    )
    return _run([git, "rev-parse", "HEAD"], destination, GitError, "git rev-parse", hint).strip()


def install_project(destination: Path) -> str:
    """Create ``.venv`` and install the project with its dev dependencies; returns the tool used."""
    hint = f"the log above says why; fix it and run the install command in {destination}"
    uv = shutil.which("uv")
    if uv:
        _run([uv, "sync", "--quiet"], destination, InstallError, "uv sync", hint)
        return "uv"
    venv_python = destination / ".venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run([sys.executable, "-m", "venv", ".venv"], destination, InstallError, "python -m venv", hint)
    pip = [str(venv_python), "-m", "pip", "--disable-pip-version-check", "-q", "install"]
    _run([*pip, "--upgrade", "pip>=25.1"], destination, InstallError, "pip upgrade", hint)
    _run([*pip, "-e", ".", "--group", "dev"], destination, InstallError, "pip install", hint)
    return "pip"
