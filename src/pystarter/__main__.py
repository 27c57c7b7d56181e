"""Entry point. Three paths answer before typer is imported: ``--version``; help that an
earlier run printed and kept (help_cache); and bare ``pystarter new [DEST]`` on a terminal,
whose first question would otherwise wait for typer and its command tree (~70 ms of the
~300 ms budget; see benchmarks/)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if args in (["--version"], ["-V"]):
        from pystarter import __version__

        write_stdout(f"pystarter {__version__}\n")
        return
    completing = "_PYSTARTER_COMPLETE" in os.environ  # shell completion is typer's
    if is_bare_new(args) and sys.stdin.isatty() and not completing:
        from pystarter.terminal import run_bare_new

        run_bare_new(args[1] if len(args) == 2 else None)
    if not completing:
        from pystarter import help_cache

        if help_cache.is_help_request(args):
            run_help(args)
    from pystarter.cli import run

    run()


def run_help(args: list[str]) -> None:
    """Print the kept help text, or let typer print it and keep what it printed."""
    from pystarter import help_cache

    text = help_cache.read(args)
    if text is not None:
        write_stdout(text)
        sys.exit(0)
    import contextlib
    import io

    from pystarter.cli import run

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            run()
    except SystemExit as exit_:
        if exit_.code in (None, 0) and printed.getvalue():
            help_cache.write(args, printed.getvalue())
        raise
    finally:
        write_stdout(printed.getvalue())


def write_stdout(text: str) -> None:
    """Like click.echo: nothing to do when Python started with stdout closed."""
    if sys.stdout is not None:
        sys.stdout.write(text)


def is_bare_new(args: list[str]) -> bool:
    """``new`` alone, or with one DEST that cannot be read as an option."""
    if not args or args[0] != "new" or len(args) > 2:
        return False
    return len(args) == 1 or (bool(args[1].strip()) and not args[1].startswith("-"))


if __name__ == "__main__":
    main()
