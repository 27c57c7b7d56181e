"""``pystarter new`` as plain values in, plain values out: pick the framework and template,
layer the answers, check them, and hand them to the engine. The wizard, when there is a TTY,
fills in what flags left open; everything else here runs the same with or without one.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from pystarter import __version__, render
from pystarter import options as options_table
from pystarter.answers import (
    builtin_answers,
    builtin_questionnaire,
    check_builtin_answers,
    coerce_option_types,
    layer,
    load_answers_file,
    name_problem,
    parse_data_items,
)
from pystarter.config import load_config
from pystarter.destination import check_destination
from pystarter.engine import NewProjectRequest, NewProjectResult, new_project, stopped_after
from pystarter.errors import (
    CancelledError,
    DestinationError,
    MissingAnswersError,
    UntrustedTemplateError,
    UsageError,
    interrupt_within,
)
from pystarter.names import derive_names
from pystarter.next_steps import for_this_machine, next_steps, reproduce_command
from pystarter.options import (
    COMPUTED,
    FLAGS,
    FRAMEWORKS,
)
from pystarter.project_files import RECORD_PREFIX
from pystarter.pythons import command_for, has_uv, interpreter, usable_versions
from pystarter.questionnaire import Questionnaire, checked_answers, unknown_keys
from pystarter.recommend import FRAMEWORK_TITLES, Recommendation, check_needs, recommend
from pystarter.sources import TemplateSource, resolve_source
from pystarter.template_config import (
    Question,
    TemplateConfig,
    read_template_config,
    render_maybe,
)

Progress = Callable[[str], AbstractContextManager[Callable[[str], None]]]


@dataclass
class NewOptions:
    destination: Path | None
    framework: str = "auto"
    needs: tuple[str, ...] = ()
    flags: dict[str, Any] = field(default_factory=dict)
    data_items: list[str] = field(default_factory=list)
    answers_file: Path | None = None
    template: str | None = None
    vcs_ref: str | None = None
    git: bool = True
    install: bool | None = None
    interactive: bool = False
    dry_run: bool = False
    force: bool = False
    trust: bool = False


@dataclass
class NewOutcome:
    framework: str | None
    template: TemplateSource
    answers: dict[str, Any]
    result: NewProjectResult
    recommendation: Recommendation | None
    commands: dict[str, str]
    next_steps: list[str]
    reproduce: str | None = None
    secret_keys: tuple[str, ...] = ("secret_key",)
    """Answers never printed: the template's ``secret`` questions and the generated key."""

    @property
    def framework_title(self) -> str:
        return FRAMEWORK_TITLES.get(self.framework or "", self.template.source)

    def as_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "destination": str(self.result.destination),
            "template": self.template.source,
            "files": self.result.files,
            "answers": {k: v for k, v in self.answers.items() if k not in self.secret_keys},
            "recommendation": self.recommendation.as_dict() if self.recommendation else None,
            "commands": self.commands,
            "next_steps": self.next_steps,
            "git_commit": self.result.git_commit,
            "message": self.result.message,
            "installed_with": self.result.installed_with,
            "notes": self.result.notes,
        }


class Questioner(Protocol):
    """What ``new`` asks when it may ask (the terminal's :class:`pystarter.wizard.Wizard`)."""

    def choose_framework(self) -> tuple[str, Recommendation | None]: ...
    def accept_recommendation(self, rec: Recommendation) -> str: ...
    def ask_project_name(self, problem: Callable[[Any], str | None]) -> str: ...
    def ask(self, questionnaire: Questionnaire, given: Mapping[str, Any]) -> dict[str, Any]: ...
    def ask_install(self) -> bool: ...
    def confirm(self, summary: list[tuple[str, str]]) -> bool: ...
    def confirm_trust(self, template: str, code: list[str]) -> bool: ...


