"""Typer commands for team templates: ``templates list|add|remove|check|test``.

Thin like :mod:`pystarter.cli`: parse, call :mod:`pystarter.config`, :mod:`pystarter.sources`,
:mod:`pystarter.template_check`, :mod:`pystarter.template_test` or :mod:`pystarter.update`,
print. Errors are raised as :class:`~pystarter.errors.PystarterError` and printed by the error
boundary in :mod:`pystarter.cli`.
"""

# No ``from __future__ import annotations`` here: typer would evaluate every string annotation
# when it builds the commands, ~10 ms of every start (benchmarks/).

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from pystarter.cli_options import (
    DataOption,
    JsonOption,
    PystarterCommand,
    TrustOption,
    VcsRefOption,
    one_of,
)
from pystarter.output import echo_json, escape, is_tty, make_console, stdout_to_stderr

templates_app = typer.Typer(
    name="templates",
    help="List, register, remove, check and test copier templates.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@templates_app.command("list", cls=PystarterCommand)
def list_command(as_json: JsonOption = False) -> None:
    """Show built-in, registered and plugin templates with their source."""
    from pystarter.config import load_config
    from pystarter.sources import CatalogueEntry, catalogue

    config = load_config()
    entries = catalogue(config.templates)
    entries += [
        CatalogueEntry(name, "registry", "?", error=error.message)
        for name, error in sorted(config.templates.broken.items())
    ]
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    if not is_tty(sys.stdout):  # piped: one line per template, tab-separated, as gh lists
        for entry in entries:
            broken = f" (broken: {entry.error})" if entry.error else ""
            fields = (entry.name, entry.kind, entry.source + broken, entry.ref or "")
            typer.echo("\t".join((*fields, "trusted" if entry.trusted else "")))
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("name", "kind", "source", "ref", "trusted"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        source = escape(entry.source) + (
            f" [red](broken: {escape(entry.error)})[/]" if entry.error else ""
        )
        trusted = "yes" if entry.trusted else ""
        table.add_row(escape(entry.name), entry.kind, source, escape(entry.ref or ""), trusted)
    make_console(soft_wrap=True).print(table)


@templates_app.command("add", cls=PystarterCommand)
def add_command(
    name: Annotated[str, typer.Argument(help="Name to use with --template.", metavar="NAME")],
    source: Annotated[
        str, typer.Argument(help="Folder, git URL or gh:owner/repo.", metavar="SOURCE")
    ],
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref", help="Tag, branch or commit; default: latest tag.", metavar="REF"
        ),
    ] = None,
    ref: Annotated[str | None, typer.Option("--ref", hidden=True)] = None,
    trusted: Annotated[
        bool, typer.Option("--trusted", help="Allow its tasks, migrations and Jinja extensions.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a template of that name.")
    ] = False,
) -> None:
    """Register a team template in the user config."""
    from pystarter.config import RegisteredTemplate, add_template, check_template_name, load_config
    from pystarter.sources import resolve_source
    from pystarter.template_config import read_template_config

    ref = one_of(vcs_ref, ref, "--vcs-ref", "--ref")
    check_template_name(name)
    if not source.strip():
        raise typer.BadParameter(
            "is empty: give a folder, git URL or gh:owner/repo", param_hint="SOURCE"
        )
    config = load_config()
    resolved = resolve_source(source, "", ref, registry={})
    if resolved.kind == "builtin":
        raise typer.BadParameter("a built-in template needs no registration", param_hint="SOURCE")
    stored = source
    if resolved.kind == "path" or (resolved.kind == "git" and Path(resolved.location).is_dir()):
        read_template_config(Path(resolved.location))  # refuses a copier.yml new would refuse
        stored = resolved.location
    add_template(config, RegisteredTemplate(name, stored, ref, trusted), replace=force)
    details = ", ".join(
        part for part in (f"ref {ref}" if ref else "", "trusted" if trusted else "") if part
    )
    console = make_console(soft_wrap=True)
    console.print(
        f"[green]✓[/] registered {escape(name)} → {escape(str(stored))}"
        + (f" ({escape(details)})" if details else "")
    )
    console.print(f"  use it: pystarter new DEST --template {escape(name)}")


@templates_app.command("remove", cls=PystarterCommand)
def remove_command(
    name: Annotated[str, typer.Argument(help="A registered name.", metavar="NAME")],
) -> None:
    """Remove a registered template from the user config."""
    from pystarter.config import load_config, remove_template

    removed = remove_template(load_config(), name)
    make_console(soft_wrap=True).print(f"[green]✓[/] removed {escape(name)} ({escape(removed)})")


