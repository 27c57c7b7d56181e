"""The typer app: parse flags, call the engine, print with rich. No logic of its own."""

# No ``from __future__ import annotations``: typer reads these annotations at run time.

import sys
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer._click import exceptions as click_exceptions  # typer >= 0.24 ships its own click
from typer.core import TyperGroup

from pystarter import __version__
from pystarter.builtin import FRAMEWORKS, choice_values
from pystarter.cli_options import (
    DataOption,
    JsonOption,
    PystarterCommand,
    TrustOption,
    VcsRefOption,
    complete_choice,
    complete_framework,
    complete_need,
    complete_template,
    one_of,
)
from pystarter.errors import (
    EXIT_CODES_HELP,
    ExitStatus,
    PystarterError,
    UsageError,
    failure_line,
    interrupt_within,
    unexpected_line,
)
from pystarter.recommend import NEEDS

if TYPE_CHECKING:
    from pystarter.new import NewOutcome
from pystarter.output import (
    action_counts,
    debugging,
    echo_json,
    escape,
    fail,
    is_tty,
    make_console,
    new_progress,
    report_of_done_work,
    stdout_to_stderr,
    template_message,
)


def _raise_exit(status: int) -> NoReturn:
    raise typer.Exit(status)


def _asks_json(args: Any) -> bool:
    """Whether the command line gives ``--json`` (before a ``--``): its errors are JSON too."""
    words = [str(word) for word in (sys.argv[1:] if args is None else args)]
    if "--" in words:
        words = words[: words.index("--")]
    return "--json" in words


class PystarterGroup(TyperGroup):
    """Turns every error into one line on stderr and its exit status (and, under ``--json``,
    one JSON object on stdout); no traceback unless ``PYSTARTER_DEBUG=1``."""

    as_json = False

    def fail(
        self, message: str, status: ExitStatus, exit: Any = sys.exit, hint: str = ""
    ) -> NoReturn:
        fail(message, status, exit, hint=hint, as_json=self.as_json)

    def invoke(self, ctx: Any) -> Any:
        # Caught here, inside typer's own handler, which would turn Ctrl-C and SIGTERM alike
        # into a silent exit 130.
        try:
            return super().invoke(ctx)
        except (PystarterError, KeyboardInterrupt, RuntimeError) as exc:
            if isinstance(exc, RuntimeError):
                exc = interrupt_within(exc) or exc
                if not isinstance(exc, KeyboardInterrupt):
                    raise
            if debugging() and isinstance(exc, PystarterError):
                raise
            if isinstance(exc, PystarterError):
                self.fail(exc.message, exc.exit_status, _raise_exit, hint=exc.hint)
            message, status = failure_line(exc) or (unexpected_line(exc), ExitStatus.FAILURE)
            self.fail(message, status, _raise_exit)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        # typer turns a signal here (while it parses and loads) into a silent exit 130
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt as exc:
            message, status = failure_line(exc) or ("interrupted", ExitStatus.INTERRUPTED)
            self.fail(message, status)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        self.as_json = _asks_json(args[0] if args else kwargs.get("args"))
        try:
            status = super().main(*args, **kwargs)
        except typer.Abort:
            self.fail("interrupted; nothing was left behind", ExitStatus.INTERRUPTED)
        except click_exceptions.NoArgsIsHelpError as exc:
            sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
            sys.exit(ExitStatus.SUCCESS)
        except click_exceptions.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "pystarter"
            self.fail(exc.format_message(), ExitStatus.USAGE, hint=f"see {command} --help")
        except click_exceptions.ClickException as exc:
            self.fail(exc.format_message(), ExitStatus.USAGE)
        except Exception as exc:
            if debugging():
                raise
            self.fail(unexpected_line(exc), ExitStatus.FAILURE)
        sys.exit(status if isinstance(status, int) else ExitStatus.SUCCESS)