def run_new(
    options: NewOptions, progress: Progress, wizard: Questioner | None = None
) -> NewOutcome:
    """Make the project ``options`` describe; ``wizard`` asks what they leave open (without
    one, nothing is asked: flags, answers, config and defaults decide)."""
    options.framework = options.framework.lower()  # -f Django
    needs = check_needs(options.needs)
    data = parse_data_items(options.data_items, builtin_types=False)
    given = layer(
        options.flags,
        data,
        load_answers_file(options.answers_file, builtin_types=False)
        if options.answers_file
        else {},
    )
    if options.destination is not None:
        check_destination(options.destination.absolute(), options.force)
    framework, recommendation = _choose_framework(options, needs, wizard)
    if recommendation is not None:
        needs = tuple(recommendation.needs)  # the wizard's picks as well as --need
    if options.destination is None:
        given = {**given, **_destination_from_name(options, given, wizard)}
    assert options.destination is not None
    template = resolve_source(options.template, framework or "", options.vcs_ref, options.trust)
    if template.kind == "builtin":
        framework = template.framework
    elif options.install and not template.trusted:
        raise UntrustedTemplateError(
            f"--install builds the project from template {template.source}, which runs the "
            "build backend and installs the packages its author chose",
            "pass --trust if you trust its author (or register it with --trusted), "
            "or leave out --install",
        )
    result: NewProjectResult | None = None
    try:
        with render.open_template(template) as session:
            config = read_template_config(session.root)
            unknown_keys(data, config.question_list(), template.source)
            implications: list[str] = []
            if template.kind == "builtin":
                assert framework is not None
                answers = _builtin_answers(framework, given, needs, options, wizard)
                implications = options_table.implied_notes(given, answers)
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
                answers = _custom_answers(config, given, defaults, wizard, template.source)
            if wizard is not None and options.install is None:
                options.install = wizard.ask_install()
            if template.kind == "builtin" and options.install:
                _check_python_for_install(str(answers["python_version"]))
            request, commands = _request(options, session, config, answers, recommendation)
            secret_keys = ("secret_key", *config.secret_keys)
            if wizard is not None and not wizard.confirm(_summary(request, framework, config)):
                raise CancelledError("cancelled; nothing was created")
            with progress(f"Creating {options.destination.absolute().name}") as on_step:
                result = new_project(request, session, on_step)
            result.notes[:0] = implications
        return _outcome(options, request, result, commands, recommendation, secret_keys, wizard)
    except (KeyboardInterrupt, RuntimeError) as exc:  # the project may be complete: say so
        if result is None or interrupt_within(exc) is None:
            raise
        raise stopped_after(exc, result.destination) from exc


def _destination_from_name(
    options: NewOptions, given: Mapping[str, Any], wizard: Questioner | None
) -> dict[str, Any]:
    """No DEST given: the wizard asks the project's name (once) and DEST is its slug."""
    if wizard is None:
        raise UsageError("missing DEST", "give the folder to create, e.g. pystarter new my-site")

    def problem(text: Any) -> str | None:
        return name_problem(text) or _folder_problem(
            Path(derive_names(str(text)).slug), options.force
        )

    asked = {} if "project_name" in given else {"project_name": wizard.ask_project_name(problem)}
    options.destination = Path(derive_names({**given, **asked}["project_name"]).slug)
    check_destination(options.destination.absolute(), options.force)
    return asked


def _folder_problem(folder: Path, force: bool) -> str | None:
    """Why the folder a typed name makes cannot be used, said to the person typing (no
    options to pass): they type another name."""
    try:
        check_destination(folder.absolute(), force)
    except DestinationError as exc:
        if folder.is_dir() and not folder.is_symlink():
            return f"a folder {folder} is already here and not empty: type another name"
        return f"{exc.message}: type another name"
    return None


