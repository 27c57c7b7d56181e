"""What a template's copier.yml says, read before copier renders it: its questions, the
settings pystarter acts on (``_pystarter.commands``, ``_skip_if_exists``, what needs trust),
and the checks that refuse a template before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pystarter.errors import (
    MissingExtensionError,
    TemplateNotFoundError,
    UntrustedTemplateError,
    UsageError,
)

COPIER_FILES = ("copier.yml", "copier.yaml")
#: copier.yml settings that run code or load code: custom templates need --trust for them.
UNSAFE_SETTINGS = {
    "_tasks": "tasks",
    "_migrations": "migrations",
    "_jinja_extensions": "Jinja extensions",
}
#: copier.yml settings that hold lists merged across YAML documents, as copier merges them.
MERGED_LIST_SETTINGS = ("_exclude", "_jinja_extensions", "_secret_questions", "_skip_if_exists")
#: copier's spelling of a boolean as text (its ``cast_to_bool``), for answers and ``when``.
TRUE_WORDS = frozenset({"y", "yes", "t", "true", "on", "1"})
FALSE_WORDS = frozenset({"", "n", "no", "f", "false", "off", "~", "null", "none", "0"})
#: Where copier records a project's answers unless the template's ``_answers_file`` says.
ANSWERS_FILE = ".copier-answers.yml"


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

    def commands_for(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """``_pystarter.commands`` rendered with the answers, before anything is written; none
        are guessed for a template that declares none."""
        declared = self.commands
        if not declared:
            return {"install": "", "run": "", "test": ""}
        return {
            key: str(render_maybe(str(value), answers) or "") for key, value in declared.items()
        }

    def skip_if_exists(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """``_skip_if_exists`` patterns, rendered with the answers as copier renders them (a
        pattern only copier can render is kept as written)."""
        patterns = self.settings.get("_skip_if_exists") or []
        if not isinstance(patterns, list):
            patterns = [patterns]
        rendered = (render_maybe(str(pattern), answers) for pattern in patterns)
        return tuple(
            str(text if text is not None else pattern)
            for pattern, text in zip(patterns, rendered, strict=True)
        )

    def answers_file(self, answers: Mapping[str, Any]) -> str:
        """Where copier writes the answers (``_answers_file``, rendered with the answers)."""
        name = self.settings.get("_answers_file") or ANSWERS_FILE
        return str(render_maybe(str(name), answers) or name)

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """Questions whose answers are never shown (``secret: true`` or ``_secret_questions``)."""
        listed = self.settings.get("_secret_questions") or []
        return tuple(
            key
            for key, spec in self.questions.items()
            if key in listed or (isinstance(spec, dict) and spec.get("secret"))
        )

    @property
    def unsafe_features(self) -> list[str]:
        return [label for key, label in UNSAFE_SETTINGS.items() if self.settings.get(key)]

    @property
    def jinja_extensions(self) -> list[str]:
        extensions = self.settings.get("_jinja_extensions") or []
        return [str(e) for e in extensions] if isinstance(extensions, list) else [str(extensions)]

    def code_to_run(self) -> list[str]:
        """What a trusted render would run or load, one line each, as copier.yml spells it."""
        lines = []
        for task in _as_list(self.settings.get("_tasks")):
            command = task.get("command", "") if isinstance(task, dict) else task
            when = f"  (when {task['when']})" if isinstance(task, dict) and "when" in task else ""
            lines.append(f"task: {_shown_command(command)}{when}")
        for migration in _as_list(self.settings.get("_migrations")):
            if not isinstance(migration, dict):
                lines.append(f"migration: {_shown_command(migration)}")
                continue
            version = f" ({migration['version']})" if "version" in migration else ""
            commands = [migration["command"]] if "command" in migration else []
            commands += _as_list(migration.get("before")) + _as_list(migration.get("after"))
            when = f"  (when {migration['when']})" if "when" in migration else ""
            lines += [f"migration{version}: {_shown_command(c)}{when}" for c in commands]
        lines += [f"Jinja extension: {name}" for name in self.jinja_extensions]
        return lines

    def check_trust(self, name: str, trusted: bool) -> None:
        """Refuse a custom template that runs or loads code, unless it is trusted."""
        features = self.unsafe_features
        if features and not trusted:
            listed = "; ".join(self.code_to_run())
            raise UntrustedTemplateError(
                f"template {name} uses {', '.join(features)}, which run code on this machine"
                + (f" ({listed})" if listed else ""),
                "pass --trust if you trust its author (or register it with --trusted)",
            )

    def check_extensions(self, name: str) -> None:
        """A Jinja extension whose package is missing: named before copier fails obscurely.
        Extensions loaded from the template's own files (``path.py:Class``) are copier's."""
        for extension, module in self.missing_extension_packages():
            if module:
                raise MissingExtensionError(
                    f"template {name} needs the Jinja extension {extension}, "
                    f"but the package {module!r} is not installed",
                    f"install it next to pystarter, e.g. pip install {module.replace('_', '-')}",
                )

    def missing_extension_packages(self) -> list[tuple[str, str]]:
        """Each ``_jinja_extensions`` entry naming a module that is not installed, with that
        module. An entry that is a file of the template (``extensions.py:Class``,
        ``helpers/ext.py:Class``, as copier-templates-extensions loads them) is the
        template's own code, not a package."""
        missing = []
        for extension in self.jinja_extensions:
            if ".py:" in extension or "/" in extension:
                continue
            module = missing_module(extension)
            if module is not None:
                missing.append((extension, module))
        return missing

    def with_defaults(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """``answers`` and, for each question they leave open, its default as copier would
        render it (left out when only copier can): what ``_pystarter.commands`` and the
        settings are rendered with."""
        complete = dict(answers)
        for question in self.question_list():
            if question.name not in complete and question.has_default:
                value = question.default_in(complete)
                if value is not None:
                    complete[question.name] = value
        return complete

    def required_keys(self, given: set[str] | Mapping[str, Any]) -> list[str]:
        """Questions copier would ask that have no default and no answer, in template order.

        ``when`` conditions are evaluated against the answers known so far; one that cannot be
        evaluated here (it uses copier-only filters) counts as false and is left to copier.
        """
        known = dict(given) if isinstance(given, Mapping) else dict.fromkeys(given, "")
        missing = []
        for key, question in self.questions.items():
            if key in known:
                continue
            if "default" in question:
                value = render_maybe(question["default"], known)
                if value is not None:
                    known[key] = value
                continue
            if condition_holds(question.get("when", True), known):
                missing.append(key)
        return missing

    def question_list(self) -> list[Question]:
        return [Question.parse(key, spec) for key, spec in self.questions.items()]


@dataclass(frozen=True)
class Choice:
    label: str
    value: Any
    validator: str | None = None
    """copier's per-choice validator: Jinja that renders to a reason when the choice is refused."""


@dataclass(frozen=True)
class Question:
    """One copier question, as copier.yml spells it (defaults and conditions unrendered)."""

    name: str
    type: str = "str"
    help: str = ""
    default: Any = None
    has_default: bool = False
    choices: tuple[Choice, ...] = ()
    when: Any = True
    secret: bool = False
    multiselect: bool = False
    validator: str | None = None

    @classmethod
    def parse(cls, name: str, spec: Mapping[str, Any]) -> Question:
        return cls(
            name=name,
            type=str(spec.get("type") or _type_of(spec.get("default"))),
            help=str(spec.get("help") or ""),
            default=spec.get("default"),
            has_default="default" in spec,
            choices=_parse_choices(spec.get("choices")),
            when=spec.get("when", True),
            secret=bool(spec.get("secret")),
            multiselect=bool(spec.get("multiselect")),
            validator=spec.get("validator"),
        )

    def default_in(self, context: Mapping[str, Any]) -> Any:
        """The default rendered with the answers so far (None when only copier can render it),
        cast to the question's type."""
        return cast_answer(self.type, render_maybe(self.default, context))

    def help_in(self, context: Mapping[str, Any]) -> str:
        return str(render_maybe(self.help, context) or "")

    def asked_in(self, context: Mapping[str, Any]) -> bool:
        return condition_holds(self.when, context)

    def problem(self, value: Any, context: Mapping[str, Any]) -> str | None:
        """What copier's validators say of ``value`` ('' or None: it is fine)."""
        scope = {**context, self.name: value}
        for choice in self.choices:
            if choice.value == value and choice.validator:
                return str(render_maybe(choice.validator, scope) or "").strip() or None
        if self.validator:
            return str(render_maybe(self.validator, scope) or "").strip() or None
        return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _shown_command(command: Any) -> str:
    """A task or migration command as the template wrote it: a string as it is, a list of
    words joined by spaces."""
    if isinstance(command, dict):
        command = command.get("command", "")
    if isinstance(command, list):
        return " ".join(str(word) for word in command)
    return str(command)


def _type_of(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return "yaml" if isinstance(default, list | dict) else "str"


def _parse_choices(raw: Any) -> tuple[Choice, ...]:
    """copier's choices: a list of values or ``[label, value]`` pairs, or a mapping of labels to
    values or to ``{value, validator}``."""
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = [(str(c[0]), c[1]) if isinstance(c, list) and len(c) == 2 else (c, c) for c in raw]
    else:
        return ()
    choices = []
    for label, value in items:
        if isinstance(value, dict) and "value" in value:
            choices.append(Choice(str(label), value["value"], value.get("validator")))
        else:
            choices.append(Choice(str(label), value))
    return tuple(choices)


def cast_answer(kind: str, value: Any) -> Any:
    """copier's casting of a typed answer given as text; a value it cannot cast is returned
    unchanged (copier reports it)."""
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    if kind == "bool" and word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        return value
    return value


def render_maybe(value: Any, context: Mapping[str, Any]) -> Any:
    """A question's default as copier would see it, or None when only copier can render it."""
    if not isinstance(value, str) or ("{{" not in value and "{%" not in value):
        return value
    try:
        return _compiled(value).render(**context)
    except Exception:  # any Jinja error: copier-only filters, undefined attributes
        return None


@cache
def _compiled(text: str) -> Any:
    """Each Jinja text compiled once: ``templates test`` renders the same few thousands of
    times."""
    return _sandbox().from_string(text)


@cache
def _sandbox() -> Any:
    """One sandboxed Jinja environment per process: answers are data, never code."""
    from jinja2.sandbox import SandboxedEnvironment

    # copier's own default filters (regex_search, to_nice_yaml...) for validators and defaults
    return SandboxedEnvironment(extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"])


def condition_holds(when: Any, context: Mapping[str, Any]) -> bool:
    if isinstance(when, bool):
        return when
    rendered = render_maybe(when, context)
    if rendered is None:
        return False
    return str(rendered).strip().lower() not in FALSE_WORDS


# --- copier.yml ----------------------------------------------------------------------------


def find_copier_file(root: Path) -> Path:
    found = [root / name for name in COPIER_FILES if (root / name).is_file()]
    if len(found) > 1:
        raise UsageError(
            f"{root} has both copier.yml and copier.yaml", "keep one of them in the template"
        )
    if not found:
        raise TemplateNotFoundError(
            f"{root} has no copier.yml", "give the root folder of a copier template"
        )
    return found[0]


def _read_copier_yaml(path: Path) -> dict[str, Any]:
    """Load copier.yml as copier does: several YAML documents and ``!include`` merged."""
    import yaml

    try:
        documents = _load_documents(path, path.parent.resolve())
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise UsageError(
            f"cannot read {path}: {_yaml_problem(exc)}", "fix the template's copier.yml"
        ) from exc
    merged: dict[str, Any] = {}
    for document in documents:
        if not isinstance(document, dict):
            raise UsageError(
                f"{path} is not a mapping of questions", "fix the template's copier.yml"
            )
        for key, value in document.items():
            if key in MERGED_LIST_SETTINGS and isinstance(value, list):
                merged[key] = [*merged.get(key, []), *value]
            else:
                merged[key] = value  # as in copier, a later document overrides
    return merged


def _load_documents(path: Path, root: Path) -> list[Any]:
    import yaml

    # libyaml's loader where PyYAML has it: the same documents as copier's SafeLoader, faster.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(safe_loader):  # type: ignore[valid-type,misc]
        """A private loader so ``!include`` does not leak into yaml.SafeLoader."""

    def include(loader: yaml.Loader, node: yaml.Node) -> list[Any]:
        pattern = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        if Path(pattern).is_absolute():
            raise ValueError(f"!include {pattern}: the path must be relative")
        included: list[Any] = []
        for match in sorted(root.glob(pattern)):
            if not match.resolve().is_relative_to(root):
                raise ValueError(f"!include {pattern}: outside the template")
            included.extend(_load_documents(match, root))
        return included

    Loader.add_constructor("!include", include)
    with path.open(encoding="utf-8") as stream:
        documents = [d for d in yaml.load_all(stream, Loader=Loader) if d is not None]
    flat: list[Any] = []
    for document in documents:
        flat.extend(document if isinstance(document, list) else [document])
    return flat


def _yaml_problem(exc: BaseException) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return (
        f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        if not isinstance(exc, OSError)
        else str(exc.strerror or exc)
    )


def read_template_config(root: Path) -> TemplateConfig:
    if root.is_dir() and not any((root / name).exists() for name in COPIER_FILES):
        return TemplateConfig({}, {})  # copier renders a folder without copier.yml as it is
    data = _read_copier_yaml(find_copier_file(root))
    settings = {k: v for k, v in data.items() if str(k).startswith("_")}
    questions = {
        str(k): v if isinstance(v, dict) else {"default": v}
        for k, v in data.items()
        if not str(k).startswith("_")
    }
    return TemplateConfig(questions, settings)


# --- rules before rendering ----------------------------------------------------------------


def missing_module(dotted: str) -> str | None:
    """The top-level module of ``pkg.mod.Attr`` when it cannot be imported, else None."""
    import importlib.util

    top = dotted.split(".")[0].split(":")[0]
    try:
        return None if importlib.util.find_spec(top) is not None else top
    except (ImportError, ValueError):
        return top
