"""Putting a rendered project into DEST so that it is all there or not there at all.

The template renders into a staging folder beside DEST (on the same file system, so the final
move is a rename); :class:`Placement` moves the files in, remembers what it created or replaced,
and puts everything back on failure, with signals held while it does.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from pystarter.errors import (
    DestinationError,
    PystarterError,
    RenderError,
    UnsafePathError,
    WriteError,
    first_line,
)

STAGING_PREFIX = ".pystarter-"
#: Write failures that are the disk's doing, not the template's.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
DENIED_ERRNOS = frozenset({errno.EACCES, errno.EPERM})


def nearest_existing_parent(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.exists():
            return candidate
    return Path(path.anchor)


def workspace_for(destination: Path) -> Path:
    """Where the staging folder goes: beside DEST, so the final move is a rename.

    An existing DEST on another file system than its parent (a mounted volume) or in a
    parent we may not write gets the staging folder inside it instead.
    """
    parent = nearest_existing_parent(destination)
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
def signals_deferred() -> Iterator[None]:
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
def staging_area(workspace: Path) -> Iterator[Path]:
    """A hidden folder on DEST's file system; always removed, whatever happens inside."""
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=workspace))
        yield staging
    except OSError as exc:
        if staging is None:
            raise write_error(exc, workspace) from exc
        raise
    finally:
        if staging is not None:
            with signals_deferred():
                shutil.rmtree(staging, ignore_errors=True)


def _is_write_failure(exc: OSError, under: Path) -> bool:
    """The disk refused to write below ``under``, as opposed to a template file being unreadable."""
    if exc.errno in DISK_FULL_ERRNOS:
        return True
    filename = exc.filename if isinstance(exc.filename, str) else ""
    return exc.errno in DENIED_ERRNOS and Path(filename).is_relative_to(under)


def write_error(exc: OSError, workspace: Path) -> PystarterError:
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


def kept_files(destination: Path, files: list[str], patterns: tuple[str, ...]) -> list[str]:
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


def list_files(root: Path) -> list[str]:
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


class Placement:
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
