"""What the commands print with: consoles, one-line failures, JSON, progress, the
recommendation. rich is imported when something is printed, not when the CLI starts."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, NoReturn

from pystarter.errors import ExitStatus, first_line
from pystarter.recommend import FRAMEWORK_TITLES, TIE_BREAK_ORDER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pystarter.recommend import Recommendation


#: How wide a table is drawn for a pipe or a CI log when COLUMNS does not say (rich: 80).
PIPE_WIDTH = 200


def make_console(stderr: bool = False, soft_wrap: bool = False, wide: bool = False) -> Any:
    """A rich console; ``wide``: a table piped to a file or a CI log is not folded at 80
    columns (a terminal's own width, or COLUMNS, still wins)."""
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = PIPE_WIDTH if wide and not is_tty(stream) and "COLUMNS" not in os.environ else None
    return Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap, width=width)


def action_counts(actions: dict[str, str]) -> str:
    """ " (12 created, 3 overwritten, 1 identical)" when DEST held files already."""
    if not actions:
        return ""
    words = {
        "create": "created",
        "overwrite": "overwritten",
        "identical": "identical",
        "kept": "kept",
    }
    parts = [
        f"{sum(1 for a in actions.values() if a == action)} {word}"
        for action, word in words.items()
        if action in actions.values()
    ]
    return f" ({', '.join(parts)})"


def template_message(text: str) -> None:
    """A template's ``_message_before_copy`` or ``_message_after_copy``: on stderr, as copier
    prints it (stdout may hold ``--json``); its text is text, never rich markup."""
    from rich.text import Text

    if text:
        make_console(stderr=True, soft_wrap=True).print(Text(text))


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


def fail(
    message: str, status: ExitStatus, exit: Any = sys.exit, hint: str = "", as_json: bool = False
) -> NoReturn:
    """Print the one line and leave with ``status`` (by ``sys.exit``, or by what ``exit``
    raises: typer.Exit from inside a typer command). Under ``--json`` the same error is also
    one JSON object on stdout: ``{"error", "hint", "exit_status"}``."""
    line = " ".join(message.split())
    hint = " ".join(hint.split())
    if as_json:
        import json

        with suppress(OSError, ValueError):  # a broken stdout still gets its stderr line
            sys.stdout.write(
                json.dumps({"error": line, "hint": hint, "exit_status": int(status)}) + "\n"
            )
            sys.stdout.flush()
    full = f"{line} ({hint})" if hint else line
    with suppress(OSError, ValueError):
        sys.stderr.write(f"error: {full}\n")
        sys.stderr.flush()
    exit(int(status))
    raise AssertionError("unreachable")


@contextmanager
def report_of_done_work(what: str) -> Iterator[None]:
    """Printing the report of work that is done: if stdout is full or broken, the work still
    stands, so the failure is a warning on stderr, not a failed run (and stdout is pointed at
    the null device so that Python's flush at exit does not fail again)."""
    try:
        yield
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError) as exc:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        reason = getattr(exc, "strerror", None) or first_line(exc)
        with suppress(OSError, ValueError):
            sys.stderr.write(f"warning: {what}, but its report could not be printed ({reason})\n")
            sys.stderr.flush()


def debugging() -> bool:
    return os.environ.get("PYSTARTER_DEBUG") == "1"


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


def new_progress(quiet: bool) -> Callable[[str], Any]:
    """A context manager factory showing a spinner on stderr, silent for --json or no TTY."""

    @contextmanager
    def progress(label: str) -> Iterator[Callable[..., None]]:
        if quiet or not is_tty(sys.stderr):  # no spinner, and no rich import, for scripts
            yield lambda step, prints=False: None
            return
        console = make_console(stderr=True)
        with console.status(label) as status:

            def on_step(step: str, prints: bool = False) -> None:
                """A step whose commands print (a template's tasks) gets a plain line and no
                spinner, which would draw over their output; the next step brings it back."""
                if prints:
                    status.stop()
                    console.print(f"{label}: {escape(step)}", highlight=False)
                    return
                status.update(f"{label}: {step}")
                status.start()

            yield on_step

    return progress


def escape(text: str) -> str:
    """rich's markup escape, imported only when something is printed."""
    from rich.markup import escape as escape_markup

    return escape_markup(text)


def scores_table(rec: Recommendation) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2), pad_edge=False)
    # On a narrow terminal the bars give way; the names and scores never do
    table.add_column("framework", no_wrap=True, min_width=len("FastAPI"))
    table.add_column("score", justify="right", no_wrap=True, min_width=2)
    table.add_column("", no_wrap=True, overflow="crop")
    top = max(rec.scores.values()) or 1
    for framework in sorted(TIE_BREAK_ORDER, key=lambda fw: -rec.scores[fw]):
        score = rec.scores[framework]
        bar = "█" * round(12 * score / top) if score else ""
        style = "bold green" if framework == rec.framework else ""
        table.add_row(
            Text(FRAMEWORK_TITLES[framework], style=style),
            str(score),
            Text(bar, style=style or "dim"),
        )
    return table


def recommendation_panel(rec: Recommendation) -> Any:
    """The recommendation as ``recommend`` and the wizard show it."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    reasons = Text()
    for reason in rec.reasons:
        reasons.append("  • ")
        reasons.append(reason + "\n")
    # The recommendation is the panel's first line, not its title: a title is cut short on a
    # narrow terminal, a line wraps
    tie = " (a tie)" if rec.tied_with else ""
    body = Group(
        Text(f"Recommended: {FRAMEWORK_TITLES[rec.framework]}{tie}", style="bold green"),
        Text("Needs: " + (", ".join(rec.needs) or "none"), style="dim"),
        Text(),
        scores_table(rec),
        Text(),
        Text("Why", style="bold"),
        reasons,
        *([Text(f"Tie: {rec.tie}.", style="bold yellow")] if rec.tie else []),
        Text(
            f"Runner-up: {FRAMEWORK_TITLES[rec.runner_up]}. {rec.runner_up_when}.", style="italic"
        ),
    )
    return Panel(body, border_style="green", expand=False)
