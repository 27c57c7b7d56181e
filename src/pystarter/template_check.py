"""``pystarter templates check``: would this template work with ``pystarter new``?

It loads copier.yml, checks that every question has a default or says ``required: true``, that
its Jinja extensions are installed, and renders it with defaults into a temporary folder.
A local folder is checked as it is on disk (uncommitted edits included); anything else at the
ref ``new`` would render. Each problem is one line; notes are things worth knowing that do not
stop a render.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pystarter import git, render
from pystarter.errors import PystarterError
from pystarter.sources import TemplateSource, checkout, resolve_source
from pystarter.template_config import TemplateConfig, missing_module, read_template_config

PLACEHOLDERS: dict[str, Any] = {"str": "example", "int": 1, "float": 1.0, "bool": False}


@dataclass
class CheckReport:
    source: str
    checked: str
    """What was read: a folder as it is, or a git ref."""
    questions: int = 0
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

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
        }


def check_template(source: str, vcs_ref: str | None = None, trust: bool = False) -> CheckReport:
    """Check ``source``; a source that cannot be found or fetched raises its usual error."""
    template = resolve_source(source, "", vcs_ref, trust)
    working_tree = (
        template.kind == "git"
        and vcs_ref is None
        and template.git_url is not None
        and Path(template.git_url).is_dir()
    )
    if working_tree:
        template = replace(template, kind="path", vcs_ref=None, git_url=None)
        checked = f"the files in {template.location}, uncommitted edits included"
    elif template.is_git:
        checked = f"{template.source} at {template.vcs_ref}"
    else:
        checked = f"the files in {template.location}"
    report = CheckReport(template.source, checked)
    with checkout(template) as root:
        try:
            config = read_template_config(root)
        except PystarterError as exc:
            report.problems.append(exc.message)
            return report
        report.questions = len(config.questions)
        report.problems += _question_problems(config)
        report.problems += _extension_problems(config)
        report.notes += _notes(template, config, root)
        if not any("Jinja extension" in p for p in report.problems):
            _render_with_defaults(template, config, root, report)
    return report


def _question_problems(config: TemplateConfig) -> list[str]:
    problems = []
    for key, question in config.questions.items():
        if not key.isidentifier():
            problems.append(f"question {key!r}: the name is not a valid identifier")
        if "default" not in question and not question.get("required"):
            problems.append(
                f"question {key!r} has no default: give it one, or mark it required: true "
                "so people know to pass --data"
            )
        choices = question.get("choices")
        default = question.get("default")
        if (
            isinstance(choices, list)
            and choices
            and "default" in question
            and not (isinstance(default, str) and "{{" in default)
            and default not in _choice_values(choices)
        ):
            problems.append(f"question {key!r}: default {default!r} is not one of its choices")
    return problems


def _choice_values(choices: list[Any]) -> list[Any]:
    """copier's choices are plain values or ``[label, value]`` pairs."""
    return [c[1] if isinstance(c, list) and len(c) == 2 else c for c in choices]


def _extension_problems(config: TemplateConfig) -> list[str]:
    problems = []
    for extension in config.jinja_extensions:
        module = missing_module(extension)
        if module is not None:
            problems.append(
                f"Jinja extension {extension} needs the package {module!r}, which is not installed"
            )
    return problems


def _notes(template: TemplateSource, config: TemplateConfig, root: Path) -> list[str]:
    notes = []
    features = config.unsafe_features
    if features:
        how = "it is trusted here" if template.trusted else "new needs --trust for it"
        notes.append(f"uses {', '.join(features)}: {how}")
    if not any("answers_file" in p.name or "copier-answers" in p.name for p in root.rglob("*")):
        notes.append(
            "writes no answers file ({{ _copier_conf.answers_file }}.jinja), "
            "so pystarter update cannot update its projects"
        )
    if not config.commands:
        notes.append("has no _pystarter.commands block: next steps will be generic")
    return notes


def _placeholder(question: dict[str, Any]) -> Any:
    choices = question.get("choices")
    if isinstance(choices, list) and choices:
        return _choice_values(choices)[0]
    return PLACEHOLDERS.get(str(question.get("type", "str")), "example")


def _render_with_defaults(
    template: TemplateSource, config: TemplateConfig, root: Path, report: CheckReport
) -> None:
    """Render as copier would with ``--defaults``; tasks run only for a trusted template."""
    data = {k: _placeholder(q) for k, q in config.questions.items() if "default" not in q}
    with tempfile.TemporaryDirectory(prefix="pystarter-check-") as scratch:
        target = Path(scratch) / "project"
        vcs_ref = "HEAD" if git.is_repo_root(root) else None
        try:
            render.check_copy(root, target, data, template.trusted, vcs_ref)
        except Exception as exc:  # the template's own errors surface under many types
            if render.is_untrusted_error(exc):
                report.problems.append(
                    "uses Jinja extensions, which load code: pass --trust to let check render it"
                )
                return
            report.problems.append(f"does not render with defaults: {_describe(exc)}")
            return
        report.files = sorted(
            p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()
        )
    if not report.files:
        report.problems.append("renders no file with defaults")


def _describe(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
