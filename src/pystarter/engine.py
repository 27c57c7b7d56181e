"""Render a template into a staging folder beside DEST, move it into place, git, install.

No terminal I/O here: callers get plain results and :mod:`pystarter.errors` exceptions, and
may pass ``on_step`` to hear which step is running. Whatever fails or is interrupted, the
destination is left as it was found.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pystarter.answers import check_text_answers
from pystarter.destination import check_destination
from pystarter.errors import (
    DestinationError,
    GitError,
    InstallError,
    MissingAnswersError,
    PystarterError,
    RenderError,
    TemplateFetchError,
    UnsafePathError,
    UntrustedTemplateError,
    WriteError,
    first_line,
)
from pystarter.names import shown
from pystarter.sources import TemplateSource

StepCallback = Callable[[str], None]
FALLBACK_GIT_IDENTITY = ("pystarter", "pystarter@localhost")
ANSWERS_FILE = ".copier-answers.yml"
FIRST_COMMIT_SUBJECT = "Initial commit from pystarter"
#: copier's message for a question with no default and no answer (it raises a bare ValueError)
_REQUIRED_QUESTION = re.compile(r'Question "([^"]+)" is required')
STAGING_PREFIX = ".pystarter-"
#: Write failures that are the disk's doing, not the template's.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
DENIED_ERRNOS = frozenset({errno.EACCES, errno.EPERM})


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
    keep_existing: tuple[str, ...] = ()
    """The template's ``_skip_if_exists`` patterns: a matching file already in DEST is kept."""


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


def new_project(request: NewProjectRequest, on_step: StepCallback = _quiet) -> NewProjectResult:
    destination = request.destination.absolute()
    check_text_answers(request.answers)
    check_destination(destination, request.force)
    workspace = _workspace(destination)
    with _staging_area(workspace) as staging:
        on_step("rendering")
        rendered = staging / "project"
        try:
            render_template(request.template, rendered, request.answers)
            if request.record:
                _record_in_answers_file(rendered, request.record)
        except OSError as exc:
            raise _write_error(exc, workspace) from exc
        rendered_files = _list_files(rendered)
        kept = _kept_files(destination, rendered_files, request.keep_existing)
        files = [f for f in rendered_files if f not in kept]
        result = NewProjectResult(destination, files)
        if kept:
            result.notes.append(
                f"kept the {', '.join(kept)} already there (the template never overwrites it)"
            )
        if request.dry_run:
            return result
        placement = _Placement(rendered, destination, staging / "backup")
        placement.check(files)
        try:
            try:
                placement.apply(files)
            except OSError as exc:
                raise _write_error(exc, destination.parent) from exc
            if request.git:
                on_step("git")
                placement.track(destination / ".git")
                ignored = [staging.name] if staging.parent == destination else []
                result.git_commit = _git_first_commit(destination, result.notes, ignored)
            if request.install:
                on_step("installing")
                placement.track(destination / ".venv")
                result.installed_with = install_project(destination)
        except BaseException:
            with _signals_deferred():
                placement.undo()
            raise
        return result


def _nearest_existing_parent(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.exists():
            return candidate
    return Path(path.anchor)


def _workspace(destination: Path) -> Path:
    """Where the staging folder goes: beside DEST, so the final move is a rename.

    An existing DEST on another file system than its parent (a mounted volume) or in a
    parent we may not write gets the staging folder inside it instead.
    """
    parent = _nearest_existing_parent(destination)
    writable_parent = os.access(parent, os.W_OK | os.X_OK)
    if destination.is_dir() and (
        not writable_parent or os.stat(parent).st_dev != os.stat(destination).st_dev
    ):
        if not os.access(destination, os.W_OK | os.X_OK):
            raise DestinationError(
                f"cannot write in {destination}", "choose a folder you can write to"
            )
        return destination
    if not writable_parent:
        raise DestinationError(f"cannot write in {parent}", "choose a folder you can write to")
    return parent


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while undoing, so a second signal cannot leave half a project.

    A signal that arrives meanwhile is delivered again once the block is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def remember(signum: int, frame: object) -> None:
        received.append(signum)

    watched = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, remember) for signum in watched}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])


