"""What the commands share: the options several of them take, declared once; ``--help`` that
names arguments by the metavar a person reads (``DEST``, ``FEATURE``); shell completion
(``--install-completion``) of the values an option takes. A completion function gets what was
typed so far."""

# No ``from __future__ import annotations``: typer reads the completion functions' annotations.

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from pystarter.builtin import FRAMEWORKS, choice_values
from pystarter.errors import PystarterError, UsageError
from pystarter.recommend import NEEDS

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
DataOption = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", help="Answer to a question (repeatable).", metavar="KEY=VALUE"),
]
TrustOption = Annotated[
    bool, typer.Option("--trust", help="Allow the template's tasks, migrations, extensions.")
]
VcsRefOption = Annotated[
    str | None,
    typer.Option(
        "--vcs-ref", help="Template tag, branch or commit; default: latest tag.", metavar="REF"
    ),
]
NoInputOption = Annotated[bool, typer.Option("--no-input", help="Never prompt.")]
ProjectOption = Annotated[
    Path | None,
    typer.Option("--path", help="The project; default: this folder.", metavar="PATH"),
]
ProjectAnswersFileOption = Annotated[
    str | None,
    typer.Option(
        "--answers-file",
        help="The project's answers file; default: the one .copier-answers*.yml there.",
        metavar="FILE",
    ),
]


def one_of(value: Any, old_value: Any, name: str, old_name: str) -> Any:
    """An option given by its name or by its old spelling, kept as a hidden alias."""
    if value is not None and old_value is not None:
        raise UsageError(f"{old_name} is the old name of {name}", f"give {name} once")
    return old_value if value is None else value


class PystarterCommand(TyperCommand):
    """Arguments without typer's ``<str>``."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or param.param_type_name not in sections:
                continue
            if param.param_type_name == "argument":
                record = (param.metavar or (param.name or "").upper(), record[1])
            sections[param.param_type_name].append(record)
        for title, key in (("Arguments", "argument"), ("Options", "option")):
            if sections[key]:
                with formatter.section(title):
                    formatter.write_dl(sections[key])


def complete_framework(incomplete: str) -> list[str]:
    return [fw for fw in ("auto", *FRAMEWORKS) if fw.startswith(incomplete.lower())]


def complete_choice(question: str) -> Callable[[str], list[str]]:
    """The values a built-in choice question offers (copier.yml's), for ``--QUESTION <TAB>``."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in choice_values(question) if v.startswith(incomplete.lower())]

    return complete


def complete_need(incomplete: str) -> list[tuple[str, str]]:
    """Needs with their meaning; after a comma (``--need admin,a<TAB>``) the next one."""
    done, comma, last = incomplete.rpartition(",")
    picked = done.split(",")
    return [
        (done + comma + need.name, need.meaning)
        for need in NEEDS.values()
        if need.name.startswith(last.lower()) and need.name not in picked
    ]


def complete_template(incomplete: str) -> list[str]:
    """Names ``--template`` resolves: built-ins, registered in the config, plugins (by their
    entry point's name: nothing of theirs is imported to complete)."""
    from importlib.metadata import entry_points

    from pystarter.config import load_config
    from pystarter.sources import PLUGIN_GROUP, builtin_frameworks

    names = list(builtin_frameworks())
    with contextlib.suppress(PystarterError):  # a broken config: completion cannot say so
        names += sorted(load_config().templates)
    names += sorted(entry.name for entry in entry_points(group=PLUGIN_GROUP))
    return [name for name in dict.fromkeys(names) if name.startswith(incomplete)]