app = typer.Typer(
    cls=PystarterGroup,
    epilog=EXIT_CODES_HELP,
    name="pystarter",
    help="Answer a few questions, get a reasoned pick of Django, Flask or FastAPI, "
    "and a starter project that installs, runs and passes its own tests.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"pystarter {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Show the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """pystarter: scaffold Django, Flask and FastAPI projects."""


def _stdin_is_tty() -> bool:
    return is_tty(sys.stdin)


NEW_EXAMPLES = """Examples:

  pystarter new

  pystarter new blog -f django --database postgresql --celery --no-input

  pystarter new api --need rest-api --need async --no-input --json

  pystarter new svc -t gh:acme/service-template -d team=payments --no-input
"""


def _choices(values: Iterable[object]) -> str:
    return "[" + "|".join(str(v).lower() for v in values) + "]"


@app.command(cls=PystarterCommand, epilog=NEW_EXAMPLES)
def new(
    dest: Annotated[
        str | None,
        typer.Argument(help="Folder to create (new or empty).", metavar="DEST", show_default=False),
    ] = None,
    framework: Annotated[
        str,
        typer.Option(
            "--framework",
            "-f",
            help="Framework; auto recommends one from --need.",
            metavar=_choices(("auto", *FRAMEWORKS)),
            autocompletion=complete_framework,
        ),
    ] = "auto",
    need: Annotated[
        list[str] | None,
        typer.Option(
            "--need",
            help=f"What you are building (repeatable, or a,b): {', '.join(NEEDS)}.",
            metavar="NEED",
            autocompletion=complete_need,
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Display name; default: DEST's name.", metavar="NAME")
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One-line description.", metavar="TEXT")
    ] = None,
    author: Annotated[
        str | None, typer.Option(help="Author name; default: config, then git.", metavar="NAME")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(help="Author email; default: config, then git.", metavar="EMAIL"),
    ] = None,
    python: Annotated[
        str | None,
        typer.Option(
            "--python",
            help="Lowest Python; default: this one.",
            metavar=_choices(choice_values("python_version")),
            autocompletion=complete_choice("python_version"),
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            help="Database.",
            metavar=_choices(choice_values("database")),
            autocompletion=complete_choice("database"),
        ),
    ] = None,
    auth: Annotated[
        bool | None,
        typer.Option("--auth/--no-auth", help="User accounts and login.", show_default=False),
    ] = None,
    rest_api: Annotated[
        bool | None,
        typer.Option(
            "--rest-api/--no-rest-api", help="REST API (Django: DRF).", show_default=False
        ),
    ] = None,
    celery: Annotated[
        bool | None,
        typer.Option("--celery/--no-celery", help="Celery worker + Redis.", show_default=False),
    ] = None,
    docker: Annotated[
        bool | None,
        typer.Option("--docker/--no-docker", help="Dockerfile + compose.yaml.", show_default=False),
    ] = None,
    ci: Annotated[
        str | None,
        typer.Option(
            help="Continuous integration.",
            metavar=_choices(choice_values("ci")),
            autocompletion=complete_choice("ci"),
        ),
    ] = None,
    deploy: Annotated[
        str | None,
        typer.Option(
            help="Deploy target: its platform files and a README section.",
            metavar=_choices(choice_values("deploy")),
            autocompletion=complete_choice("deploy"),
        ),
    ] = None,
    git: Annotated[bool, typer.Option("--git/--no-git", help="git init + first commit.")] = True,
    install: Annotated[
        bool | None,
        typer.Option(
            "--install/--no-install", help="Create .venv and install.", show_default=False
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            help="Template: path, git URL, gh:owner/repo or registered name.",
            metavar="SOURCE",
            autocompletion=complete_template,
        ),
    ] = None,
    vcs_ref: VcsRefOption = None,
    data: DataOption = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", help="YAML/JSON file of answers.", metavar="FILE"),
    ] = None,
    answers_file: Annotated[Path | None, typer.Option("--answers-file", hidden=True)] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt (implied without a TTY).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Allow a non-empty DEST; overwrite only the template's files."
        ),
    ] = False,
    trust: TrustOption = False,
    as_json: JsonOption = False,
) -> None:
    """Render a new project into DEST."""
    from pystarter.create import destination_argument, stopped_after
    from pystarter.new import NewOptions, run_new

    interactive = not no_input and _stdin_is_tty() and not as_json
    flags = {
        "project_name": name,
        "description": description,
        "author_name": author,
        "author_email": email,
        "python_version": python,
        "database": database,
        "use_auth": auth,
        "use_rest_api": rest_api,
        "use_celery": celery,
        "use_docker": docker,
        "ci": ci,
        "deploy": deploy,
    }
    options = NewOptions(
        destination=destination_argument(dest) if dest is not None else None,
        framework=framework,
        needs=tuple(need or ()),
        flags={k: v for k, v in flags.items() if v is not None},
        data_items=tuple(data or ()),
        answers_file=one_of(data_file, answers_file, "--data-file", "--answers-file"),
        template=template,
        vcs_ref=vcs_ref,
        git=git,
        install=install,
        interactive=interactive,
        dry_run=dry_run,
        force=force,
        trust=trust,
    )
    wizard = None
    if options.interactive:
        from pystarter.wizard import Wizard

        wizard = Wizard()
    outcome = None
    try:
        with stdout_to_stderr(as_json):
            outcome = run_new(options, new_progress(as_json), wizard, template_message)
        made = f"the project was made in {outcome.result.destination}"
        with nullcontext() if dry_run else report_of_done_work(made):
            if as_json:
                echo_json(outcome.as_json())
                template_message(outcome.result.message)  # where copier prints it
            else:
                _print_new_outcome(outcome, dry_run=options.dry_run)
    except (KeyboardInterrupt, RuntimeError) as exc:
        if outcome is None or options.dry_run or interrupt_within(exc) is None:
            raise
        raise stopped_after(exc, outcome.result.destination) from exc