def _builtin_answers(
    framework: str,
    given: Mapping[str, Any],
    needs: tuple[str, ...],
    options: NewOptions,
    wizard: Questioner | None,
) -> dict[str, Any]:
    assert options.destination is not None
    folder = options.destination.absolute().name
    given = _lower_choices(coerce_option_types(given))
    defaults = load_config().default_answers()
    lower = (defaults, _git_identity_if_needed(given, defaults))
    if wizard is not None:
        check_builtin_answers({**given, "framework": framework})  # before the first question
        if options.install and "python_version" in given:
            _check_python_for_install(str(given["python_version"]))
        questionnaire = builtin_questionnaire(framework, needs, lower, folder)
        given = wizard.ask(_offer_usable_pythons(questionnaire), given)
    return builtin_answers(framework, given, folder, needs, lower)


def _offer_usable_pythons(questionnaire: Questionnaire) -> Questionnaire:
    """The wizard offers the Python versions a project made here can be installed with (all
    of them when none can: the pin is still a choice)."""
    rules = questionnaire.allowed

    def allowed(key: str, answers: Mapping[str, Any]) -> tuple[Any, ...] | None:
        if key == "python_version":
            return usable_versions(options_table.PYTHON_VERSIONS) or None
        return rules(key, answers)

    return replace(questionnaire, allowed=allowed)


def _check_python_for_install(version: str) -> None:
    """``--python`` alone is a pin, whatever this machine has; installing needs uv (it fetches
    that Python) or that Python here."""
    if has_uv() or interpreter(version):
        return
    usable = usable_versions(options_table.PYTHON_VERSIONS)
    pick = f", pick --python {' or '.join(usable)}" if usable else ""
    raise UsageError(
        f"--install needs Python {version}, which is not on this machine, and uv (which would "
        "fetch it) is not installed",
        f"install uv (https://docs.astral.sh/uv/) or Python {version}{pick}, or pass --no-install",
    )


def _lower_choices(given: Mapping[str, Any]) -> dict[str, Any]:
    """The built-in's choices are case-insensitive (``--database PostgreSQL``, ``-d ci=GitLab``):
    lowered here, once, for flags, ``--data`` and the answers file alike."""
    return {
        key: value.lower()
        if isinstance(value, str) and key in options_table.OPTIONS_BY_KEY
        else value
        for key, value in given.items()
    }


