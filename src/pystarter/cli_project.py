"""Typer commands on an existing project: ``update`` (and ``update --check``), ``add`` and
``remove``. Thin: parse, call :mod:`pystarter.update`, print. Conflicts left by a merge are
exit 1, after the result is printed."""

# No ``from __future__ import annotations``: typer reads these annotations at run time.

from pathlib import Path
from typing import Annotated, Any

import typer

from pystarter.cli_options import (
    DataOption,
    JsonOption,
    NoInputOption,
    ProjectAnswersFileOption,
    ProjectOption,
    PystarterCommand,
    TrustOption,
    VcsRefOption,
    one_of,
)
from pystarter.output import echo_json, escape, make_console, stdout_to_stderr

OldPathArgument = Annotated[
    Path | None, typer.Argument(hidden=True, show_default=False, metavar="PATH")
]


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def update_command(
    old_path: OldPathArgument = None,
    path: ProjectOption = None,
    vcs_ref: VcsRefOption = None,
    data: DataOption = None,
    answers_file: ProjectAnswersFileOption = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Change nothing: exit 1 when a newer template version exists."
        ),
    ] = False,
    no_input: NoInputOption = False,
    trust: TrustOption = False,
    as_json: JsonOption = False,
) -> None:
    """Pull a newer version of the project's template into it (three-way merge; exit 1 when
    conflicts are left to resolve)."""
    from pystarter.answers import parse_data_items

    del no_input  # accepted for scripts; update asks nothing
    path = one_of(path, old_path, "--path", "PATH") or Path()
    if check:
        _check(path, answers_file, as_json)
        return
    from pystarter.update import update_project

    with stdout_to_stderr(as_json):
        result = update_project(
            path, parse_data_items(list(data or ())), vcs_ref, trust, answers_file=answers_file
        )
    _report(result, as_json)


def _check(path: Path, answers_file: str | None, as_json: bool) -> None:
    from pystarter.update_check import check_project

    result = check_project(path, answers_file=answers_file)
    if as_json:
        echo_json(result.as_json())
    else:
        console = make_console(soft_wrap=True)
        pin = f" (pinned to {result.pinned})" if result.pinned else ""
        current = result.current or "(version not recorded)"
        if result.up_to_date:
            console.print(
                f"[green]✓[/] {escape(str(result.destination))} is on the newest version of "
                f"{escape(result.name)}{escape(pin)}: {escape(current)}"
            )
        else:
            console.print(
                f"[yellow]![/] {escape(str(result.destination))}: {escape(result.name)} "
                f"{escape(current)} → {escape(str(result.newest))} is available{escape(pin)}; "
                "run pystarter update"
            )
    if not result.up_to_date:
        raise typer.Exit(1)


def add_command(
    feature: Annotated[
        str | None,
        typer.Argument(
            help="celery, docker, auth, rest-api, ci VALUE, database VALUE.",
            show_default=False,
            metavar="FEATURE",
        ),
    ] = None,
    value: Annotated[
        str | None, typer.Argument(help="For ci and database.", show_default=False, metavar="VALUE")
    ] = None,
    path: ProjectOption = None,
    data: DataOption = None,
    answers_file: ProjectAnswersFileOption = None,
    trust: TrustOption = False,
    as_json: JsonOption = False,
) -> None:
    """Turn an option on in an existing project (same template version; merged like update)."""
    _change(feature, value, True, path or Path(), data, answers_file, trust, as_json)


def remove_command(
    feature: Annotated[
        str | None,
        typer.Argument(
            help="celery, docker, auth, rest-api, ci, database.",
            show_default=False,
            metavar="FEATURE",
        ),
    ] = None,
    path: ProjectOption = None,
    data: DataOption = None,
    answers_file: ProjectAnswersFileOption = None,
    trust: TrustOption = False,
    as_json: JsonOption = False,
) -> None:
    """Turn an option off in an existing project (same template version; merged like update)."""
    _change(feature, None, False, path or Path(), data, answers_file, trust, as_json)


def _change(
    feature: str | None,
    value: str | None,
    adding: bool,
    path: Path,
    data: list[str] | None,
    answers_file: str | None,
    trust: bool,
    as_json: bool,
) -> None:
    from pystarter.answers import parse_data_items
    from pystarter.errors import UsageError
    from pystarter.features import check_builtin, feature_changes, then_run
    from pystarter.update import change_answers

    action = "add" if adding else "remove"
    changes = parse_data_items(list(data or ()))
    if feature is not None:
        changes.update(feature_changes(feature, value, adding))
    if not changes:
        raise UsageError(
            f"{action} needs a FEATURE or --data KEY=VALUE", f"see pystarter {action} --help"
        )
    steps: list[str] = []

    def check(origin: Any, answers: dict[str, Any]) -> None:
        if origin.framework is None:
            if feature is not None:
                raise UsageError(
                    f"{feature!r} is a feature of the built-in templates; this project uses "
                    f"{origin.source}",
                    f"give the template's own answer instead: pystarter {action} --data KEY=VALUE",
                )
            return
        check_builtin(origin.framework, answers, changes)
        steps.extend(then_run(origin.framework, answers, changes))

    with stdout_to_stderr(as_json):
        result = change_answers(path, changes, action, trust, None, answers_file, check)
    result.then = steps
    _report(result, as_json, changes)


def _report(result: Any, as_json: bool, changes: dict[str, Any] | None = None) -> None:
    if as_json:
        echo_json(result.as_json())
    else:
        console = make_console(soft_wrap=True)
        for note in result.notes:
            console.print(f"[yellow]![/] {escape(note)}")
        where = escape(str(result.destination))
        what = ", ".join(f"{k}={v}" for k, v in (changes or {}).items())
        if result.up_to_date:
            done = f"already has {what}" if changes else f"is up to date with {result.versions}"
            console.print(f"[green]✓[/] {where} {escape(done)}; nothing changed")
            return
        action = {"update": "updated", "add": "added", "remove": "removed"}[result.action]
        head = f"{what} in {where}" if changes else where
        console.print(
            f"[green]✓[/] {action} {head} ({escape(result.versions)}): "
            f"{plural(len(result.changed), 'file')} changed"
        )
        if result.conflicts:
            from pystarter.merge import describe

            console.print(f"\n[yellow]![/] {plural(len(result.conflicts), 'conflict')} to resolve:")
            for conflict, kind in result.conflicts.items():
                console.print(f"  {escape(conflict)}  ({escape(describe(kind))})")
        console.print("\n[bold]Next steps[/]")
        for step in result.next_steps:
            console.print(f"  {escape(step)}")
    if result.conflicts:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("update", cls=PystarterCommand)(update_command)
    app.command("add", cls=PystarterCommand)(add_command)
    app.command("remove", cls=PystarterCommand)(remove_command)
