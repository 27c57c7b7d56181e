"""DEST for one ``new``: claimed before copier renders into it, and put back as it was found
if the render fails or is interrupted.

copier renders into DEST itself (its tasks, ``_folder_name`` and ``_copier_conf.dst_path`` see
the real path). Claiming is atomic, so of two ``new`` runs into one DEST exactly one proceeds.
"""

from __future__ import annotations

import errno
import filecmp
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from pystarter.errors import DestinationError, UnsafePathError, WriteError, stop_signals

#: Made inside an existing empty DEST while copier renders, so a second run sees it taken.
CLAIM_MARKER = ".pystarter-claim"
#: Write failures that are the disk's doing, not the template's.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


@contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Hold the stop signals (Ctrl-C, SIGTERM, SIGHUP) while a step that must not be cut runs.

    A signal that arrives meanwhile is delivered again once the block is done; the list it
    yields says which arrived.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def remember(signum: int, frame: object) -> None:
        received.append(signum)

    watched = stop_signals()
    previous = {signum: signal.signal(signum, remember) for signum in watched}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])


def list_files(root: Path) -> list[str]:
    """Files (and symbolic links) under ``root``, relative, sorted; not the internals of a git
    repository or a virtual environment a template task made, nor pystarter's claim marker."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not (base == root and name == CLAIM_MARKER)
            and name != ".git"
            and not (base / name / "pyvenv.cfg").is_file()
        )
        for name in sorted(filenames):
            if name != ".git":
                files.append((base / name).relative_to(root).as_posix())
        for name in dirnames:
            if (base / name).is_symlink():
                files.append((base / name).relative_to(root).as_posix())
    return sorted(files)


def kept_files(destination: Path, files: list[str], patterns: tuple[str, ...]) -> list[str]:
    """Files DEST already has that the template marks ``_skip_if_exists`` (a ``.env`` holding
    real secrets): copier keeps them even when it overwrites, and so does ``--force``."""
    existing = [f for f in files if os.path.lexists(destination / f)]
    if not patterns or not existing:
        return []
    from pathspec import GitIgnoreSpec

    spec = GitIgnoreSpec.from_lines(patterns)
    return [f for f in existing if spec.match_file(f)]


def compare(rendered: Path, destination: Path, files: list[str]) -> dict[str, str]:
    """What writing ``files`` from ``rendered`` would do in DEST: create, overwrite or
    identical."""
    actions = {}
    for relative in files:
        target = destination / relative
        if not os.path.lexists(target):
            actions[relative] = "create"
        elif target.is_file() and filecmp.cmp(rendered / relative, target, shallow=False):
            actions[relative] = "identical"
        else:
            actions[relative] = "overwrite"
    return actions


class Claim:
    """DEST, taken for this run: made (with any missing parents), or found empty, or with
    ``--force`` the files the template will write backed up. :meth:`undo` puts it back."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        self.created_top: Path | None = None
        self.marker: Path | None = None
        self.before: set[str] = set()
        """Paths (files and folders) DEST held before the render, with --force."""
        self.backup: Path | None = None

    @classmethod
    def take(cls, destination: Path, force: bool) -> Claim:
        """Claim DEST: made here (with any missing parents) or found empty, then marked by a
        folder only one run can create; with --force, DEST may hold files already."""
        claim = cls(destination)
        top = _top_missing(destination)
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(destination)
            claim.created_top = top
        except FileExistsError:
            pass
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                parent = _nearest_existing(destination)
                raise DestinationError(
                    f"cannot write in {parent}", "choose a folder you can write to"
                ) from exc
            raise write_error(exc, destination.parent) from exc
        if destination.is_symlink() or not destination.is_dir():
            raise DestinationError(
                f"{destination} exists and is not a folder", "choose another DEST"
            )
        if claim.created_top is None and any(destination.iterdir()):
            if not force:
                raise DestinationError(
                    f"{destination} is not empty",
                    "choose a new folder, or pass --force to overwrite only the files the "
                    "template writes",
                )
            claim.before = _all_paths(destination)
            return claim
        try:
            os.mkdir(destination / CLAIM_MARKER)
        except FileExistsError:
            raise DestinationError(
                f"{destination} is being made by another pystarter new",
                "wait for it, or choose another DEST",
            ) from None
        except OSError as exc:
            raise write_error(exc, destination) from exc
        claim.marker = destination / CLAIM_MARKER
        return claim

    def protect(self, files: list[str]) -> None:
        """With --force: refuse writing through links or onto folders, then copy aside each
        file the render will overwrite."""
        check_paths(self.destination, files)
        existing = [f for f in files if os.path.lexists(self.destination / f)]
        if not existing:
            return
        self.backup = backup_folder(self.destination)
        for relative in existing:
            saved = self.backup / relative
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.destination / relative, saved, follow_symlinks=False)

    def release(self) -> None:
        """The render is complete: drop the marker and the backup."""
        if self.marker is not None:
            shutil.rmtree(self.marker, ignore_errors=True)
            self.marker = None
        if self.backup is not None:
            shutil.rmtree(self.backup, ignore_errors=True)
            self.backup = None

    def undo(self) -> None:
        """Put DEST back as it was found; signals are held meanwhile."""
        with signals_deferred():
            if self.created_top is not None:
                _remove_tree(self.created_top)
                return
            if not self.before:  # DEST was empty
                for child in self.destination.iterdir():
                    _remove(child)
                return
            for relative in sorted(_all_paths(self.destination) - self.before, reverse=True):
                _remove(self.destination / relative)
            if self.backup is not None:
                restore_backup(self.backup, self.destination)
                self.backup = None


