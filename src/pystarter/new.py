"""``pystarter new`` as plain values in, plain values out, in five steps (:func:`run_new`):
gather what the flags and files say, decide the framework, template and answers (the wizard,
when there is a TTY, asks what the flags left open), fix the plan, execute it in DEST, report.
Everything here runs the same with or without a wizard; nothing prints.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter import __version__, render
from pystarter import options as options_table
from pystarter.answers import layer, load_answers_file, parse_data_items
from pystarter.builtin import builtin_config
from pystarter.choices import (
    Questioner,
    check_trust,
    choose_builtin_answers,
    choose_framework,
    name_for_destination,
)
from pystarter.config import load_config
from pystarter.create import (
    NewProjectRequest,
    NewProjectResult,
    StepCallback,
    check_destination,
    check_working_folder,
    new_project,
    stopped_after,
)
from pystarter.errors import (
    CancelledError,
    UntrustedTemplateError,
    UsageError,
    interrupt_within,
    together,
)
from pystarter.given import (
    builtin_problems,
    check_framework,
    check_keys,
    framework_from_answers,
    refuse_builtin_flags,
    with_needs,
)
from pystarter.install import check_python_for_install, command_for, has_uv, interpreter
from pystarter.names import derive_names
from pystarter.next_steps import NewOutcome, for_this_machine, next_steps, reproduce_command
from pystarter.options import FRAMEWORKS, flag_words
from pystarter.questionnaire import custom_answers
from pystarter.recommend import FRAMEWORK_TITLES, Recommendation, check_needs
from pystarter.sources import TemplateSource, resolve_source
from pystarter.subproject import RECORD_PREFIX
from pystarter.template_config import TemplateConfig, read_template_config

Progress = Callable[[str], AbstractContextManager[StepCallback]]


@dataclass(frozen=True)
class NewOptions:
    """What the command line says; never changed on the way."""

    destination: Path | None
    framework: str = "auto"
    needs: tuple[str, ...] = ()
    flags: Mapping[str, Any] = field(default_factory=dict)
    data_items: tuple[str, ...] = ()
    answers_file: Path | None = None
    template: str | None = None
    vcs_ref: str | None = None
    git: bool = True
    install: bool | None = None
    interactive: bool = False
    dry_run: bool = False
    force: bool = False
    trust: bool = False


@dataclass(frozen=True)
class Given:
    """Step 1, gather: what the flags and files say, each checked once; nothing asked yet."""

    framework: str
    needs: tuple[str, ...]
    data: dict[str, Any]
    """``--data`` alone: its keys must be questions of the template."""
    answers: dict[str, Any]
    """Flags, then ``--data``, then ``--data-file``: the first one to answer wins."""
    from_file: dict[str, Any] = field(default_factory=dict)
    """``--data-file`` alone: its keys and types are checked as ``--data``'s are."""
    origins: dict[str, str] = field(default_factory=dict)
    """What the user typed for each answer (``--no-auth``, ``--data use_auth=no``), for errors."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """Step 2, decide: DEST, the framework and template, every answer, trust and install."""

    destination: Path
    framework: str | None
    recommendation: Recommendation | None
    needs: tuple[str, ...]
    session: render.Session
    config: TemplateConfig
    answers: dict[str, Any]
    install: bool
    notes: tuple[str, ...] = ()
    """What an option rule chose for the user (``--deploy fly`` turns Docker on), said first."""


def run_new(
    options: NewOptions,
    progress: Progress,
    wizard: Questioner | None = None,
    say: Callable[[str], None] = lambda text: None,
) -> NewOutcome:
    """Make the project ``options`` describe; ``wizard`` asks what they leave open (without
    one, nothing is asked: flags, answers, config and defaults decide). ``say`` shows a
    template's ``_message_before_copy`` where copier shows it."""
    given = gather(options)
    result: NewProjectResult | None = None
    try:
        with decide(options, given, wizard, say) as decision:
            request, commands = plan(options, decision)
            title = FRAMEWORK_TITLES.get(decision.framework or "", request.template.source)
            confirmed = wizard is None or wizard.confirm(
                request.destination, title, request.answers, decision.config
            )
            if not confirmed:
                raise CancelledError("cancelled; nothing was created")
            result = execute(request, decision.session, progress)
            result.notes[:0] = decision.notes
        return report(options, decision, request, result, commands, wizard is not None)
    except (KeyboardInterrupt, RuntimeError) as exc:  # the project may be complete: say so
        if result is None or interrupt_within(exc) is None:
            raise
        raise stopped_after(exc, result.destination) from exc


