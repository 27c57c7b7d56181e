"""Entry point: ``pystarter`` and ``python -m pystarter``."""

from __future__ import annotations

import sys


def main() -> None:
    # The version is all a packaging check or a bug report needs: answered without the CLI.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pystarter import __version__

        if sys.stdout is not None:  # started with stdout closed
            sys.stdout.write(f"pystarter {__version__}\n")
        return
    from pystarter.cli import run

    run()


if __name__ == "__main__":
    main()
