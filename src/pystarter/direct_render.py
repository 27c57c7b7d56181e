"""Render pystarter's own templates with Jinja directly, as copier would, without copier.

Why: copier 9.19 spends most of a built-in render outside Jinja. Importing it loads pydantic,
plumbum, questionary and prompt_toolkit; it renders the answers-file path again for every file
and runs ``git config core.fileMode`` once per written file. The built-in templates use a
small, fixed part of copier (:data:`SUPPORTED_SETTINGS`, :data:`SUPPORTED_QUESTION_KEYS`);
this module renders that part with the Jinja environment copier builds.
tests/test_direct_render.py proves the result equal to copier's, file for file, byte for byte
and mode for mode, for every option set the suite renders. A template that needs anything more
goes to copier (:func:`unsupported_reason`, :class:`NeedsCopier`), and so does every template
that is not a built-in.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from pathlib import Path, PurePath
from typing import Any

from pystarter.errors import MissingAnswersError, RenderError, UnsafePathError
from pystarter.sources import TemplateConfig

#: copier.yml settings this renderer honours; any other ``_`` key sends the template to copier.
SUPPORTED_SETTINGS = frozenset(
    {"_min_copier_version", "_subdirectory", "_answers_file", "_skip_if_exists", "_pystarter"}
)
SUPPORTED_QUESTION_KEYS = frozenset({"type", "help", "default", "choices", "when"})
SUPPORTED_TYPES = frozenset({"str", "bool", "int", "float"})
TEMPLATES_SUFFIX = ".jinja"
DEFAULT_ANSWERS_FILE = ".copier-answers.yml"
_TRUE_WORDS = frozenset({"y", "yes", "t", "true", "on"})
_FALSE_WORDS = frozenset({"n", "no", "f", "false", "off", "~", "null", "none"})
_MISSING = object()
_SCALARS = (str, int, float, bool)
_CHOICE_KEYS = frozenset({"value", "validator"})


def unsupported_reason(root: Path, config: TemplateConfig) -> str | None:
    """Why copier must render this template, or None when this module renders it the same."""
    extra = sorted(set(config.settings) - SUPPORTED_SETTINGS)
    if extra:
        return f"settings {', '.join(extra)}"
    if not config.settings.get("_subdirectory"):
        return "no _subdirectory (copier's default exclusions apply)"
    if (root / ".git").exists():
        return "a git repository (copier records its commit)"
    for key, question in config.questions.items():
        keys = set(question) - SUPPORTED_QUESTION_KEYS
        if keys:
            return f"question {key} uses {', '.join(sorted(keys))}"
        if question.get("type", _type_of(question.get("default"))) not in SUPPORTED_TYPES:
            return f"question {key} has type {question.get('type')}"
        if not _plain_choices(question.get("choices", [])):
            return f"question {key} has choices this module does not read"
    return None


def _plain_choices(choices: Any) -> bool:
    """A list of values or of [name, value] pairs, or a mapping of names to values or to
    ``{value, validator}`` (a choice shown but refused when its validator says why)."""
    if isinstance(choices, dict):
        return all(
            isinstance(v, _SCALARS)
            or (isinstance(v, dict) and "value" in v and set(v) <= _CHOICE_KEYS)
            for v in choices.values()
        )
    return isinstance(choices, list) and all(
        isinstance(c, _SCALARS)
        or (isinstance(c, list) and len(c) == 2 and isinstance(c[1], _SCALARS))
        for c in choices
    )


class NeedsCopier(Exception):
    """Raised mid-render when a template uses a part of copier's context this module lacks."""


class _CopierConf(dict):  # type: ignore[type-arg]
    """``_copier_conf``: the keys the built-ins use; asking for another one means copier."""