def _request(
    options: NewOptions,
    session: render.Session,
    config: TemplateConfig,
    answers: dict[str, Any],
    recommendation: Recommendation | None,
) -> tuple[NewProjectRequest, dict[str, str]]:
    """What the engine is asked to do, and the commands the template declares for it."""
    assert options.destination is not None
    template = session.template
    rendered_with = config.with_defaults(answers)
    commands = _commands(config, rendered_with)
    record: dict[str, Any] = {
        f"{RECORD_PREFIX}template": template.source,
        f"{RECORD_PREFIX}version": __version__,
    }
    if recommendation:
        record[f"{RECORD_PREFIX}recommendation"] = recommendation.as_record()
    python = sys.executable
    if template.kind == "builtin" and options.install and not has_uv():
        python = interpreter(str(answers["python_version"])) or python
    request = NewProjectRequest(
        template=template,
        destination=options.destination,
        answers=answers,
        force=options.force,
        dry_run=options.dry_run,
        git=options.git,
        install=bool(options.install),
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


def _deploys(answers: Mapping[str, Any]) -> bool:
    """A deploy target is chosen: the first commit needs uv.lock, with or without git."""
    return answers.get("deploy", "none") != "none"


def _python_command(template: TemplateSource, answers: Mapping[str, Any]) -> str:
    """The Python that makes ``.venv`` in the commands printed for a machine without uv: the
    built-in's version when it is on PATH (a newer ``python3`` may not be that one)."""
    if template.kind != "builtin" or has_uv():
        return "python3"
    return command_for(str(answers["python_version"]))


def _outcome(
    options: NewOptions,
    request: NewProjectRequest,
    result: NewProjectResult,
    commands: dict[str, str],
    recommendation: Recommendation | None,
    secret_keys: tuple[str, ...],
    wizard: Questioner | None,
) -> NewOutcome:
    template = request.template
    framework = template.framework
    commands = for_this_machine(
        commands,
        shutil.which("uv") is not None and result.installed_with != "pip",
        _python_command(template, request.answers),
    )
    outcome = NewOutcome(
        framework=framework,
        template=template,
        answers=dict(request.answers),
        result=result,
        recommendation=recommendation,
        commands=commands,
        next_steps=next_steps(request.destination, commands, installed=bool(result.installed_with)),
        secret_keys=secret_keys,
    )
    if wizard is not None:
        outcome.reproduce = reproduce_command(
            request.destination,
            framework,
            template,
            request.answers,
            options.needs,
            {
                "vcs_ref": options.vcs_ref,
                "trust": options.trust,
                "git": options.git,
                "install": options.install,
            },
            secret_keys,
            recommendation,
        )
    return outcome


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


def _custom_answers(
    config: TemplateConfig,
    given: Mapping[str, Any],
    defaults: Mapping[str, Any],
    wizard: Questioner | None,
    name: str,
) -> dict[str, Any]:
    """What the user gave (flags, --data, answers file, config ``[defaults]`` for questions
    the template asks) and nothing else: copier fills in the template's own defaults."""
    questions = config.question_list()
    asked = {q.name for q in questions}
    answers = {k: v for k, v in defaults.items() if k in asked}
    answers.update(given)
    if wizard is not None:
        answers = wizard.ask(Questionnaire(questions, defaults=answers), {})
    answers = checked_answers(questions, answers, name)
    missing = config.required_keys(answers)
    if missing:
        raise MissingAnswersError(missing)
    return answers


def _summary(
    request: NewProjectRequest, framework: str | None, config: TemplateConfig
) -> list[tuple[str, str]]:
    """What the wizard shows before it creates anything: human labels, in question order."""
    rows = [
        ("Folder", str(request.destination.absolute())),
        ("Template", FRAMEWORK_TITLES.get(framework or "", request.template.source)),
    ]
    order = list(config.questions)
    secret_keys = ("secret_key", *config.secret_keys)
    # A choice is shown as the wizard offered it ("PostgreSQL"), unless its label is Jinja.
    labels = {
        question.name: {
            choice.value: choice.label for choice in question.choices if "{" not in choice.label
        }
        for question in config.question_list()
        if all(isinstance(choice.value, (str, int, float)) for choice in question.choices)
    }
    ranked = sorted(
        request.answers.items(),
        key=lambda item: order.index(item[0]) if item[0] in order else len(order),
    )
    for key, value in ranked:
        if key in COMPUTED or key in secret_keys:
            continue
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, (str, int, float)) and value in labels.get(key, {}):
            shown = labels[key][value]
        else:
            shown = str(value)
        rows.append((FLAGS[key][1] if key in FLAGS else key, shown))
    return rows


def _choose_framework(
    options: NewOptions, needs: tuple[str, ...], wizard: Questioner | None
) -> tuple[str | None, Recommendation | None]:
    if options.framework != "auto" and options.framework not in FRAMEWORKS:
        raise UsageError(
            f"unknown framework {options.framework!r}",
            f"choose auto, {', '.join(FRAMEWORKS)}",
        )
    if options.template and options.template not in FRAMEWORKS:
        return (None if options.framework == "auto" else options.framework), None
    if options.template in FRAMEWORKS:
        if options.framework not in ("auto", options.template):
            raise UsageError(
                f"--template {options.template} and --framework {options.framework} "
                "contradict each other",
                "give one of them",
            )
        return options.template, None
    if options.framework != "auto":
        return options.framework, None
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


def _git_identity_if_needed(given: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, str]:
    if all(given.get(k) or config.get(k) for k in ("author_name", "author_email")):
        return {}
    from pystarter.git import user_identity

    return user_identity()


def _commands(config: TemplateConfig, answers: Mapping[str, Any]) -> dict[str, str]:
    """The template's ``_pystarter.commands`` rendered with the answers, before anything is
    written; none are guessed for a template that declares none."""
    declared = config.commands
    if not declared:
        return {"install": "", "run": "", "test": ""}
    return {key: str(render_maybe(str(value), answers) or "") for key, value in declared.items()}
