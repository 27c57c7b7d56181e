"""Entry point. ``--version`` answers before typer, rich or copier are imported."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pystarter import __version__

        sys.stdout.write(f"pystarter {__version__}\n")
        return
    from pystarter.cli import run

    run()


if __name__ == "__main__":
    main()
