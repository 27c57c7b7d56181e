"""Entry point. Two paths answer before typer is imported: ``--version``, and bare
``pystarter new [DEST]`` on a terminal, whose first question would otherwise wait for typer
and its command tree (~70 ms of the ~300 ms budget; see benchmarks/)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if args in (["--version"], ["-V"]):
        from pystarter import __version__

        sys.stdout.write(f"pystarter {__version__}\n")
        return
    if is_bare_new(args) and sys.stdin.isatty() and "_PYSTARTER_COMPLETE" not in os.environ:
        from pystarter.terminal import run_bare_new

        run_bare_new(args[1] if len(args) == 2 else None)
    from pystarter.cli import run

    run()


def is_bare_new(args: list[str]) -> bool:
    """``new`` alone, or with one DEST that cannot be read as an option."""
    if not args or args[0] != "new" or len(args) > 2:
        return False
    return len(args) == 1 or (bool(args[1].strip()) and not args[1].startswith("-"))


if __name__ == "__main__":
    main()
