"""Entry point: ``pystarter`` and ``python -m pystarter``."""

from __future__ import annotations

import os
import sys


def main() -> None:
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

        if sys.stdout is not None:  # started with stdout closed
            sys.stdout.write(f"pystarter {__version__}\n")
        return
    from pystarter.errors import signals_raised

    with signals_raised():
        from pystarter.cli import app

        app()


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
