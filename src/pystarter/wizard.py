"""The interactive questions of ``pystarter new`` and ``pystarter recommend``. The only module
that asks: it runs only on a TTY, skips every question a flag already answered, and offers
only the choices the option rules allow. Ctrl-C raises KeyboardInterrupt (exit 130).
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import questionary

from pystarter.answers import PYTHON_VERSIONS, layer, running_python
from pystarter.names import derive_names
from pystarter.options import OPTIONS, allowed_choices
from pystarter.recommend import FRAMEWORK_TITLES, NEEDS, Recommendation, recommend

if TYPE_CHECKING:
    from pystarter.engine import NewProjectRequest

STYLE = questionary.Style(
    [("qmark", "fg:ansigreen bold"), ("highlighted", "bold"), ("pointer", "fg:ansigreen bold")]
)


_warming = threading.Event()
#: What comes after the first question (the recommendation panel, the summary table, the
#: render), loaded while the user reads it.
WARM_MODULES = (
    "pystarter.display",
    "rich.console",
    "pystarter.config",
    "pystarter.engine",
    "pystarter.direct_render",
    "jinja2.sandbox",
    "jinja2_ansible_filters",
    "yaml",
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

    threading.Thread(target=load, name="warm-renderer", daemon=True).start()


def _ask(question: questionary.Question) -> Any:
    """Ask; Ctrl-C (the key or a real SIGINT) raises KeyboardInterrupt.

    ``unsafe_ask`` lets prompt_toolkit take SIGINT and then hangs on a signal sent by kill."""
    question.application.after_render += _warm_renderer
    return question.application.run(handle_sigint=False)


def ask_needs() -> tuple[str, ...]:
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
    def __init__(self, console: Any = None) -> None:
        self._console = console

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(highlight=False)
        return self._console

    def choose_framework(self) -> tuple[str, Recommendation]:
        needs = ask_needs()
        rec = recommend(needs)
        return self.accept_recommendation(rec), rec

    def accept_recommendation(self, rec: Recommendation) -> str:
        from pystarter.display import recommendation_panel

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

    def ask_project_name(self) -> str:
        """Asked first when no DEST was given: the folder is named after it."""
        return self._text("Project name", "my-project", _name_problem)

    def ask_options(
        self,
        framework: str,
        given: Mapping[str, Any],
        needs: tuple[str, ...],
        lower: tuple[Mapping[str, Any], ...],
        destination: Path,
    ) -> dict[str, Any]:
        """Ask what the flags left open; return ``given`` completed with the answers."""
        answers = dict(given)
        defaults = layer(*lower)
        if "project_name" not in answers:
            answers["project_name"] = self._text(
                "Project name", destination.absolute().name, _name_problem
            )
        for key, label in (
            ("description", "Description"),
            ("author_name", "Author"),
            ("author_email", "Email"),
        ):
            if key not in answers:
                answers[key] = self._text(label, str(defaults.get(key, "")))
        if "python_version" not in answers:
            current = running_python()
            answers["python_version"] = _ask(
                questionary.select(
                    "Python version",
                    choices=list(PYTHON_VERSIONS),
                    default=current if current in PYTHON_VERSIONS else PYTHON_VERSIONS[0],
                    style=STYLE,
                )
            )
        for option in OPTIONS:
            if option.key in answers or not option.offered_for(framework):
                continue
            allowed = allowed_choices(option.key, framework, answers)
            default = defaults.get(option.key, option.default_for(framework))
            if option.key == "use_rest_api" and "rest-api" in needs:
                default = True
            if default not in allowed:
                default = allowed[0]
            if len(allowed) == 1:
                answers[option.key] = allowed[0]
            elif isinstance(option.default, bool):
                answers[option.key] = _ask(
                    questionary.confirm(
                        f"{option.label}? ({option.help})", default=bool(default), style=STYLE
                    )
                )
            else:
                answers[option.key] = _ask(
                    questionary.select(
                        option.label,
                        choices=[str(c) for c in allowed],
                        default=str(default),
                        style=STYLE,
                    )
                )
        return answers

    def ask_install(self) -> bool:
        return _ask(
            questionary.confirm(
                "Create .venv and install the dependencies now?", default=True, style=STYLE
            )
        )

    def confirm(self, request: NewProjectRequest, framework: str | None) -> bool:
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_row("folder", Text(str(request.destination)))
        template = FRAMEWORK_TITLES.get(framework or "", request.template.source)
        table.add_row("template", Text(template))
        for key, value in request.answers.items():
            if key != "secret_key":
                table.add_row(Text(key), Text(str(value)))  # answers are text, never markup
        self.console.print(table)
        return _ask(questionary.confirm("Create this project?", default=True, style=STYLE))

    def _text(self, label: str, default: str, problem: Any = None) -> str:
        return _ask(
            questionary.text(
                label,
                default=default,
                validate=(lambda text: problem(text) or True) if problem else None,
                style=STYLE,
            )
        )


def _name_problem(text: str) -> str | None:
    from pystarter.errors import InvalidNameError

    try:
        derive_names(text)
    except InvalidNameError as exc:
        return exc.one_line()
    return None
