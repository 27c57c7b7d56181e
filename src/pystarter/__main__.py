"""Entry point: ``pystarter`` and ``python -m pystarter``."""

from __future__ import annotations

import os
import sys

#: What a stream that cannot encode them shows instead (a C or latin-1 locale).
ASCII_FALLBACK = {"✓": "OK", "✗": "x", "→": "->", "←": "<-", "—": "-", "\u2013": "-", "…": "..."}
ASCII_FALLBACK["•"] = "*"


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(ASCII_FALLBACK.get(char, "?") for char in text), error.end


def _safe_streams() -> None:
    """Output never fails for want of an encoding: on a stream that cannot encode what
    pystarter prints, each such character degrades to ASCII (rich, seeing the encoding, draws
    its boxes in ASCII by itself)."""
    import codecs

    codecs.register_error("pystarter-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        try:
            "✓—→".encode(stream.encoding)
        except UnicodeEncodeError:
            stream.reconfigure(errors="pystarter-ascii")  # type: ignore[union-attr]
        except (AttributeError, LookupError, TypeError, ValueError):  # closed, replaced
            pass


def _quiet_stdout() -> None:
    """Flush stdout; if it is full or broken, point it at the null device so that Python's own
    flush at exit does not report the failure again (the caller has said what failed)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)


def main() -> None:
    _safe_streams()
    try:
        _start()
    except (KeyboardInterrupt, RuntimeError) as exc:  # a signal while the CLI loads
        from pystarter.errors import failure_line, interrupt_within

        interrupt = interrupt_within(exc)
        if interrupt is None:
            raise
        message, status = failure_line(interrupt) or ("interrupted", 130)
        sys.stderr.write(f"error: {message}\n")
        sys.exit(int(status))


def _start() -> None:
    # The version is all a packaging check or a bug report needs: answered without the CLI.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pystarter import __version__

        try:
            if sys.stdout is not None:  # started with stdout closed
                sys.stdout.write(f"pystarter {__version__}\n")
                sys.stdout.flush()
        except OSError as exc:
            _quiet_stdout()
            sys.stderr.write(f"error: cannot print the version: {exc.strerror or exc}\n")
            sys.exit(1)
        return
    from pystarter.errors import signals_raised

    with signals_raised():
        from pystarter.cli import app

        try:
            app()
        finally:
            _quiet_stdout()


def _run_as_module() -> None:
    """``python -m pystarter``: exit with the status main() gives, even after Ctrl-C.

    CPython (3.11 to 3.13 at least) ends a ``-m`` run by SIGINT, whatever status it exits with,
    once a KeyboardInterrupt has passed through ``exec()`` of a string (dataclasses make their
    methods that way, so a Ctrl-C during an import does it), however it was handled. The
    console script does not; here the interrupted exit is made the way the script makes it.
    """
    try:
        main()
    except SystemExit as done:
        if done.code != 130:
            raise
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        os._exit(130)


if __name__ == "__main__":
    _run_as_module()
