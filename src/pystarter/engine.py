"""``new``'s work once the answers are settled: render into a staging folder, place it in
DEST, record pystarter's extras, make the first commit, install. No terminal I/O: callers get
plain results and :mod:`pystarter.errors` exceptions, and may pass ``on_step`` to hear which
step runs. Whatever fails or is interrupted, DEST is left as it was found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter import git, render
from pystarter.answers import check_text_answers
from pystarter.destination import check_destination
from pystarter.errors import InstallError
from pystarter.placement import (
    Placement,
    kept_files,
    list_files,
    signals_deferred,
    staging_area,
    workspace_for,
    write_error,
)
from pystarter.sources import TemplateSource

StepCallback = Callable[[str], None]
ANSWERS_FILE = ".copier-answers.yml"
FIRST_COMMIT_SUBJECT = "Initial commit from pystarter"


@dataclass(frozen=True)
class NewProjectRequest:
    template: TemplateSource
    destination: Path
    answers: Mapping[str, Any]
    force: bool = False
    dry_run: bool = False
    git: bool = True
    install: bool = False
    record: Mapping[str, Any] = field(default_factory=dict)
    """Extra keys saved in the answers file (the recommendation), prefixed with ``_pystarter_``."""
    keep_existing: tuple[str, ...] = ()
    """The template's ``_skip_if_exists`` patterns: a matching file already in DEST is kept."""


@dataclass
class NewProjectResult:
    destination: Path
    files: list[str]
    git_commit: str | None = None
    notes: list[str] = field(default_factory=list)
    """Things the user should know that are not errors (fallback git identity, git missing)."""
    installed_with: str | None = None


def _quiet(_: str) -> None:
    pass


def new_project(request: NewProjectRequest, on_step: StepCallback = _quiet) -> NewProjectResult:
    destination = request.destination.absolute()
    check_text_answers(request.answers)
    check_destination(destination, request.force)
    workspace = workspace_for(destination)
    with staging_area(workspace) as staging:
        on_step("rendering")
        rendered = staging / "project"
        try:
            render.copy(request.template, rendered, request.answers)
            if request.record:
                _record_in_answers_file(rendered, request.record)
        except OSError as exc:
            raise write_error(exc, workspace) from exc
        rendered_files = list_files(rendered)
        kept = kept_files(destination, rendered_files, request.keep_existing)
        files = [f for f in rendered_files if f not in kept]
        result = NewProjectResult(destination, files)
        if kept:
            result.notes.append(
                f"kept the {', '.join(kept)} already there (the template never overwrites it)"
            )
        if request.dry_run:
            return result
        placement = Placement(rendered, destination, staging / "backup")
        placement.check(files)
        try:
            try:
                placement.apply(files)
            except OSError as exc:
                raise write_error(exc, destination.parent) from exc
            if request.git:
                on_step("git")
                placement.track(destination / ".git")
                inside = [staging.name] if staging.parent == destination else []
                result.git_commit = git.first_commit(
                    destination, FIRST_COMMIT_SUBJECT, result.notes, inside
                )
            if request.install:
                on_step("installing")
                placement.track(destination / ".venv")
                result.installed_with = install_project(destination)
        except BaseException:
            with signals_deferred():
                placement.undo()
            raise
        return result


def _record_in_answers_file(rendered: Path, record: Mapping[str, Any]) -> None:
    answers_file = rendered / ANSWERS_FILE
    if not answers_file.is_file():
        return
    import yaml

    extra = {f"_pystarter_{key}": value for key, value in record.items()}
    with answers_file.open("a", encoding="utf-8") as stream:
        yaml.safe_dump(extra, stream, sort_keys=False, allow_unicode=True)


def install_project(destination: Path) -> str:
    """Create ``.venv`` and install the project with its dev dependencies; returns the tool used."""
    hint = "check the network and the package index, or pass --no-install and install later"
    uv = shutil.which("uv")
    if uv:
        _run_installer([uv, "sync", "--quiet"], destination, "uv sync", hint)
        return "uv"
    venv_python = destination / ".venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run_installer([sys.executable, "-m", "venv", ".venv"], destination, "python -m venv", hint)
    pip = [str(venv_python), "-m", "pip", "--disable-pip-version-check", "-q", "install"]
    _run_installer([*pip, "--upgrade", "pip>=25.1"], destination, "pip upgrade", hint)
    _run_installer([*pip, "-e", ".", "--group", "dev"], destination, "pip install", hint)
    return "pip"


def _run_installer(args: list[str], cwd: Path, what: str, hint: str) -> None:
    try:
        completed = subprocess.run(
            args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
    except OSError as exc:
        raise InstallError(f"{what} failed: {exc.strerror or exc}", hint) from exc
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()
        detail = output[-1] if output else f"exit code {completed.returncode}"
        raise InstallError(f"{what} failed: {detail}", hint)