def _undefined_class() -> type:
    """copier's ``jinja2.Undefined`` (an unknown name renders empty), except for the names
    copier itself defines (they start with ``_``) and ``_copier_conf`` keys this module does
    not fill in: those raise :class:`NeedsCopier`, so copier renders them."""
    from jinja2 import Undefined
    from jinja2.utils import missing

    class CopierOnlyUndefined(Undefined):
        def __init__(self, hint: Any = None, obj: Any = missing, name: Any = None, **kw: Any):
            if isinstance(obj, _CopierConf) or (
                obj is missing and isinstance(name, str) and name.startswith("_")
            ):
                raise NeedsCopier(f"the template uses {name}, which only copier provides")
            super().__init__(hint, obj, name, **kw)

    return CopierOnlyUndefined


def _type_of(default: Any) -> str:
    """copier's rule: a question without ``type`` takes its default's type, else yaml."""
    name = type(default).__name__
    return name if name in SUPPORTED_TYPES else "yaml"


def cast_to_bool(value: Any) -> bool:
    """copier's ``cast_to_bool``: numbers, then YAML's words for true and false."""
    with suppress(TypeError, ValueError):
        return bool(float(value))
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return False
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return bool(value)


def cast_to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode()
    raise ValueError(f"Could not convert {value} to string")


CASTS: dict[str, Callable[[Any], Any]] = {
    "str": cast_to_str,
    "bool": cast_to_bool,
    "int": int,
    "float": float,
}