def backup_folder(destination: Path) -> Path:
    """A new folder for ``--force``'s backup on DEST's own filesystem (beside DEST), so that
    putting the files back is a rename; where that is not possible, the temporary folder
    (:func:`restore_backup` then copies)."""
    parent = destination.absolute().parent
    try:
        if os.stat(parent).st_dev == os.stat(destination).st_dev:
            return Path(
                tempfile.mkdtemp(prefix=f".{destination.name}.pystarter-backup-", dir=parent)
            )
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="pystarter-backup-"))


def restore_backup(backup: Path, destination: Path) -> None:
    """Put every file of ``backup`` back at its place in ``destination``, then remove
    ``backup``: a rename on one filesystem, a copy then a delete across two. A plain function
    (an interrupt boundary may call it); if any file cannot be put back, the backup is kept
    and the error names it."""
    failed: list[str] = []
    for saved in sorted(backup.rglob("*")):
        if saved.is_dir() and not saved.is_symlink():
            continue
        relative = saved.relative_to(backup)
        target = destination / relative
        try:
            _remove(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(saved, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                shutil.copy2(saved, target, follow_symlinks=False)
                saved.unlink()
        except OSError:
            failed.append(relative.as_posix())
    if failed:
        shown = ", ".join(failed[:3]) + (", ..." if len(failed) > 3 else "")
        raise WriteError(
            f"could not put back {shown} in {destination}; your files are kept in {backup}",
            f"copy them back from {backup} by hand",
        )
    shutil.rmtree(backup, ignore_errors=True)


def check_paths(destination: Path, files: list[str]) -> None:
    """Refuse, before anything is written, a file that would land through a link or on a
    folder: with --force, DEST may hold a symbolic link where the template makes a folder."""
    for relative in files:
        current = destination
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


def write_error(exc: OSError, where: Path) -> Exception:
    """The disk said no (full, read-only, no permission): one line saying so; other errors
    are returned as they are."""
    if exc.errno not in DISK_ERRNOS:
        return exc
    return WriteError(
        f"cannot write the project in {where}: {exc.strerror or exc}",
        "free some space or choose another folder, then run the same command again",
    )


def _top_missing(path: Path) -> Path | None:
    """The topmost folder of ``path`` that does not exist yet (None if ``path`` exists)."""
    if os.path.lexists(path):
        return None
    top = path
    while not os.path.lexists(top.parent):
        top = top.parent
    return top


def _nearest_existing(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.exists():
            return candidate
    return Path(path.anchor)


def _all_paths(root: Path) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in [*dirnames, *filenames]:
            found.add((base / name).relative_to(root).as_posix())
    return found


def _remove_tree(path: Path) -> None:
    """rmtree, again while something the killed step started still adds files."""
    for _ in range(20):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return
        time.sleep(0.05)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
