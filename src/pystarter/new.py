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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from pystarter import __version__, render
from pystarter import options as options_table
from pystarter.answers import (
    builtin_answer_problems,
    builtin_answers,
    builtin_questionnaire,
    check_builtin_answers,
    check_data_keys,
    coerce_option_types,
    file_answer_problems,
    git_identity_if_needed,
    layer,
    load_answers_file,
    lower_choices,
    name_problem,
    parse_data_items,
)
from pystarter.builtin import builtin_config
from pystarter.config import load_config
from pystarter.create import (
    NewProjectRequest,
    NewProjectResult,
    check_destination,
    check_working_folder,
    folder_problem,
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
from pystarter.install import (
    check_python_for_install,
    command_for,
    has_uv,
    interpreter,
    usable_versions,
)
from pystarter.names import derive_names, shown
from pystarter.next_steps import NewOutcome, for_this_machine, next_steps, reproduce_command
from pystarter.options import (
    FLAGS,
    FRAMEWORKS,
    flag_words,
)
from pystarter.questionnaire import Prompt, Questionnaire, custom_answers
from pystarter.recommend import FRAMEWORK_TITLES, Recommendation, check_needs, recommend
from pystarter.sources import TemplateSource, resolve_source
from pystarter.subproject import RECORD_PREFIX
from pystarter.template_config import (
    Question,
    TemplateConfig,
    read_template_config,
)

Progress = Callable[[str], AbstractContextManager[Callable[[str], None]]]


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


class Questioner(Protocol):
    """What ``new`` asks when it may ask (the terminal's :class:`pystarter.wizard.Wizard`)."""

    def choose_framework(self) -> tuple[str, Recommendation | None]: ...
    def accept_recommendation(self, rec: Recommendation) -> str: ...
    def ask_project_name(self, problem: Callable[[Any], str | None]) -> str: ...
    def ask(self, questionnaire: Questionnaire, given: Mapping[str, Any]) -> dict[str, Any]: ...
    def ask_question(self, prompt: Prompt) -> Any: ...
    def ask_install(self) -> bool: ...
    def confirm(
        self, destination: Path, template: str, answers: Mapping[str, Any], config: TemplateConfig
    ) -> bool: ...
    def confirm_trust(self, template: str, code: list[str]) -> bool: ...


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
        _check_framework,
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
            _framework_from_answers,
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
        problems += _builtin_problems(options, chosen, needs, data, from_file, origins)
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


def _builtin_problems(
    options: NewOptions,
    framework: str,
    needs: tuple[str, ...],
    data: dict[str, Any],
    from_file: dict[str, Any],
    origins: dict[str, str],
) -> list[UsageError]:
    """What the built-in template refuses in the flags, ``--data`` and ``--data-file``: their
    keys, types and values, the needs and the option rules (``framework`` may be ``auto``)."""
    problems: list[UsageError] = []
    questions = builtin_config().question_list()
    source = f"builtin:{framework}" if framework in FRAMEWORKS else "builtin"
    try:
        check_data_keys(data, questions, source)
    except UsageError as exc:
        problems.append(exc)
    if options.answers_file:
        problems += file_answer_problems(options.answers_file, from_file, questions, source)
    # each value once: a file whose keys or types are wrong is not checked value by value
    checked = layer(options.flags, data) if problems else layer(options.flags, data, from_file)
    try:
        typed = lower_choices(coerce_option_types(checked))
    except UsageError as exc:
        return [*problems, exc]
    if framework in FRAMEWORKS:
        typed["framework"] = framework
    return problems + builtin_answer_problems(typed, _with_needs(origins, needs), needs)


def _check_framework(framework: str, typed: str) -> str:
    if framework != "auto" and framework not in FRAMEWORKS:
        raise UsageError(
            f"unknown framework in {typed}",
            f"choose auto, {', '.join(FRAMEWORKS)}",
        )
    return framework


def _framework_from_answers(
    framework: str, data: Mapping[str, Any], from_file: Mapping[str, Any], path: Path | None
) -> str:
    """``-d framework=X`` (or ``framework: X`` in the answers file) is ``-f X``; refused when
    it disagrees with ``-f`` or with the other."""
    chosen, chosen_by = framework, f"--framework {framework}"
    for value, typed in (
        (data.get("framework"), "--data framework={}"),
        (from_file.get("framework"), f"framework: {{}} in answers file {path}"),
    ):
        if value is None:
            continue
        value = _check_framework(str(value).strip().lower(), typed.format(shown(value)))
        if value == "auto":
            continue
        if chosen not in ("auto", value):
            raise UsageError(
                f"{chosen_by} and {typed.format(value)} contradict each other",
                "give the framework once",
            )
        chosen, chosen_by = value, typed.format(value)
    return chosen


def _with_needs(origins: Mapping[str, str], needs: tuple[str, ...]) -> dict[str, str]:
    """``--need auth`` is what the user typed for ``use_auth``, unless a flag answered it."""
    by_need = {
        key: f"--need {need}" for need in needs for key in options_table.NEED_ANSWERS.get(need, {})
    }
    return {**by_need, **origins}


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
    framework, recommendation = _choose_framework(options, given.framework, given.needs, wizard)
    needs = tuple(recommendation.needs) if recommendation else given.needs  # the wizard's too
    answers, destination = given.answers, options.destination
    if destination is None:
        answers = {**answers, **_name_for_destination(answers, options.force, wizard)}
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
        _check_keys(options, given, config, template)
        notes: list[str] = list(given.notes)
        if builtin:
            assert framework is not None
            given_answers = answers
            answers = _builtin_answers(
                framework,
                answers,
                needs,
                destination,
                options.install,
                wizard,
                _with_needs(given.origins, needs),
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
            _refuse_builtin_flags(options, config.question_list(), template)
            _check_trust(session, config, wizard)
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


def _name_for_destination(
    given: Mapping[str, Any], force: bool, wizard: Questioner | None
) -> dict[str, Any]:
    """No DEST given: the wizard asks the project's name (once); DEST will be its slug."""
    if wizard is None:
        raise UsageError("missing DEST", "give the folder to create, e.g. pystarter new my-site")

    def problem(text: Any) -> str | None:
        return name_problem(text) or folder_problem(Path(derive_names(str(text)).slug), force)

    return {} if "project_name" in given else {"project_name": wizard.ask_project_name(problem)}


def _builtin_answers(
    framework: str,
    given: Mapping[str, Any],
    needs: tuple[str, ...],
    destination: Path,
    install: bool | None,
    wizard: Questioner | None,
    origins: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Flags, --data, --data-file, then the wizard, config ``[defaults]``, git identity, the
    needs and copier.yml's defaults: every answer the built-in template takes, checked."""
    folder = destination.absolute().name
    given = lower_choices(coerce_option_types(given))
    defaults = load_config().default_answers()
    lower = (defaults, git_identity_if_needed(given, defaults))
    if wizard is not None:
        # before the first question
        check_builtin_answers({**given, "framework": framework}, origins, needs)
        if install and "python_version" in given:
            check_python_for_install(str(given["python_version"]), options_table.PYTHON_VERSIONS)
        questionnaire = builtin_questionnaire(framework, needs, lower, folder)
        given = wizard.ask(_offer_usable_pythons(questionnaire), given)
    return builtin_answers(framework, given, folder, needs, lower, origins)


def _offer_usable_pythons(questionnaire: Questionnaire) -> Questionnaire:
    """The wizard offers the Python versions a project made here can be installed with (all
    of them when none can: the pin is still a choice)."""
    rules = questionnaire.allowed

    def allowed(key: str, answers: Mapping[str, Any]) -> tuple[Any, ...] | None:
        if key == "python_version":
            return usable_versions(options_table.PYTHON_VERSIONS) or None
        return rules(key, answers)

    return replace(questionnaire, allowed=allowed)


def _deploys(answers: Mapping[str, Any]) -> bool:
    """A deploy target is chosen: the first commit needs uv.lock, with or without git."""
    return answers.get("deploy", "none") != "none"


def _python_command(template: TemplateSource, answers: Mapping[str, Any]) -> str:
    """The Python that makes ``.venv`` in the commands printed for a machine without uv: the
    built-in's version when it is on PATH (a newer ``python3`` may not be that one)."""
    if template.kind != "builtin" or has_uv():
        return "python3"
    return command_for(str(answers["python_version"]))


def _check_keys(
    options: NewOptions, given: Given, config: TemplateConfig, template: TemplateSource
) -> None:
    """``--data`` and ``--data-file`` keys (and the file's types) against the template's
    questions, every problem at once (for a built-in, :func:`gather` found them already)."""
    problems: list[UsageError] = []
    try:
        check_data_keys(given.data, config.question_list(), template.source)
    except UsageError as exc:
        problems.append(exc)
    if options.answers_file:
        problems += file_answer_problems(
            options.answers_file, given.from_file, config.question_list(), template.source
        )
    if problems:
        raise together(problems)


def _refuse_builtin_flags(
    options: NewOptions, questions: list[Question], template: TemplateSource
) -> None:
    """Flags answer a custom template's questions of the same name, and nothing else."""
    asked = {q.name for q in questions}
    for key in options.flags:
        if key not in asked:
            flag = FLAGS[key][0] if key in FLAGS else key
            raise UsageError(
                f"{flag} answers the question {key}, which template {template.source} does not ask",
                "leave it out, or give the template's own questions with --data KEY=VALUE",
            )
    if options.framework != "auto":
        raise UsageError(
            f"--framework {options.framework} picks a built-in template, and --template "
            f"{template.source} was given too",
            "give one of them",
        )


def _check_trust(
    session: render.Session, config: TemplateConfig, wizard: Questioner | None
) -> None:
    """A custom template that runs code needs trust: --trust, a registration with --trusted,
    or, on a terminal, a yes after seeing exactly what would run."""
    template = session.template
    config.check_extensions(template.source)
    if template.trusted or not config.unsafe_features:
        return
    if wizard is not None and wizard.confirm_trust(template.source, config.code_to_run()):
        session.trust()
        return
    config.check_trust(template.source, trusted=False)


def _choose_framework(
    options: NewOptions, framework: str, needs: tuple[str, ...], wizard: Questioner | None
) -> tuple[str | None, Recommendation | None]:
    if framework != "auto" and framework not in FRAMEWORKS:
        raise UsageError(
            f"unknown framework {framework!r}",
            f"choose auto, {', '.join(FRAMEWORKS)}",
        )
    if options.template and options.template not in FRAMEWORKS:
        return (None if framework == "auto" else framework), None
    if options.template in FRAMEWORKS:
        if framework not in ("auto", options.template):
            raise UsageError(
                f"--template {options.template} and --framework {framework} contradict each other",
                "give one of them",
            )
        return options.template, None
    if framework != "auto":
        return framework, None
    if needs:
        rec = recommend(needs)
        if wizard is not None:
            return wizard.accept_recommendation(rec), rec
        return rec.framework, rec
    if wizard is not None:
        return wizard.choose_framework()
    raise UsageError(
        "--no-input with --framework auto needs at least one --need",
        "pass --framework django|flask|fastapi, or --need NEED (see pystarter recommend --help)",
    )