class DirectRenderer:
    """One render of one built-in template into an empty folder."""

    def __init__(self, root: Path, config: TemplateConfig, source_text: str) -> None:
        from jinja2 import FileSystemLoader
        from jinja2.sandbox import SandboxedEnvironment

        self.root = root
        self.config = config
        self.source_text = source_text
        self.copy_root = root / str(config.settings["_subdirectory"])
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(str(root)),
            undefined=_undefined_class(),
            extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
            keep_trailing_newline=True,
        )
        self.env.globals["pathjoin"] = _pathjoin
        self._compiled: dict[str, Any] = {}

    # --- answers ------------------------------------------------------------------------

    def answers(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """copier's ``_ask`` with ``defaults=True``: every answer, and the hidden keys."""
        given = dict(data)
        user: dict[str, Any] = {}
        hidden: set[str] = set()
        for key, question in self.config.questions.items():
            context = {**given, **user}
            default = question.get("default", _MISSING)
            if not cast_to_bool(self._render_value(question.get("when", True), context)):
                hidden.add(key)
                if default is _MISSING:
                    continue
            if key in given:
                user[key] = self._parse(key, question, given[key], context)
                continue
            if default is _MISSING:
                raise MissingAnswersError([key])
            user[key] = self._parse(key, question, self._render_value(default, context), context)
        return {**given, **user}, hidden

    def _parse(self, key: str, question: Mapping[str, Any], value: Any, context: Mapping) -> Any:
        cast = CASTS[question.get("type", _type_of(question.get("default")))]
        if value is None:
            raise RenderError(
                f"template {self.source_text} did not render: no answer for {key}",
                "give it with --data",
            )
        answer = cast(value)
        if "choices" not in question:
            return answer
        valid, refusal = [], ""
        for choice, disabled in self._choices(question["choices"], context):
            allowed = cast(choice)
            if not disabled:
                valid.append(allowed)
            if answer == allowed:
                if not disabled:
                    return answer
                refusal = refusal or disabled
        raise RenderError(
            f"template {self.source_text} did not render: Invalid choice for '{key}': "
            + (refusal or f"{answer!r} is not in {valid}"),
            "check the template and the answers given with --data",
        )

    def _choices(self, choices: Any, context: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
        """copier's ``_formatted_choices``: each value, and why it is refused ("" if it is not)."""
        pairs = (
            choices.items()
            if isinstance(choices, dict)
            else (c if isinstance(c, list) else (c, c) for c in choices)
        )
        for _name, value in pairs:
            disabled = ""
            if isinstance(value, dict):
                disabled = str(self._render_value(value.get("validator", ""), context))
                value = value["value"]
            yield self._render_value(value, context), disabled

    def _render_value(self, value: Any, context: Mapping[str, Any]) -> Any:
        if not isinstance(value, str):
            return value
        return self._string_template(value).render(context)

    def _string_template(self, text: str) -> Any:
        compiled = self._compiled.get(text)
        if compiled is None:
            compiled = self._compiled[text] = self.env.from_string(text)
        return compiled

    # --- files --------------------------------------------------------------------------

    def render(self, target: Path, data: Mapping[str, Any]) -> None:
        answers, hidden = self.answers(data)
        questions = self.config.questions
        remembered: dict[str, Any] = {"_src_path": str(self.root)}
        remembered.update(
            (key, value)
            for key, value in answers.items()
            if not key.startswith("_") and key not in hidden and key in questions
        )
        answers_file = str(self.config.settings.get("_answers_file") or DEFAULT_ANSWERS_FILE)
        conf = _CopierConf(
            {
                "src_path": PurePath(self.root.resolve()),
                "dst_path": PurePath(target),
                "answers_file": "",  # as copier has it while rendering the answers-file path
                "sep": os.sep,
            }
        )
        context = {
            **answers,
            "_copier_answers": remembered,
            "_copier_conf": conf,
            "_folder_name": target.name,
            "_copier_python": sys.executable,
            "_copier_phase": "render",
        }
        answers_relpath = Path(self._string_template(answers_file).render(context))
        conf["answers_file"] = PurePath(answers_relpath)
        target.mkdir(parents=True, exist_ok=True)
        destination_root = target.resolve()
        for entry in _scantree(str(self.copy_root)):
            if entry.is_symlink():
                raise NeedsCopier(
                    f"{entry.path} is a symbolic link (copier checks where it points)"
                )
            source = Path(entry.path)
            relpath = source.relative_to(self.copy_root)
            rendered = self._render_path(relpath, context, str(answers_relpath))
            if rendered is None:
                continue
            destination = destination_root / rendered
            if not destination.resolve().is_relative_to(destination_root):
                raise UnsafePathError(
                    f"template {self.source_text} would write outside the project: {rendered}",
                    "an answer used in a file name holds '..' or '/'",
                )
            if entry.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
            else:
                self._render_file(source, destination, context)

    def _render_path(
        self, relpath: Path, context: Mapping[str, Any], answers_file: str
    ) -> Path | None:
        """copier's ``_render_path``: None when any part renders empty or a .jinja twin wins."""
        is_template = relpath.name.endswith(TEMPLATES_SUFFIX)
        if (self.copy_root / f"{relpath}{TEMPLATES_SUFFIX}").exists():
            return None
        if is_template:
            relpath = relpath.with_suffix("")
        parts: list[str] = []
        for part in relpath.parts:
            rendered = self._render_value(part, context)
            if not rendered:
                return None
            if rendered == answers_file:
                return Path(answers_file)
            parts.append(rendered)
        path = Path(*parts)
        if not is_template and (self.root / f"{path}{TEMPLATES_SUFFIX}").exists():
            return None
        return path

    def _render_file(self, source: Path, destination: Path, context: Mapping[str, Any]) -> None:
        if source.name.endswith(TEMPLATES_SUFFIX):
            template = self.env.get_template(source.relative_to(self.root).as_posix())
            content = template.render(context).encode()
        else:
            content = source.read_bytes()
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
        source_mode = source.stat().st_mode
        if destination.stat().st_mode != source_mode:
            destination.chmod(source_mode)


def _scantree(path: str) -> Iterator[os.DirEntry[str]]:
    """copier's walk: each entry, then (for a folder) what is inside it."""
    with os.scandir(path) as entries:
        listed = list(entries)
    for entry in listed:
        yield entry
        if entry.is_dir():
            yield from _scantree(entry.path)


def _pathjoin(*path: str, mode: str = "posix") -> str:
    from pathlib import PurePosixPath, PureWindowsPath

    kinds = {"posix": PurePosixPath, "windows": PureWindowsPath, "native": PurePath}
    return str(kinds[mode](*path))


def render_directly(
    root: Path, config: TemplateConfig, target: Path, answers: Mapping[str, Any], source_text: str
) -> None:
    DirectRenderer(root, config, source_text).render(target, answers)
