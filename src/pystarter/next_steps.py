"""What a person types after ``new``: the next steps, and the one ``pystarter new`` line that
makes the same project again (shown after a wizard run)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pystarter.options import FLAGS, OPTIONS_BY_KEY, flag_words

if TYPE_CHECKING:
    from pystarter.recommend import Recommendation
    from pystarter.sources import TemplateSource


def next_steps(destination: Path, commands: Mapping[str, str], installed: bool) -> list[str]:
    shown = display_path(destination)
    steps = [] if shown == "." else [f"cd {shlex.quote(shown)}"]
    for key in ("install", "run", "test"):
        if commands.get(key) and not (
            key == "install" and installed and commands[key] == "uv sync"
        ):
            steps.append(commands[key])
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
                key not in OPTIONS_BY_KEY or OPTIONS_BY_KEY[key].offered_for(str(framework))
            ):
                words += flag_words(key, answers[key])
    else:
        words += ["--template", template.source]
        if switches.get("vcs_ref"):
            words += ["--vcs-ref", str(switches["vcs_ref"])]
        if template.trusted and switches.get("trust"):
            words.append("--trust")
        words += [
            f"--data={k}={json.dumps(v) if isinstance(v, list | dict) else v}"
            for k, v in answers.items()
            if k not in secret_keys
        ]
    words += ["--git" if switches.get("git") else "--no-git"]
    words += ["--install" if switches.get("install") else "--no-install", "--no-input"]
    return shlex.join(words)
