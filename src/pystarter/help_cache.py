"""Help text kept from the last run, so ``pystarter [COMMAND] --help`` answers without
importing typer (typer alone costs ~5x a bare Python start; see benchmarks/).

The text is what typer printed, byte for byte, stored under the command words. It is
used only while everything it could depend on is unchanged: pystarter's version, how it
was started (the usage line says ``pystarter`` or ``python -m pystarter``), Python's
version, the files of the pystarter package, the folders on ``sys.path`` (an install or
removal changes their modification time: typer upgraded, pystarter reinstalled), the
terminal width, the locale and typer's environment variables. Anything unusual (a read
error, a stale or damaged file, an unwritable cache) means typer answers as if there were
no cache.

Imports here are what a bare Python start has already loaded, and shutil.
"""

from __future__ import annotations

import os
import sys

HELP_FLAG = "--help"
_MAX_COMMAND_WORDS = 2
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
_TYPER_VARIABLES = ("TYPER_", "_TYPER_")


def is_help_request(args: list[str]) -> bool:
    """``pystarter``, or ``pystarter [COMMAND [SUBCOMMAND]] --help``: output that depends
    on nothing but the installed code and the terminal."""
    if not args:
        return True
    *words, last = args
    return (
        last == HELP_FLAG
        and len(words) <= _MAX_COMMAND_WORDS
        and all(_is_command_word(word) for word in words)
    )


def _is_command_word(word: str) -> bool:
    return word.isascii() and word.replace("-", "").isalpha() and not word.startswith("-")


def cache_dir() -> str:
    """``$PYSTARTER_CACHE_DIR``, else the platform's user cache folder for pystarter (the
    XDG rule on Linux, spelt out here: importing platformdirs costs more than the cache
    saves)."""
    override = os.environ.get("PYSTARTER_CACHE_DIR", "").strip()
    if override:
        return override
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not base.strip():
            base = os.path.expanduser("~/.cache")
        return os.path.join(base, "pystarter")
    from platformdirs import user_cache_dir

    return user_cache_dir("pystarter", appauthor=False)


def help_file(args: list[str]) -> str:
    """One file per command line: ``pystarter-new.help.txt``; bare ``pystarter.txt``."""
    name = "-".join(["pystarter", *args[:-1]]) + (".help.txt" if args else ".txt")
    return os.path.join(cache_dir(), "help", name)


def fingerprint(
    program: str, package_dir: str, path_entries: list[str], width: int, environ: dict[str, str]
) -> str:
    """One line naming everything the help text depends on. ``program`` is ``sys.argv[0]``:
    the usage line names ``pystarter`` or ``python -m pystarter`` from it."""
    from pystarter import __version__

    parts = [__version__, program, sys.version.split()[0], f"width={width}"]
    parts += [f"{name}={environ.get(name, '')}" for name in _LOCALE_VARIABLES]
    parts += sorted(f"{k}={v}" for k, v in environ.items() if k.startswith(_TYPER_VARIABLES))
    with os.scandir(package_dir) as entries:
        files = sorted((entry.name, entry.stat()) for entry in entries if entry.is_file())
    parts += [f"{name}:{stat.st_mtime_ns}:{stat.st_size}" for name, stat in files]
    for entry in path_entries:
        try:
            parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
        except OSError:
            parts.append(f"{entry}:-")
    return "\t".join(parts)


def current_fingerprint() -> str:
    import shutil

    return fingerprint(
        sys.argv[0],
        os.path.dirname(os.path.abspath(__file__)),
        _installed_path(),
        shutil.get_terminal_size().columns,
        dict(os.environ),
    )


def _installed_path() -> list[str]:
    """``sys.path`` without the script's folder or the working directory Python put first
    (their contents change for reasons that have nothing to do with help)."""
    entries = sys.path if sys.flags.safe_path else sys.path[1:]
    return [entry for entry in entries if entry]


def read(args: list[str]) -> str | None:
    """The stored help for ``args``, if it was stored under the current fingerprint."""
    try:
        with open(help_file(args), encoding="utf-8", newline="") as stored:
            key, separator, text = stored.read().partition("\n")
        if separator and key == current_fingerprint():
            return text
    except (OSError, UnicodeError, ValueError):
        pass
    return None


def write(args: list[str], text: str) -> None:
    """Store ``text`` atomically; a cache that cannot be written is no cache, not an error."""
    import contextlib

    path = help_file(args)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "w", encoding="utf-8", newline="") as stored:
            stored.write(current_fingerprint() + "\n" + text)
        os.replace(temporary, path)
    except (OSError, UnicodeError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
