"""The interactive questions of ``pystarter new`` and ``pystarter recommend``: the only module
that asks. It asks from a :class:`~pystarter.questionnaire.Questionnaire` (copier.yml's questions
with pystarter's defaults, rules and checks), skips what flags answered, and offers only the
choices the rules allow. Ctrl-C raises KeyboardInterrupt (exit 130).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import questionary

from pystarter.options import COMPUTED, FLAGS
from pystarter.output import is_tty, recommendation_panel
from pystarter.questionnaire import Prompt, Questionnaire
from pystarter.recommend import FRAMEWORK_TITLES, NEEDS, Recommendation, recommend
from pystarter.template_config import Question, TemplateConfig, cast_answer

STYLE = questionary.Style(
    [("qmark", "fg:ansigreen bold"), ("highlighted", "bold"), ("pointer", "fg:ansigreen bold")]
)


_warming = threading.Event()
#: What comes after the first question (the recommendation panel, the summary table, the
#: render), loaded while the user reads it.
WARM_MODULES = (
    "pystarter.output",
    "rich.console",
    "pystarter.config",
    "pystarter.create",
    "pystarter.options",  # and its table of options, below
    "copier",
    "secrets",
)


def _warm_renderer(*_: object) -> None:
    """Import what rendering needs while the user reads the first question, so it starts at
    once. Started once the first question is drawn, so the imports do not delay drawing it."""
    if _warming.is_set():
        return
    _warming.set()

    def load() -> None:
        for name in WARM_MODULES:
            with contextlib.suppress(Exception):  # rendering reports a broken import properly
                importlib.import_module(name)
        with contextlib.suppress(Exception):
            importlib.import_module("pystarter.options").OPTIONS  # noqa: B018 (read copier.yml)

    threading.Thread(target=load, name="warm-renderer", daemon=True).start()


def _ask(question: questionary.Question) -> Any:
    """Ask; Ctrl-C (the key or a real SIGINT) raises KeyboardInterrupt.

    ``unsafe_ask`` lets prompt_toolkit take SIGINT and then hangs on a signal sent by kill."""
    question.application.after_render += _warm_renderer
    _wrap_validation_errors(question.application)
    return question.application.run(handle_sigint=False)


def _wrap_validation_errors(application: Any) -> None:
    """prompt_toolkit shows why a typed answer is refused on one line, cut off at the
    terminal's width (its toolbar's window is one row high): let it wrap instead."""
    from prompt_toolkit.filters import has_validation_error, to_filter
    from prompt_toolkit.layout import ConditionalContainer, Window, walk

    for container in walk(application.layout.container):
        toolbar = getattr(container, "content", None)
        if (
            isinstance(container, ConditionalContainer)
            and container.filter is has_validation_error
            and isinstance(toolbar, Window)
        ):
            toolbar.height = None
            toolbar.wrap_lines = to_filter(True)
            toolbar.dont_extend_height = to_filter(True)


#: The prompt_toolkit session that sends the questions to stderr, once it is made.
_TERMINAL: list[Any] = []


def asks_on_stderr() -> bool:
    """With stdout piped (``pystarter new | tee log``, ``> out.txt``) the questions, the
    panels and the summary go to stderr, the terminal, instead of into the pipe where nobody
    sees them: true when that is so."""
    if is_tty(sys.stdout) or not is_tty(sys.stderr):
        return False
    if not _TERMINAL:
        from prompt_toolkit.application import create_app_session
        from prompt_toolkit.output import create_output

        session = create_app_session(output=create_output(stdout=sys.stderr))
        session.__enter__()  # for the rest of the run: every question is made inside it
        _TERMINAL.append(session)
    return True


def ask_needs() -> tuple[str, ...]:
    asks_on_stderr()
    choices = [
        questionary.Choice(f"{need.name:<13} {need.meaning}", value=need.name)
        for need in NEEDS.values()
    ]
    picked = _ask(
        questionary.checkbox(
            "What are you building? Pick what applies (space to select, enter to go on)",
            choices=choices,
            style=STYLE,
        )
    )
    return tuple(picked or ())


class Wizard:
    """Asks on the terminal; the CLI hands one to :func:`pystarter.new.run_new`."""

    def __init__(self, console: Any = None) -> None:
        self._console = console
        self._stderr = asks_on_stderr()

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(highlight=False, stderr=self._stderr)
        return self._console

    def choose_framework(self) -> tuple[str, Recommendation | None]:
        """From the needs picked; with none picked there is nothing to recommend from, so
        the framework is asked for directly."""
        needs = ask_needs()
        if not needs:
            choices = [
                questionary.Choice(title, value=fw) for fw, title in FRAMEWORK_TITLES.items()
            ]
            return _ask(questionary.select("Framework", choices=choices, style=STYLE)), None
        rec = recommend(needs)
        return self.accept_recommendation(rec), rec

    def accept_recommendation(self, rec: Recommendation) -> str:
        self.console.print(recommendation_panel(rec))
        ordered = [rec.framework] + [
            fw for fw in ("django", "flask", "fastapi") if fw != rec.framework
        ]
        choices = [
            questionary.Choice(
                f"{FRAMEWORK_TITLES[fw]}{' (recommended)' if fw == rec.framework else ''}", value=fw
            )
            for fw in ordered
        ]
        return _ask(
            questionary.select("Framework", choices=choices, default=choices[0], style=STYLE)
        )

    def ask_project_name(self, problem: Callable[[Any], str | None]) -> str:
        """Asked first when no DEST was given: the folder is named after it."""
        return _ask(
            questionary.text(
                "Project name",
                default="my-project",
                validate=lambda text: problem(text) or True,
                style=STYLE,
            )
        )

    def ask(self, questionnaire: Questionnaire, given: Mapping[str, Any]) -> dict[str, Any]:
        """Ask every question ``given`` leaves open, in copier.yml's order; return all answers."""
        answers = dict(given)
        while (question := questionnaire.to_ask(answers)) is not None:
            answers[question.name] = self._ask_one(questionnaire, question, answers)
        return answers

    def ask_question(self, prompt: Prompt) -> Any:
        """One question of a custom template, as copier's questionnaire renders it at this point
        (text, help, choices and default with the answers so far); a typed answer that does not
        cast or validate is refused on the spot, as copier does."""
        message = prompt.message.rstrip()
        if prompt.type == "bool" and not prompt.choices:
            # copier offers No for a bool without a default
            return _ask(questionary.confirm(message, default=bool(prompt.default), style=STYLE))

        def validate(value: Any) -> bool | str:
            try:
                prompt.check(value)
            except Exception as exc:  # copier's reason, or "Invalid input" as copier says
                return str(exc) if isinstance(exc, ValueError) and str(exc) else "Invalid input"
            return True

        if prompt.choices:
            items = [
                questionary.Choice(c.label, value=c.value, disabled=c.disabled or None)
                for c in prompt.choices
            ]
            if prompt.multiselect:
                picked = prompt.default if isinstance(prompt.default, list) else []
                for item in items:
                    item.checked = item.value in picked
                chosen = _ask(
                    questionary.checkbox(message, choices=items, validate=validate, style=STYLE)
                )
                return prompt.check(chosen)
            selected = next(
                (i for i in items if i.value == prompt.default and not i.disabled), None
            )
            answer = _ask(questionary.select(message, choices=items, default=selected, style=STYLE))
            return prompt.check(answer)
        ask_text = questionary.password if prompt.secret else questionary.text
        extra: dict[str, Any] = {"multiline": True} if prompt.multiline else {}
        if prompt.placeholder:
            from prompt_toolkit.formatted_text import FormattedText

            extra["placeholder"] = FormattedText([("fg:ansibrightblack", prompt.placeholder)])
        text = _ask(
            ask_text(
                message,
                default=_shown_default(prompt),
                validate=validate,
                style=STYLE,
                **extra,
            )
        )
        return prompt.check(text)

    def ask_install(self) -> bool:
        return _ask(
            questionary.confirm(
                "Create .venv and install the dependencies now?", default=True, style=STYLE
            )
        )

    def confirm(
        self, destination: Path, template: str, answers: Mapping[str, Any], config: TemplateConfig
    ) -> bool:
        """The summary of what will be made, then: create it?"""
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(overflow="fold")  # a narrow terminal wraps a long value, never cuts it
        table.add_column(overflow="fold")
        for label, value in summary_rows(destination, template, answers, config):
            table.add_row(Text(label), Text(value))  # answers are text, never markup
        self.console.print(table)
        return _ask(questionary.confirm("Create this project?", default=True, style=STYLE))

    def confirm_trust(self, template: str, code: list[str]) -> bool:
        """Show exactly what the template would run, then ask."""
        from rich.text import Text

        self.console.print(Text(f"Template {template} runs code on this machine:"))
        for line in code:
            self.console.print(Text(f"  {line}"))
        return _ask(
            questionary.confirm("Trust this template and run it?", default=False, style=STYLE)
        )

    def _ask_one(
        self, questionnaire: Questionnaire, question: Question, answers: Mapping[str, Any]
    ) -> Any:
        label = questionnaire.label(question)
        default = questionnaire.default(question, answers)
        choices = questionnaire.choices(question, answers)
        if len(choices) == 1 and not question.multiselect:
            return choices[0].value

        def validate(value: Any) -> bool | str:
            return questionnaire.problem(question, value, answers) or True

        if question.type == "bool" and not question.choices:
            help_text = questionnaire.help(question, answers)
            shown_help = f" ({help_text})" if help_text and help_text != label else ""
            asked = label if label.rstrip().endswith("?") else f"{label}?"
            return _ask(
                questionary.confirm(f"{asked}{shown_help}", default=bool(default), style=STYLE)
            )
        if choices:
            items = [questionary.Choice(c.label, value=c.value) for c in choices]
            if question.multiselect:
                picked = default if isinstance(default, list) else []
                for item in items:
                    item.checked = item.value in picked
                return _ask(
                    questionary.checkbox(label, choices=items, validate=validate, style=STYLE)
                )
            selected = next((item for item in items if item.value == default), items[0])
            return _ask(questionary.select(label, choices=items, default=selected, style=STYLE))
        ask_text = questionary.password if question.secret else questionary.text
        text = _ask(
            ask_text(
                label,
                default="" if default is None else str(default),
                validate=lambda text: validate(cast_answer(question.type, text)),
                style=STYLE,
            )
        )
        return cast_answer(question.type, text)


def _shown_default(prompt: Prompt) -> str:
    """The default as copier shows it in a text prompt (YAML and JSON dumped)."""
    value = prompt.default
    if value is None:
        return ""
    if prompt.type == "json":
        import json

        return json.dumps(value)
    if prompt.type == "yaml" and not isinstance(value, str):
        import yaml

        return str(yaml.safe_dump(value, default_flow_style=True, width=2147483647)).strip()
    return str(value)


def summary_rows(
    destination: Path, template: str, answers: Mapping[str, Any], config: TemplateConfig
) -> list[tuple[str, str]]:
    """What the wizard shows before it creates anything: human labels, in question order."""
    rows = [
        ("Folder", str(destination.absolute())),
        ("Template", template),
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
        answers.items(),
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
