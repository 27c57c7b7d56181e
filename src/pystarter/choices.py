"""The choices ``pystarter new`` makes while it decides, and what it asks for them: the
:class:`Questioner` the wizard meets, the framework (given, recommended from the needs, or
asked), the project's name when DEST is not given, the built-in template's answers, and trust
in a custom template that runs code. Without a questioner nothing is asked: the flags, the
needs, the config and the defaults choose, or the choice is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from pystarter import options as options_table
from pystarter import render
from pystarter.answers import (
    builtin_answers,
    builtin_questionnaire,
    check_builtin_answers,
    coerce_option_types,
    git_identity_if_needed,
    lower_choices,
    name_problem,
)
from pystarter.config import load_config
from pystarter.create import folder_problem
from pystarter.errors import UsageError
from pystarter.install import check_python_for_install, usable_versions
from pystarter.names import derive_names
from pystarter.options import FRAMEWORKS
from pystarter.questionnaire import Prompt, Questionnaire
from pystarter.recommend import Recommendation, recommend
from pystarter.template_config import TemplateConfig


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


def choose_framework(
    template: str | None, framework: str, needs: tuple[str, ...], wizard: Questioner | None
) -> tuple[str | None, Recommendation | None]:
    if framework != "auto" and framework not in FRAMEWORKS:
        raise UsageError(
            f"unknown framework {framework!r}",
            f"choose auto, {', '.join(FRAMEWORKS)}",
        )
    if template and template not in FRAMEWORKS:
        return (None if framework == "auto" else framework), None
    if template in FRAMEWORKS:
        if framework not in ("auto", template):
            raise UsageError(
                f"--template {template} and --framework {framework} contradict each other",
                "give one of them",
            )
        return template, None
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


def name_for_destination(
    given: Mapping[str, Any], force: bool, wizard: Questioner | None
) -> dict[str, Any]:
    """No DEST given: the wizard asks the project's name (once); DEST will be its slug."""
    if wizard is None:
        raise UsageError("missing DEST", "give the folder to create, e.g. pystarter new my-site")

    def problem(text: Any) -> str | None:
        return name_problem(text) or folder_problem(Path(derive_names(str(text)).slug), force)

    return {} if "project_name" in given else {"project_name": wizard.ask_project_name(problem)}


def choose_builtin_answers(
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


def check_trust(session: render.Session, config: TemplateConfig, wizard: Questioner | None) -> None:
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