def _print_new_outcome(outcome: "NewOutcome", dry_run: bool) -> None:
    """Every value is escaped: a name like ``Shop [/] X`` is text, not rich markup."""
    from rich.text import Text

    console = make_console(soft_wrap=True)
    result = outcome.result
    counts = action_counts(result.actions)
    if dry_run:
        console.print(
            f"[bold]Dry run[/]: would write {len(result.files)} files into"
            f" {escape(str(result.destination))}{counts}; nothing was written or run"
        )
        for path, action in sorted(result.actions.items()):
            console.print(f"  {action:<9} {escape(path)}")
        if result.tasks:
            console.print(f"then the template's {len(result.tasks)} task(s) would run in it:")
            for command in result.tasks:
                console.print(f"  {escape(command)}")
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


@app.command("recommend", cls=PystarterCommand)
def recommend_command(
    need: Annotated[
        list[str] | None,
        typer.Option(
            "--need",
            help=f"A need (repeatable): {', '.join(NEEDS)}.",
            metavar="NEED",
            autocompletion=complete_need,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recommend Django, Flask or FastAPI from what you are building, and say why."""
    from pystarter.recommend import recommend

    needs = list(need or ())
    if not needs and _stdin_is_tty() and not as_json:
        from pystarter.wizard import ask_needs

        needs = list(ask_needs())
    if not needs:
        raise UsageError("no need given", "pass --need NEED (repeatable), e.g. --need rest-api")
    rec = recommend(needs)
    if as_json:
        payload = rec.as_dict()
        echo_json(payload)
        return
    from pystarter.output import recommendation_panel

    console = make_console()
    console.print(recommendation_panel(rec))


from pystarter import cli_project, cli_templates  # noqa: E402

app.add_typer(cli_templates.templates_app, name="templates")
cli_project.register(app)