@contextmanager
def _staging_area(workspace: Path) -> Iterator[Path]:
    """A hidden folder on DEST's file system; always removed, whatever happens inside."""
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=workspace))
        yield staging
    except OSError as exc:
        if staging is None:
            raise _write_error(exc, workspace) from exc
        raise
    finally:
        if staging is not None:
            with _signals_deferred():
                shutil.rmtree(staging, ignore_errors=True)


def _is_write_failure(exc: OSError, under: Path) -> bool:
    """The disk refused to write below ``under``, as opposed to a template file being unreadable."""
    processes = sys.modules.get("plumbum.commands.processes")
    if processes is not None and isinstance(exc, processes.ProcessExecutionError):
        return False
    if exc.errno in DISK_FULL_ERRNOS:
        return True
    filename = exc.filename if isinstance(exc.filename, str) else ""
    return exc.errno in DENIED_ERRNOS and Path(filename).is_relative_to(under)


def _write_error(exc: OSError, workspace: Path) -> PystarterError:
    """The disk said no (full, read-only, quota): one line saying so; other errors unchanged."""
    if not _is_write_failure(exc, workspace):
        return RenderError(
            f"the template did not render: {first_line(exc)}",
            "check the template and the answers given with --data",
        )
    return WriteError(
        f"cannot write the project in {workspace}: {exc.strerror or exc}",
        "free some space or choose another folder, then run the same command again",
    )


def render_template(template: TemplateSource, target: Path, answers: Mapping[str, Any]) -> None:
    """Render into ``target``; every failure becomes one of our errors, disk errors stay OSError.

    Built-in templates are rendered by :mod:`pystarter.direct_render` (the same files in a
    fraction of the time); every other template, and a built-in that needs more of copier,
    by copier.
    """
    try:
        if template.kind == "builtin" and _render_directly(template, target, answers):
            return
        _render_with_copier(template, target, answers)
    except PystarterError:
        raise
    except Exception as exc:
        failure = _render_failure(template, target, exc)
        if failure is exc:
            raise
        raise failure from exc


def _render_directly(template: TemplateSource, target: Path, answers: Mapping[str, Any]) -> bool:
    """Render a built-in without copier; False when copier must do it (nothing left behind)."""
    from pystarter.direct_render import NeedsCopier, render_directly, unsupported_reason
    from pystarter.sources import read_template_config

    root = Path(template.location)
    config = read_template_config(root)
    if unsupported_reason(root, config) is not None:
        return False
    try:
        render_directly(root, config, target, answers, template.source)
    except NeedsCopier:
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _render_with_copier(template: TemplateSource, target: Path, answers: Mapping[str, Any]) -> None:
    from copier import run_copy

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


def _render_failure(template: TemplateSource, target: Path, exc: Exception) -> BaseException:
    """Our error for a failed render; ``exc`` itself for a disk failure, which callers report.

    copier's and plumbum's exception types are looked up only if they were imported: an
    exception cannot come from a module that never loaded.
    """
    copier_errors = sys.modules.get("copier.errors")
    processes = sys.modules.get("plumbum.commands.processes")
    if copier_errors is not None and isinstance(exc, copier_errors.UnsafeTemplateError):
        return UntrustedTemplateError(
            f"template {template.source} wants to run code: {first_line(exc)}",
            "pass --trust if you trust its author",
        )
    if copier_errors is not None and isinstance(exc, copier_errors.ForbiddenPathError):
        return UnsafePathError(
            f"template {template.source} would write outside the project: {first_line(exc)}",
            "an answer used in a file name holds '..' or '/', or the template links outside itself",
        )
    if processes is not None and isinstance(exc, processes.ProcessExecutionError):
        if not Path(template.location).is_dir():
            return TemplateFetchError(
                f"could not fetch template {template.source}: {_git_message(exc)}",
                "check the address, your network and --vcs-ref, then try again",
            )
        return RenderError(
            f"template {template.source} did not render: {_git_message(exc)}",
            "check the template's git repository",
        )
    if isinstance(exc, OSError):
        if _is_write_failure(exc, target.parent):
            return exc
        if exc.errno == errno.ENAMETOOLONG:
            name = Path(str(exc.filename or "")).name
            return UnsafePathError(
                f"template {template.source} makes a file name too long: {shown(name)}",
                "shorten the answer used in that file name",
            )
        return RenderError(
            f"template {template.source} did not render: {first_line(exc)}",
            "check the template and the answers given with --data",
        )
    required = _REQUIRED_QUESTION.match(str(exc)) if isinstance(exc, ValueError) else None
    if required is not None:
        return MissingAnswersError([required.group(1)])
    copier_error = (copier_errors.CopierError,) if copier_errors is not None else ()
    if isinstance(exc, (ValueError, TypeError, *copier_error)):
        return RenderError(
            f"template {template.source} did not render: {first_line(exc)}",
            "check the template and the answers given with --data",
        )
    # Jinja and YAML errors surface under many types
    return RenderError(
        f"template {template.source} did not render: {type(exc).__name__}: {first_line(exc)}",
        "check the template and the answers given with --data",
    )


