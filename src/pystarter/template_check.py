"""``pystarter templates check``: would this template work with ``pystarter new``?

It loads copier.yml, checks what copier itself would refuse (choices, extensions), and renders
the template at the ref ``new`` would render, with its defaults plus the ``--data`` given, into a
temporary folder. A question without a default is how copier marks it required: a note saying
which ``--data`` to pass, not a problem. Each problem is one line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter import git, render
from pystarter.errors import PystarterError, UntrustedTemplateError
from pystarter.sources import TemplateSource, checkout, resolve_source
from pystarter.template_config import TemplateConfig, read_template_config

EXTENSIONS_NEED_TRUST = (
    "uses Jinja extensions, which load code: pass --trust to let check render it"
)

NO_ANSWERS_FILE = (
    "writes no answers file ({{ _copier_conf.answers_file }}.jinja), "
    "so pystarter update cannot update its projects"
)


@dataclass
class CheckReport:
    source: str
    checked: str
    """What was read: a folder as it is, or a git ref."""
    questions: int = 0
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    """Questions without a default and without an answer: nothing was rendered."""
    exit_status: int = 1
    """When not ok: 2 for a copier.yml that cannot be read (as ``new`` refuses it), else 1."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "checked": self.checked,
            "ok": self.ok,
            "questions": self.questions,
            "files": self.files,
            "notes": self.notes,
            "problems": self.problems,
            "required": self.required,
        }


def check_template(
    source: str,
    vcs_ref: str | None = None,
    trust: bool = False,
    data: Mapping[str, Any] | None = None,
    *,
    registry: Mapping[str, Any],
) -> CheckReport:
    """Check ``source`` at the ref ``new`` would render, with its defaults plus ``data``; a
    source that cannot be found or fetched raises its usual error."""
    template = resolve_source(source, "", vcs_ref, trust, registry=registry)
    if template.is_git:
        checked = f"{template.source} at {template.vcs_ref}"
    else:
        checked = f"the files in {template.location}"
    report = CheckReport(template.source, checked)
    given = dict(data or {})
    with checkout(template) as root:
        try:
            config = read_template_config(root)
        except PystarterError as exc:  # refused before rendering, as new refuses it
            report.problems.append(exc.message)
            report.exit_status = int(exc.exit_status)
            return report
        report.questions = len(config.questions)
        report.problems += _question_problems(config)
        report.problems += _extension_problems(config)
        report.notes += _notes(template, config)
        if report.problems:
            return report
        with tempfile.TemporaryDirectory(prefix="pystarter-check-") as scratch:
            target = Path(scratch) / "project"
            answers = _answers(template, root, target, given, report)
            if answers is not None:
                _render(template, root, target, answers, report)
    return report


def _answers(
    template: TemplateSource,
    root: Path,
    target: Path,
    given: Mapping[str, Any],
    report: CheckReport,
) -> dict[str, Any] | None:
    """The answers ``new --no-input`` would render with, from the same questionnaire; None
    (and why, as a note or a problem) when it would not render."""
    try:
        answers, required = render.Questions(template, root, target, {}).resolve(given)
    except UntrustedTemplateError:
        report.problems.append(EXTENSIONS_NEED_TRUST)
        return None
    except PystarterError as exc:
        report.problems.append(exc.message)
        return None
    report.required = required
    report.notes += [f"required: pass --data {key}=..." for key in required]
    if required:
        report.notes.append("not rendered: give the required answers with -d KEY=VALUE")
        return None
    return answers


def _question_problems(config: TemplateConfig) -> list[str]:
    """What copier itself would refuse in the questionnaire, before any answer is given."""
    problems = []
    for question in config.question_list():
        if not question.name.isidentifier():
            problems.append(f"question {question.name!r}: the name is not a valid identifier")
        default = question.default
        if (
            question.choices
            and question.has_default
            and not question.multiselect
            and not (isinstance(default, str) and ("{{" in default or "{%" in default))
            and default not in [c.value for c in question.choices]
        ):
            problems.append(
                f"question {question.name!r}: default {default!r} is not one of its choices"
            )
    return problems


def _extension_problems(config: TemplateConfig) -> list[str]:
    return [
        f"Jinja extension {extension} needs the package {module!r}, which is not installed"
        for extension, module in config.missing_extension_packages()
    ]


def _notes(template: TemplateSource, config: TemplateConfig) -> list[str]:
    notes = []
    features = config.unsafe_features
    if features:
        how = "it is trusted here" if template.trusted else "new needs --trust for it"
        notes.append(f"uses {', '.join(features)}: {how}")
    if not config.commands:
        notes.append("has no _pystarter.commands block: next steps will be generic")
    return notes


def _render(
    template: TemplateSource,
    root: Path,
    target: Path,
    answers: Mapping[str, Any],
    report: CheckReport,
) -> None:
    """Render as ``copier copy --defaults`` would; tasks run only for a trusted template."""
    vcs_ref = "HEAD" if git.is_repo_root(root) else None
    try:
        files, answers_file = render.check_copy(root, target, answers, template.trusted, vcs_ref)
    except Exception as exc:  # the template's own errors surface under many types
        if render.is_untrusted_error(exc):
            report.problems.append(EXTENSIONS_NEED_TRUST)
            return
        located = render.template_error(exc, [root])
        report.problems.append(f"does not render with defaults: {located or _describe(exc)}")
        return
    report.files = files
    if not files:
        report.problems.append("renders no file with defaults")
    elif answers_file not in files:
        report.notes.append(NO_ANSWERS_FILE)


def _describe(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
