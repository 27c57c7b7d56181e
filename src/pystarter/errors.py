"""Every error pystarter raises on purpose: one base, each with its exit code and a fix.

The CLI catches :class:`PystarterError` once and prints ``error: <message> (<hint>)``.
"""

from __future__ import annotations

import enum
import signal
from collections.abc import Iterator
from contextlib import contextmanager


class ExitStatus(enum.IntEnum):
    SUCCESS = 0
    FAILURE = 1  # the work failed: render, git, install
    USAGE = 2  # the caller asked for something we refuse
    HUNG_UP = 129  # 128 + SIGHUP: the terminal closed, the ssh session dropped
    INTERRUPTED = 130  # 128 + SIGINT
    TERMINATED = 143  # 128 + SIGTERM


#: :class:`ExitStatus` as ``pystarter --help`` explains it (README.md and SECURITY.md have the
#: same table).
EXIT_CODES_HELP = """Exit codes (every command):

\b
  0    done
  1    the work ran and failed: render, git or install; conflicts left;
       update --check: a newer version exists; templates test: a case
       failed; the wizard's confirmation declined
  2    refused before any change: bad option, unknown need or --data key,
       DEST not empty, missing answer, --trust needed, unreachable
       template, dirty work tree, downgrade
  130  interrupted by SIGINT (Ctrl-C); 143: by SIGTERM; 129: by SIGHUP
       (the terminal closed); undone like any interruption
"""


class PystarterError(Exception):
    """Base of every error meant for the user: a one-line message and how to fix it."""

    exit_status: ExitStatus = ExitStatus.FAILURE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = f"{self.message} ({self.hint})" if self.hint else self.message
        return " ".join(text.split())


class UsageError(PystarterError):
    """Bad option, value or combination: exit 2."""

    exit_status = ExitStatus.USAGE


def together(problems: list[UsageError]) -> UsageError:
    """Several input errors found before anything ran, as one line: every message, then
    every distinct hint (the user fixes them all at once, not one per run)."""
    if len(problems) == 1:
        return problems[0]
    hints = dict.fromkeys(p.hint for p in problems if p.hint)
    return UsageError("; ".join(p.message for p in problems), "; ".join(hints))


class InvalidNameError(UsageError):
    """A project name that cannot become a usable slug or package."""


class DestinationError(UsageError):
    """DEST exists and is not empty (without --force), or is not a folder we may write."""


class MissingAnswersError(UsageError):
    """Required template questions left unanswered under --no-input."""

    def __init__(self, keys: list[str]) -> None:
        data = " ".join(f"--data {key}=VALUE" for key in keys)
        super().__init__(f"missing required answers: {', '.join(keys)}", f"give them with {data}")
        self.keys = keys


class UntrustedTemplateError(UsageError):
    """A custom template wants tasks, migrations or Jinja extensions without --trust."""


class TemplateNotFoundError(UsageError):
    """The template source names nothing we can find."""


class UnknownRefError(TemplateNotFoundError):
    """``--vcs-ref`` names no tag, branch or commit of the template."""


class ConfigError(UsageError):
    """The user config file cannot be read or holds something invalid."""


class CancelledError(PystarterError):
    """The user declined the wizard's confirmation: nothing was created (exit 1)."""


class StoppedError(PystarterError):
    """A signal arrived once the project was complete: it is kept, and the message says so."""

    def __init__(self, message: str, hint: str = "", status: ExitStatus | None = None) -> None:
        super().__init__(message, hint)
        self.exit_status = status or ExitStatus.INTERRUPTED


class RenderError(PystarterError):
    """The template failed to render."""


class TemplateFetchError(PystarterError):
    """A remote template could not be fetched (network, unknown ref)."""


class UnsafePathError(UsageError):
    """The template would write outside DEST or through a symbolic link inside it."""


class WriteError(PystarterError):
    """The disk refused a write: full, read-only, over quota."""


class GitError(PystarterError):
    """git failed where it had to succeed."""


class InstallError(PystarterError):
    """Creating the virtual environment or installing the project failed."""


class DirtyWorkTreeError(UsageError):
    """``update`` refuses to run on uncommitted changes."""


class MissingExtensionError(RenderError):
    """A template's Jinja extension lives in a package that is not installed."""


class NotUpdatableError(UsageError):
    """The project cannot be updated: no answers file, no git, or no base to merge from."""


class UpdateError(PystarterError):
    """The update itself failed (git or copier); the project was put back as it was."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message: third-party errors span many lines."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- signals: the one place that says what SIGINT, SIGTERM and SIGHUP do ----------------------


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every ``finally`` cleans up on the way out."""

    word = "terminated"
    exit_status = ExitStatus.TERMINATED


class HungUp(Terminated):
    """SIGHUP (the terminal went away): cleaned up like SIGTERM, exit 129."""

    word = "hung up"
    exit_status = ExitStatus.HUNG_UP


#: The signals that stop pystarter, and what each raises in the main thread.
STOP_SIGNALS: dict[str, type[KeyboardInterrupt]] = {
    "SIGINT": KeyboardInterrupt,
    "SIGTERM": Terminated,
    "SIGHUP": HungUp,
}


def stop_signals() -> list[signal.Signals]:
    """The stop signals this platform has (Windows has no SIGHUP)."""
    return [getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)]


#: The stop this command received, if any: a library that catches every exception (pydantic
#: building a schema) can turn the interrupt into an error of its own, and then this remembers it.
_received: list[KeyboardInterrupt] = []


def _raise_stop(signum: int, frame: object) -> None:
    interrupt = STOP_SIGNALS[signal.Signals(signum).name]()
    _received[:] = [interrupt]
    raise interrupt


def stop_received() -> KeyboardInterrupt | None:
    """The Ctrl-C, SIGTERM or SIGHUP this command received, even where a library swallowed it."""
    return _received[0] if _received else None


@contextmanager
def signals_raised() -> Iterator[None]:
    """The interrupt boundary of every entry point: SIGTERM and SIGHUP unwind like Ctrl-C (each
    ``finally`` undoes its part); once the command is done and has said so, a late signal
    changes nothing."""
    _received.clear()
    for signum in stop_signals():
        signal.signal(signum, _raise_stop)
    try:
        yield
    finally:
        for signum in stop_signals():
            signal.signal(signum, signal.SIG_IGN)


def interrupt_word(interrupt: KeyboardInterrupt) -> str:
    return getattr(interrupt, "word", "interrupted")


def interrupt_status(interrupt: KeyboardInterrupt) -> ExitStatus:
    return getattr(interrupt, "exit_status", ExitStatus.INTERRUPTED)


def interrupt_within(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM behind ``exc``, when Python wrapped it on the way: 3.11 turns what
    a class's ``__set_name__`` raises (a dataclass field, during a lazy import) into RuntimeError
    with the interrupt as its cause."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return seen
        seen = seen.__cause__
    return None


def failure_line(exc: BaseException) -> tuple[str, ExitStatus] | None:
    """The one line and exit status the CLI reports for ``exc``; None for a bug."""
    if isinstance(exc, PystarterError):
        return exc.one_line(), exc.exit_status
    if isinstance(exc, KeyboardInterrupt):
        return f"{interrupt_word(exc)}; nothing was left behind", interrupt_status(exc)
    return None


def unexpected_line(exc: BaseException) -> str:
    """What the CLI says of an exception that is a bug of ours."""
    return (
        f"unexpected error: {type(exc).__name__}: {exc} "
        "(please report it; PYSTARTER_DEBUG=1 shows the traceback)"
    )