def _git_message(exc: BaseException) -> str:
    """The last thing git said on stderr (``fatal: unable to access ...``), not plumbum's dump."""
    lines = str(getattr(exc, "stderr", "") or "").strip().splitlines()
    return lines[-1].strip() if lines else first_line(exc)


def _record_in_answers_file(rendered: Path, record: Mapping[str, Any]) -> None:
    answers_file = rendered / ANSWERS_FILE
    if not answers_file.is_file():
        return
    import yaml

    extra = {f"_pystarter_{key}": value for key, value in record.items()}
    with answers_file.open("a", encoding="utf-8") as stream:
        yaml.safe_dump(extra, stream, sort_keys=False, allow_unicode=True)


def _kept_files(destination: Path, files: list[str], patterns: tuple[str, ...]) -> list[str]:
    """Files DEST already has that the template marks ``_skip_if_exists`` (a ``.env`` holding
    real secrets): copier keeps them even when it overwrites, and so does ``--force``."""
    if not patterns or not destination.is_dir():
        return []
    existing = [f for f in files if os.path.lexists(destination / f)]
    if not existing:
        return []
    from pathspec import GitIgnoreSpec

    spec = GitIgnoreSpec.from_lines(patterns)
    return [f for f in existing if spec.match_file(f)]


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

    def check(self, files: list[str]) -> None:
        """Refuse, before anything moves, a file that would land through a link or on a folder.

        With ``--force``, DEST may hold a symbolic link where the template makes a folder;
        writing through it would put files outside DEST.
        """
        if not self.destination.exists():
            return
        for relative in files:
            current = self.destination
            parts = PurePosixPath(relative).parts
            for depth, part in enumerate(parts, start=1):
                current = current / part
                last = depth == len(parts)
                if current.is_symlink() and not last:
                    raise UnsafePathError(
                        f"{current} is a symbolic link where the template writes {relative}",
                        "remove the link or choose another DEST",
                    )
                if not current.exists():
                    break
                if last and current.is_dir() and not current.is_symlink():
                    raise DestinationError(
                        f"{current} is a folder where the template writes a file",
                        "move it away or choose another DEST",
                    )
                if not last and not current.is_dir():
                    raise DestinationError(
                        f"{current} is a file where the template makes a folder",
                        "move it away or choose another DEST",
                    )

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


def _git_first_commit(
    destination: Path, notes: list[str], ignored: list[str] | None = None
) -> str | None:
    """``git init`` and a first commit of everything but ``ignored`` (our staging folder)."""
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
    pathspec = ["--", ".", *(f":(exclude){name}" for name in ignored or ())]
    _run([git, "add", "-A", *pathspec], destination, GitError, "git add", hint)
    _run(
        [
            git,
            *identity,
            "commit",
            "-q",
            "--no-verify",
            "--no-gpg-sign",
            "-m",
            FIRST_COMMIT_SUBJECT,
        ],
        destination,
        GitError,
        "git commit",
        hint,
    )
    return _run([git, "rev-parse", "HEAD"], destination, GitError, "git rev-parse", hint).strip()


def install_project(destination: Path) -> str:
    """Create ``.venv`` and install the project with its dev dependencies; returns the tool used."""
    hint = "check the network and the package index, or pass --no-install and install later"
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
