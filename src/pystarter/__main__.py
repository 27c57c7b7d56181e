"""Entry point: ``pystarter`` and ``python -m pystarter``."""

from __future__ import annotations

import signal
import sys


def main() -> None:
    try:
        _start()
    except KeyboardInterrupt as exc:  # a signal while the CLI loads: nothing has started
        from pystarter.errors import failure_line

        message, status = failure_line(exc) or ("interrupted", 130)
        sys.stderr.write(f"error: {message}\n")
        sys.exit(int(status))


def _start() -> None:
    # The version is all a packaging check or a bug report needs: answered without the CLI.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pystarter import __version__

        if sys.stdout is not None:  # started with stdout closed
            sys.stdout.write(f"pystarter {__version__}\n")
        return
    from pystarter.errors import raise_terminated

    signal.signal(signal.SIGTERM, raise_terminated)  # SIGTERM unwinds like Ctrl-C
    from pystarter.cli import run

    run()


if __name__ == "__main__":
    main()
