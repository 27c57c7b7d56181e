"""The folder ``new`` may write into: checked before the first question is asked, so nobody
answers ten questions to be refused, and again just before anything is written."""

from __future__ import annotations

from pathlib import Path

from pystarter.errors import DestinationError


def destination_argument(text: str) -> Path:
    """DEST as typed. A blank one is refused rather than read as the current folder: it is
    what ``pystarter new "$NAME"`` gets when NAME is unset."""
    if not text.strip():
        raise DestinationError("DEST is blank", "give a folder name, or . for the current folder")
    return Path(text)


def check_destination(destination: Path, force: bool) -> None:
    """Refuse before anything is written: a file, a symlink, or a non-empty folder without force."""
    try:
        destination.lstat()
    except FileNotFoundError:
        pass
    except OSError as exc:  # a name over 255 bytes, a folder we may not look into
        raise DestinationError(
            f"DEST cannot be used: {exc.strerror}", "choose a shorter name or another folder"
        ) from exc
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
