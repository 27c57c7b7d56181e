"""The questions ``new`` asks, read from a template's copier.yml, and what pystarter adds to
them: defaults from flags, config and git, the choices the option rules allow, and checks on
each answer. No terminal I/O: the wizard asks from a :class:`Questionnaire`, and so could any
other questioner (a test handing in scripted answers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter.errors import MissingAnswersError, UsageError
from pystarter.names import shown
from pystarter.template_config import Choice, Question, cast_answer

Check = Callable[[Any], "str | None"]


@dataclass
class Questionnaire:
    questions: list[Question]
    context: dict[str, Any] = field(default_factory=dict)
    """Answers known before the first question (the framework), used by ``when`` and defaults."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Defaults that win over copier.yml's: config ``[defaults]``, git identity, needs."""
    labels: Mapping[str, str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    """Questions never asked (pystarter computes them)."""
    allowed: Callable[[str, Mapping[str, Any]], tuple[Any, ...] | None] = lambda key, answers: None
    """The values a choice question may take given the answers so far (None: all of them)."""
    checks: Mapping[str, Check] = field(default_factory=dict)
    """Extra checks per question: a reason to refuse the typed value, or None."""

    def to_ask(self, answers: Mapping[str, Any]) -> Question | None:
        """The next question to ask, given what is answered so far; None when done."""
        scope = {**self.context, **answers}
        for question in self.questions:
            if question.name in answers or question.name in self.skipped:
                continue
            if question.asked_in(scope):
                return question
        return None

    def label(self, question: Question) -> str:
        return self.labels.get(question.name) or self.help(question, {}) or question.name

    def help(self, question: Question, answers: Mapping[str, Any]) -> str:
        return question.help_in({**self.context, **answers})

    def default(self, question: Question, answers: Mapping[str, Any]) -> Any:
        if question.name in self.defaults:
            value = self.defaults[question.name]
        else:
            value = question.default_in({**self.context, **answers})
        options = self.choices(question, answers)
        if options and value not in [c.value for c in options] and not question.multiselect:
            return options[0].value
        return value

    def choices(self, question: Question, answers: Mapping[str, Any]) -> list[Choice]:
        allowed = self.allowed(question.name, {**self.context, **answers})
        choices: Iterable[Choice] = question.choices
        if question.type == "bool" and not question.choices:
            choices = (Choice("yes", True), Choice("no", False))
        return [c for c in choices if allowed is None or c.value in allowed]

    def problem(self, question: Question, value: Any, answers: Mapping[str, Any]) -> str | None:
        check = self.checks.get(question.name)
        reason = check(value) if check else None
        return reason or question.problem(value, {**self.context, **answers})


def checked_answers(
    questions: list[Question], answers: Mapping[str, Any], template: str
) -> dict[str, Any]:
    """``answers`` cast to their questions' types and checked against choices and validators
    as copier checks them, in question order; a value copier would refuse is a usage error
    naming the question and what it takes."""
    checked = dict(answers)
    for question in questions:
        if question.name not in checked:
            continue
        value = cast_answer(question.type, checked[question.name])
        if question.multiselect and isinstance(value, str):  # -d langs='[go, rust]'
            value = _yaml_value(value)
        checked[question.name] = value
        if question.type in ("int", "float") and isinstance(value, str):
            raise UsageError(
                f"{question.name} must be a {'whole ' if question.type == 'int' else ''}number "
                f"for template {template}, not {shown(value)}",
                f"e.g. --data {question.name}=1",
            )
        if question.type == "bool" and not isinstance(value, bool):
            raise UsageError(
                f"{question.name} must be true or false, not {shown(value)}",
                f"--data {question.name}=true",
            )
        values = [c.value for c in question.choices]
        picked = value if question.multiselect and isinstance(value, list) else [value]
        if values and any(v not in values for v in picked):
            raise UsageError(
                f"{question.name} cannot be {shown(value)} for template {template}",
                f"choose one of {', '.join(str(v) for v in values)}",
            )
        reason = question.problem(value, checked)
        if reason:
            raise UsageError(f"{question.name} {shown(value)} is refused: {reason}", "")
    return checked


def _yaml_value(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def unknown_keys(given: Iterable[str], questions: list[Question], template: str) -> None:
    """A ``--data`` key the template does not ask is a usage error suggesting the closest."""
    import difflib

    names = [q.name for q in questions]
    for key in given:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = (
                f"did you mean {close[0]}?"
                if close
                else f"template {template} asks: " + (", ".join(names) or "nothing")
            )
            raise UsageError(f"{key}: no such question in template {template}", hint)


@dataclass(frozen=True)
class PromptChoice:
    label: str
    value: Any
    disabled: str = ""
    """Why copier's per-choice validator refuses it ('' when it can be picked)."""


@dataclass(frozen=True)
class Prompt:
    """One copier question as copier would ask it at this point: its text, help, placeholder,
    choices and default rendered with the answers so far. ``check`` casts and validates a typed
    answer as copier does: the value, or ValueError with copier's reason."""

    name: str
    type: str
    message: str
    default: Any
    has_default: bool
    check: Callable[[Any], Any]
    help: str = ""
    placeholder: str = ""
    choices: tuple[PromptChoice, ...] = ()
    multiselect: bool = False
    secret: bool = False
    multiline: bool = False


AskOne = Callable[[Prompt], Any]


def custom_answers(
    session: Any,
    given: Mapping[str, Any],
    defaults: Mapping[str, Any],
    ask: AskOne | None,
    destination: Path,
    show: Callable[[str], None] = lambda text: None,
) -> dict[str, Any]:
    """A custom template's answers, from copier's own questionnaire (the one ``templates
    check`` uses too): ``given`` (flags, --data, --data-file) parsed and validated in question
    order with the context copier has at that point, config ``[defaults]`` as copier's user
    defaults, ``ask`` for the rest on a terminal, the template's defaults otherwise. Refused
    answers and missing required ones are usage errors (all missing ones named at once)."""
    questions = session.questions(destination, defaults)
    show(questions.message_before_copy())  # where copier shows it: before the first question
    answers, missing = questions.resolve(given, ask)
    if missing:
        raise MissingAnswersError(missing)
    return answers
