"""What the CLI prints with: consoles, one-line failures, JSON, progress and the outcome of
``new``. rich is imported when something is printed, not when the CLI starts."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, NoReturn

from pystarter.errors import ExitStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pystarter.scaffold import NewOptions, NewOutcome


def make_console(stderr: bool = False, soft_wrap: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap)


def echo_json(payload: Any) -> None:
    """One JSON document on stdout (``--json``)."""
    import json

    import typer

    typer.echo(json.dumps(payload, indent=2))


def is_tty(stream: Any) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


def fail(message: str, status: ExitStatus, exit: Any = sys.exit) -> NoReturn:
    """Print the one line and leave with ``status`` (by ``sys.exit``, or by what ``exit``
    raises: typer.Exit from inside a typer command)."""
    line = " ".join(message.split())
    sys.stderr.write(f"error: {line}\n")
    sys.stderr.flush()
    exit(int(status))
    raise AssertionError("unreachable")


def debugging() -> bool:
    return os.environ.get("PYSTARTER_DEBUG") == "1"


# --- pystarter new ------------------------------------------------------------------------


@contextmanager
def stdout_to_stderr(active: bool) -> Iterator[None]:
    """With ``--json``, stdout holds one JSON object and nothing else: what a template's tasks,
    git or an installer print while the work runs goes to stderr (file descriptor 1 itself
    is pointed at 2, so child processes follow)."""
    if not active:
        yield
        return
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError):  # no stdout to protect
        yield
        return
    try:
        yield
    finally:
        with suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run_new_command(options: NewOptions, as_json: bool) -> None:
    """``new``: the wizard asks when the options say it may (a terminal, no --no-input)."""
    from pystarter.engine import stopped_after
    from pystarter.errors import interrupt_within
    from pystarter.scaffold import run_new

    wizard = None
    if options.interactive:
        from pystarter.wizard import Wizard

        wizard = Wizard()
    outcome = None
    try:
        with stdout_to_stderr(as_json):
            outcome = run_new(options, new_progress(as_json), wizard)
        if as_json:
            echo_json(outcome.as_json())
        else:
            print_new_outcome(outcome, dry_run=options.dry_run)
    except (KeyboardInterrupt, RuntimeError) as exc:
        if outcome is None or options.dry_run or interrupt_within(exc) is None:
            raise
        raise stopped_after(exc, outcome.result.destination) from exc


def new_progress(quiet: bool) -> Callable[[str], Any]:
    """A context manager factory showing a spinner on stderr, silent for --json or no TTY."""

    @contextmanager
    def progress(label: str) -> Iterator[Callable[[str], None]]:
        if quiet or not is_tty(sys.stderr):  # no spinner, and no rich import, for scripts
            yield lambda _step: None
            return
        with make_console(stderr=True).status(label) as status:
            yield lambda step: status.update(f"{label}: {step}")

    return progress


def escape(text: str) -> str:
    """rich's markup escape, imported only when something is printed."""
    from rich.markup import escape as escape_markup

    return escape_markup(text)


def _action_counts(actions: dict[str, str]) -> str:
    """ " (12 created, 3 overwritten, 1 identical)" when DEST held files already."""
    if not actions:
        return ""
    words = {"create": "created", "overwrite": "overwritten", "identical": "identical"}
    words["kept"] = "kept"
    parts = [
        f"{sum(1 for a in actions.values() if a == action)} {word}"
        for action, word in words.items()
        if action in actions.values()
    ]
    return f" ({', '.join(parts)})"


def print_new_outcome(outcome: NewOutcome, dry_run: bool) -> None:
    """Every value is escaped: a name like ``Shop [/] X`` is text, not rich markup."""
    from rich.text import Text

    console = make_console(soft_wrap=True)
    result = outcome.result
    counts = _action_counts(result.actions)
    if dry_run:
        console.print(
            f"[bold]Dry run[/]: would write {len(result.files)} files into"
            f" {escape(str(result.destination))}{counts}; nothing was written or run"
        )
        for path, action in sorted(result.actions.items()):
            console.print(f"  {action:<9} {escape(path)}")
        return
    name = outcome.answers.get("project_name", result.destination.name)
    console.print(
        f"[green]✓[/] Created [bold]{escape(str(name))}[/] ({escape(outcome.framework_title)})"
        f" in {escape(str(result.destination))}"
        f" — {len(result.files)} files{counts}"
    )
    if outcome.result.git_commit:
        console.print(
            f"[green]✓[/] git repository with a first commit ({outcome.result.git_commit[:8]})"
        )
    if outcome.result.installed_with:
        console.print(f"[green]✓[/] installed into .venv with {outcome.result.installed_with}")
    for note in outcome.result.notes:
        console.print(f"[yellow]![/] {escape(note)}")
    if result.message:
        console.print()
        console.print(Text(result.message))
    console.print("\n[bold]Next steps[/]")
    for line in outcome.next_steps:
        console.print(f"  {escape(line)}")
    if outcome.reproduce:
        console.print("\n[bold]Same project from a script[/]")
        console.print(f"  {escape(outcome.reproduce)}")