def gather(options: NewOptions) -> Given:
    """Step 1: the needs, ``--data`` and ``--data-file`` read and checked, DEST checked; every
    problem found here is reported at once, each naming what the user typed."""
    check_working_folder()
    problems: list[UsageError] = []
    notes: list[str] = []

    def attempt(check: Callable[..., Any], *args: Any, default: Any = None) -> Any:
        try:
            return check(*args)
        except UsageError as exc:
            problems.append(exc)
            return default

    builtin = options.template is None or options.template in FRAMEWORKS
    if options.template is not None and not options.template.strip():
        problems.append(
            UsageError("--template is empty", "give a folder, git URL, gh:owner/repo or a name")
        )
    framework = attempt(
        check_framework,
        options.framework.lower(),
        f"--framework {options.framework}",
        default="auto",
    )
    needs = attempt(check_needs, options.needs, default=())
    data = attempt(parse_data_items, list(options.data_items), False, default={})
    from_file: dict[str, Any] = {}
    if options.answers_file:
        from_file = attempt(load_answers_file, options.answers_file, False, notes, default={})
    if builtin:  # -d framework=flask is -f flask
        framework = attempt(
            framework_from_answers,
            framework,
            data,
            from_file,
            options.answers_file,
            default=framework,
        )
        data.pop("framework", None)
        from_file.pop("framework", None)
    if options.destination is not None:
        attempt(check_destination, options.destination.absolute(), options.force)
    origins = {
        **{k: f"answers file {options.answers_file}: {k}" for k in from_file},
        **{k: f"--data {k}={v}" for k, v in data.items()},
        **{k: " ".join(flag_words(k, v)) for k, v in options.flags.items()},
    }
    answers = layer(options.flags, data, from_file)
    if builtin:
        chosen = options.template or framework
        problems += builtin_problems(
            options.flags, options.answers_file, chosen, needs, data, from_file, origins
        )
    if problems:
        raise together(problems)
    return Given(
        framework=framework,
        needs=needs,
        data=data,
        answers=answers,
        from_file=from_file,
        origins=origins,
        notes=tuple(notes),
    )


@contextmanager
def decide(
    options: NewOptions,
    given: Given,
    wizard: Questioner | None,
    say: Callable[[str], None] = lambda text: None,
) -> Iterator[Decision]:
    """Step 2: the framework (recommended from the needs, or asked), DEST (from the name the
    wizard asks when none was given), the template at its ref (open while the project is
    made), trust, every answer and whether to install."""
    framework, recommendation = choose_framework(
        options.template, given.framework, given.needs, wizard
    )
    needs = tuple(recommendation.needs) if recommendation else given.needs  # the wizard's too
    answers, destination = given.answers, options.destination
    if destination is None:
        answers = {**answers, **name_for_destination(answers, options.force, wizard)}
        destination = Path(derive_names(answers["project_name"]).slug)
        check_destination(destination.absolute(), options.force)
    template = resolve_source(
        options.template,
        framework or "",
        options.vcs_ref,
        options.trust,
        registry=load_config().templates,
    )
    if template.kind == "builtin":
        framework = template.framework
    elif options.install and not template.trusted:
        raise UntrustedTemplateError(
            f"--install builds the project from template {template.source}, which runs the "
            "build backend and installs the packages its author chose",
            "pass --trust if you trust its author (or register it with --trusted), "
            "or leave out --install",
        )
    with render.open_template(template) as session:
        builtin = template.kind == "builtin"
        config = builtin_config() if builtin else read_template_config(session.root)
        check_keys(given.data, given.from_file, options.answers_file, config, template)
        notes: list[str] = list(given.notes)
        if builtin:
            assert framework is not None
            given_answers = answers
            answers = choose_builtin_answers(
                framework,
                answers,
                needs,
                destination,
                options.install,
                wizard,
                with_needs(given.origins, needs),
            )
            notes += options_table.implied_notes(given_answers, answers)
            notes += options_table.need_notes(framework, needs, given_answers, given.origins)
            if _deploys(answers) and not options.dry_run and not has_uv():
                raise UsageError(
                    f"--deploy {answers['deploy']} needs uv.lock (the platform installs "
                    "from it), which uv makes, and uv is not on PATH",
                    "install uv (https://docs.astral.sh/uv/) and run this again, or leave "
                    "out --deploy",
                )
        else:
            refuse_builtin_flags(options.flags, options.framework, config.question_list(), template)
            check_trust(session, config, wizard)
            defaults = load_config().default_answers()
            ask = wizard.ask_question if wizard else None
            answers = custom_answers(session, answers, defaults, ask, destination, show=say)
        install = options.install
        declared = config.commands_for(config.with_defaults(answers))
        installable = builtin or bool(declared.get("install"))
        if install and not installable:
            raise UsageError(
                f"--install: template {template.source} declares no install command "
                "(_pystarter.commands.install in its copier.yml), so there is nothing to run",
                "leave out --install and install the project as its README says",
            )
        if wizard is not None and install is None and installable:
            install = wizard.ask_install()
        if builtin and install:
            check_python_for_install(str(answers["python_version"]), options_table.PYTHON_VERSIONS)
        yield Decision(
            destination,
            framework,
            recommendation,
            needs,
            session,
            config,
            answers,
            bool(install),
            tuple(notes),
        )


