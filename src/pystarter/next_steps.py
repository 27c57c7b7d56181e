"""``new``'s outcome: what was made, what a person types next, and the one ``pystarter new``
line that makes the same project again (shown after a wizard run)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pystarter import options
from pystarter.options import FLAGS, flag_words
from pystarter.recommend import FRAMEWORK_TITLES

if TYPE_CHECKING:
    from pystarter.create import NewProjectResult
    from pystarter.recommend import Recommendation
    from pystarter.sources import TemplateSource


@dataclass
class NewOutcome:
    """What ``new`` made and what to type next: printed by the CLI, or given as JSON."""

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
            "tasks": self.result.tasks,
        }


#: The last step of what ``uv sync`` does, for a machine without uv (pip 25.1 reads dependency
#: groups).
PIP_INSTALLED = ".venv/bin/python -m pip install -q -e . --group dev"


def pip_install(python: str = "python3") -> str:
    """``uv sync`` without uv: a venv made by ``python``, then pip."""
    return (
        f"{python} -m venv .venv && .venv/bin/python -m pip install -q --upgrade 'pip>=25.1' "
        f"&& {PIP_INSTALLED}"
    )


def for_this_machine(
    commands: Mapping[str, str], uv: bool, python: str = "python3"
) -> dict[str, str]:
    """The template's commands as they run here: as written when uv is there, else ``uv sync``
    becomes a venv made by ``python`` and pip, and ``uv run TOOL`` the venv's own
    ``.venv/bin/TOOL``."""
    if uv:
        return dict(commands)
    adapted = {}
    for key, command in commands.items():
        parts = []
        for part in command.split(" && "):
            if part == "uv sync":
                part = pip_install(python)
            elif part.startswith("uv run "):
                part = ".venv/bin/" + part.removeprefix("uv run ")
            parts.append(part)
        adapted[key] = " && ".join(parts)
    return adapted


def next_steps(destination: Path, commands: Mapping[str, str], installed: bool) -> list[str]:
    """``cd`` (unless DEST is here), then install (what the install did not do), run, test."""
    shown = display_path(destination)
    steps = [] if shown == "." else [f"cd {shlex.quote(shown)}"]
    for key in ("install", "run", "test"):
        command = commands.get(key, "")
        if key == "install" and installed:  # what is left after uv sync or pip
            before, pip, after = command.removeprefix("uv sync").partition(PIP_INSTALLED)
            command = (after if pip else before).removeprefix(" && ")
        if command:
            steps.append(command)
    return steps


def display_path(path: Path) -> str:
    """DEST as a path a person types: relative to here when it is below, ``./-x`` for a name
    that a command would read as an option."""
    try:
        shown = str(path.absolute().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)
    return f"./{shown}" if shown.startswith("-") else shown


def reproduce_command(
    destination: Path,
    framework: str | None,
    template: TemplateSource,
    answers: Mapping[str, Any],
    needs: tuple[str, ...],
    switches: Mapping[str, Any],
    secret_keys: tuple[str, ...] = (),
    recommendation: Recommendation | None = None,
) -> str:
    """The one ``pystarter new ... --no-input`` line that makes the same project: the same
    needs (so the same recommendation is recorded), template, ref, trust and answers; never a
    secret."""
    words = ["pystarter", "new", display_path(destination)]
    needs = recommendation.needs if recommendation else needs
    for need in needs:
        words += ["--need", need]
    if template.kind == "builtin":
        if recommendation is None or recommendation.framework != framework:
            words += ["--framework", str(framework)]
        for key in FLAGS:
            if key in answers and (
                key not in options.OPTIONS_BY_KEY
                or options.OPTIONS_BY_KEY[key].offered_for(str(framework))
            ):
                words += flag_words(key, answers[key])
    else:
        words += ["--template", template.source]
        if switches.get("vcs_ref"):
            words += ["--vcs-ref", str(switches["vcs_ref"])]
        if switches.get("trust"):  # given, or granted in the wizard after seeing the code
            words.append("--trust")
        words += [
            f"--data={k}={json.dumps(v) if isinstance(v, list | dict) else v}"
            for k, v in answers.items()
            if k not in secret_keys
        ]
    words += ["--git" if switches.get("git") else "--no-git"]
    words += ["--install" if switches.get("install") else "--no-install", "--no-input"]
    return shlex.join(words)