@templates_app.command("check", cls=PystarterCommand)
def check_command(
    source: Annotated[
        str, typer.Argument(help="Folder, git URL, gh:owner/repo or a name.", metavar="SOURCE")
    ],
    vcs_ref: VcsRefOption = None,
    trust: TrustOption = False,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate a template as new would render it: copier.yml loads, it renders."""
    from pystarter.answers import parse_data_items
    from pystarter.config import load_config
    from pystarter.template_check import check_template

    registry = load_config().templates
    with stdout_to_stderr(as_json):  # a trusted template's tasks print
        report = check_template(
            source, vcs_ref, trust, parse_data_items(list(data or ())), registry=registry
        )
    if as_json:
        echo_json(report.as_json())
    else:
        console = make_console(soft_wrap=True)
        for note in report.notes:
            console.print(f"[yellow]![/] {escape(note)}")
        if report.ok and report.required:
            needed = " ".join(f"--data {key}=VALUE" for key in report.required)
            console.print(
                f"[yellow]![/] template {escape(report.source)} loads "
                f"({report.questions} questions) but was not rendered: it needs "
                f"{escape(needed)} ({escape(report.checked)})"
            )
        elif report.ok:
            console.print(
                f"[green]✓[/] template {escape(report.source)} is fine: "
                f"{report.questions} questions, "
                f"{len(report.files)} files rendered with defaults ({report.checked})"
            )
        for problem in report.problems:
            typer.echo(f"error: {' '.join(problem.split())}", err=True)
    if not report.ok:
        raise typer.Exit(report.exit_status)


@templates_app.command("test", cls=PystarterCommand)
def test_command(
    source: Annotated[
        str, typer.Argument(help="Folder, git URL, gh:owner/repo or a name.", metavar="SOURCE")
    ],
    vcs_ref: VcsRefOption = None,
    trust: TrustOption = False,
    data: DataOption = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every valid combination, not a pairwise cover.")
    ] = False,
    run: Annotated[
        list[str] | None,
        typer.Option(
            "--run",
            help="Command to run in each render (repeatable); default: the template's "
            "_pystarter.commands install and test.",
            metavar="CMD",
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Cases run at once.", metavar="N")] = 1,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds each case may take.", metavar="SECONDS")
    ] = 900,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env",
            help="Environment variable for the commands (repeatable; Jinja with the "
            "case's answers; a database URL gets a fresh database per case).",
            metavar="KEY=VALUE",
        ),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option("--keep", help="Keep the failing renders in this folder.", metavar="DIR"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Render a covering set of the template's answer combinations and run its checks in each."""
    from pystarter.answers import parse_data_items
    from pystarter.config import load_config
    from pystarter.template_test import Options, parse_env, run_template_tests

    options = Options(every, tuple(run or ()), jobs, timeout, parse_env(env or ()), keep)
    data_items = parse_data_items(list(data or ()), builtin_types=False)
    registry = load_config().templates
    with stdout_to_stderr(as_json), _progress(not as_json) as progress:
        report = run_template_tests(
            source, vcs_ref, trust, data_items, options, registry=registry, progress=progress
        )
    if as_json:
        echo_json(report.as_json())
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@contextlib.contextmanager
def _progress(show: bool) -> Iterator[Any]:
    """A progress bar on stderr, and one line per finished case (CI logs read those)."""
    if not show:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = make_console(stderr=True, soft_wrap=True)
    bar = Progress(
        "{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    )  # fmt: skip
    task = bar.add_task("cases", total=0)
    marks = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "skipped": "[yellow]-[/]"}

    def progress(event: str, case: Any) -> None:
        if event == "planned":
            bar.update(task, total=(bar.tasks[0].total or 0) + 1)
        elif event == "done":
            bar.advance(task)
            console.print(
                f"{marks[case.result]} case {case.number} {case.result} "
                f"({case.seconds:.1f} s){': ' + escape(case.reason) if case.reason else ''}"
            )

    with bar:
        yield progress


def _print_report(report: Any) -> None:
    from rich.table import Table

    console = make_console(soft_wrap=True, wide=True)
    for note in report.notes:
        console.print(f"[yellow]![/] {escape(note)}")
    table = Table(box=None, pad_edge=False)
    for column in ("case", "answers (changed from the defaults)", "result", "time", "why"):
        table.add_column(column, overflow="fold")
    colours = {"passed": "green", "failed": "red", "skipped": "yellow"}
    for case in report.cases:
        answers = " ".join(f"{k}={_value(v)}" for k, v in case.changed.items()) or "(defaults)"
        why = case.reason if not case.command else f"{case.command}: {case.reason}"
        if case.kept:
            why += f" (kept in {case.kept})"
        table.add_row(
            str(case.number), escape(answers), f"[{colours[case.result]}]{case.result}[/]",
            f"{case.seconds:.1f} s", escape(why),
        )  # fmt: skip
    console.print(table)
    summary = (
        f"{report.count('passed')} passed, {report.count('failed')} failed, "
        f"{report.count('skipped')} skipped of {len(report.cases)} cases of {report.source}"
    )
    console.print(f"[{'green' if report.ok else 'red'}]{summary}[/]")


def _value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
