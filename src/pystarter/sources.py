"""Where a template comes from, and what its copier.yml says before copier reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pystarter.errors import TemplateNotFoundError, UsageError
from pystarter.options import FRAMEWORKS

SourceKind = Literal["builtin", "path", "git", "registry", "plugin"]
COPIER_FILES = ("copier.yml", "copier.yaml")
#: copier.yml settings that run code or load code: custom templates need --trust for them.
UNSAFE_SETTINGS = {
    "_tasks": "tasks",
    "_migrations": "migrations",
    "_jinja_extensions": "Jinja extensions",
}


@dataclass(frozen=True)
class TemplateSource:
    source: str
    """What the user named: shown in output and JSON."""
    location: str
    """What copier is given: a local folder or a git URL."""
    kind: SourceKind
    trusted: bool
    vcs_ref: str | None = None
    framework: str | None = None


@dataclass(frozen=True)
class TemplateConfig:
    """The parts of a template's copier.yml pystarter needs before rendering."""

    questions: dict[str, dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def commands(self) -> dict[str, str]:
        block = self.settings.get("_pystarter") or {}
        commands = block.get("commands") if isinstance(block, dict) else None
        return dict(commands) if isinstance(commands, dict) else {}

    @property
    def unsafe_features(self) -> list[str]:
        return [label for key, label in UNSAFE_SETTINGS.items() if self.settings.get(key)]

    def required_keys(self, given: set[str]) -> list[str]:
        """Questions with no default that nothing answered."""
        return [
            key
            for key, question in self.questions.items()
            if key not in given
            and "default" not in question
            and question.get("when", True) not in (False, "false")
        ]


def builtin_templates_dir() -> Path:
    """Inside the wheel the templates sit in the package; in a checkout, at the repo root."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def builtin_source(framework: str) -> TemplateSource:
    path = builtin_templates_dir() / framework
    return TemplateSource(
        source=f"builtin:{framework}",
        location=str(path),
        kind="builtin",
        trusted=True,
        framework=framework,
    )


def resolve_source(
    source: str | None, framework: str, vcs_ref: str | None = None
) -> TemplateSource:
    """Turn ``--template`` (or its absence) into something copier can render."""
    if not source:
        return builtin_source(framework)
    if source in FRAMEWORKS:
        return builtin_source(source)
    path = Path(source).expanduser()
    if path.is_dir():
        return TemplateSource(source, str(path.resolve()), "path", False, vcs_ref)
    raise TemplateNotFoundError(
        f"template {source!r} is not a folder",
        "give the path of a copier template folder",
    )


@cache
def _read_copier_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.safe_load(stream) or {}
    except (OSError, yaml.YAMLError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(
            f"cannot read {path}: {first_line}", "fix the template's copier.yml"
        ) from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a mapping of questions", "fix the template's copier.yml")
    return data


def find_copier_file(root: Path) -> Path:
    for name in COPIER_FILES:
        if (root / name).is_file():
            return root / name
    raise TemplateNotFoundError(
        f"{root} has no copier.yml", "give the root folder of a copier template"
    )


def read_template_config(root: Path) -> TemplateConfig:
    data = _read_copier_yaml(find_copier_file(root))
    settings = {k: v for k, v in data.items() if k.startswith("_")}
    questions = {
        k: v if isinstance(v, dict) else {"default": v}
        for k, v in data.items()
        if not k.startswith("_")
    }
    return TemplateConfig(questions, settings)