def plan(options: NewOptions, decision: Decision) -> tuple[NewProjectRequest, dict[str, str]]:
    """Step 3: what :func:`pystarter.create.new_project` is asked to do, fixed before anything
    is written, and the commands the template declares for the project."""
    template, config, answers = decision.session.template, decision.config, decision.answers
    recommendation = decision.recommendation
    rendered_with = config.with_defaults(answers)
    commands = config.commands_for(rendered_with)
    record: dict[str, Any] = {
        f"{RECORD_PREFIX}template": template.source,
        f"{RECORD_PREFIX}version": __version__,
    }
    if recommendation:
        record[f"{RECORD_PREFIX}recommendation"] = recommendation.as_record()
    python = sys.executable
    if template.kind == "builtin" and decision.install and not has_uv():
        python = interpreter(str(answers["python_version"])) or python
    request = NewProjectRequest(
        template=template,
        destination=decision.destination,
        answers=answers,
        force=options.force,
        dry_run=options.dry_run,
        git=options.git,
        install=decision.install,
        record=record,
        keep_existing=config.skip_if_exists(rendered_with),
        answers_file=config.answers_file(rendered_with),
        lock=template.kind == "builtin" and (options.git or _deploys(answers)),
        install_command=for_this_machine(
            commands, has_uv(), _python_command(template, answers)
        ).get("install")
        or "uv sync",
        python=python,
        runs_tasks=template.trusted and bool(config.settings.get("_tasks")),
    )
    return request, commands


def execute(
    request: NewProjectRequest, session: render.Session, progress: Progress
) -> NewProjectResult:
    """Step 4: make the project in DEST, all or nothing (see :mod:`pystarter.create`)."""
    with progress(f"Creating {request.destination.absolute().name}") as on_step:
        return new_project(request, session, on_step)


def report(
    options: NewOptions,
    decision: Decision,
    request: NewProjectRequest,
    result: NewProjectResult,
    commands: dict[str, str],
    reproduce: bool,
) -> NewOutcome:
    """Step 5: what was made, the commands for this machine, the next steps and (after the
    wizard) the one command line that makes the same project again."""
    template = request.template
    commands = for_this_machine(
        commands,
        shutil.which("uv") is not None and result.installed_with != "pip",
        _python_command(template, request.answers),
    )
    secret_keys = ("secret_key", *decision.config.secret_keys)
    outcome = NewOutcome(
        framework=template.framework,
        template=template,
        answers=dict(request.answers),
        result=result,
        recommendation=decision.recommendation,
        commands=commands,
        next_steps=next_steps(request.destination, commands, installed=bool(result.installed_with)),
        secret_keys=secret_keys,
    )
    if reproduce:
        outcome.reproduce = reproduce_command(
            request.destination,
            template.framework,
            template,
            request.answers,
            options.needs,
            {
                "vcs_ref": options.vcs_ref,
                "trust": decision.session.template.trusted
                and bool(options.trust or decision.config.unsafe_features),
                "git": options.git,
                "install": decision.install,
            },
            secret_keys,
            decision.recommendation,
        )
    return outcome


def _deploys(answers: Mapping[str, Any]) -> bool:
    """A deploy target is chosen: the first commit needs uv.lock, with or without git."""
    return answers.get("deploy", "none") != "none"


def _python_command(template: TemplateSource, answers: Mapping[str, Any]) -> str:
    """The Python that makes ``.venv`` in the commands printed for a machine without uv: the
    built-in's version when it is on PATH (a newer ``python3`` may not be that one)."""
    if template.kind != "builtin" or has_uv():
        return "python3"
    return command_for(str(answers["python_version"]))
