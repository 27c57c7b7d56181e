"""The user config file: ``[defaults]`` for answers and ``[templates.NAME]`` for team templates.

Read with :mod:`tomllib`; edited with tomlkit, so comments, order and keys pystarter does not
know stay as the user wrote them. Every edit holds an exclusive lock on ``config.toml.lock``
beside the file, re-reads the file under it and replaces the file atomically: concurrent
``templates add`` lose nothing. A broken ``[templates.NAME]`` entry breaks only the commands
that use that name (``templates remove NAME`` removes it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter.builtin import FRAMEWORKS
from pystarter.errors import ConfigError, UsageError

#: ``[defaults]`` keys and the template answer each one fills.
DEFAULT_KEYS: dict[str, str] = {
    "author": "author_name",
    "email": "author_email",
    "description": "description",
    "python": "python_version",
    "database": "database",
    "ci": "ci",
    "docker": "use_docker",
}
TEMPLATE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class RegisteredTemplate:
    name: str
    source: str
    ref: str | None = None
    trusted: bool = False

    def as_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {"source": self.source}
        if self.ref:
            table["ref"] = self.ref
        if self.trusted:
            table["trusted"] = True
        return table


class Registry(Mapping[str, RegisteredTemplate]):
    """The registered templates. Iterating gives the usable ones; looking up a broken one
    raises its :class:`ConfigError`, so only a command that uses it fails."""

    def __init__(
        self,
        entries: Mapping[str, RegisteredTemplate] | None = None,
        broken: Mapping[str, ConfigError] | None = None,
    ) -> None:
        self._entries = dict(entries or {})
        self.broken: dict[str, ConfigError] = dict(broken or {})

    def __getitem__(self, name: str) -> RegisteredTemplate:
        if name in self.broken:
            raise self.broken[name]
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self.broken

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())


@dataclass
class UserConfig:
    path: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    templates: Registry = field(default_factory=Registry)

    def default_answers(self) -> dict[str, Any]:
        return {DEFAULT_KEYS[k]: v for k, v in self.defaults.items() if k in DEFAULT_KEYS}

    def usable_templates(self) -> dict[str, RegisteredTemplate]:
        return dict(self.templates.items())


def config_path() -> Path:
    override = os.environ.get("PYSTARTER_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path("pystarter", appauthor=False) / "config.toml"


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(
            f"cannot read config file {path}: {reason}", "fix or remove the file"
        ) from exc


def load_config(path: Path | None = None) -> UserConfig:
    path = path or config_path()
    text = _read_text(path)
    if text is None:
        return UserConfig(path)
    import tomllib  # only when there is a config file

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not valid TOML: {exc}", "fix or remove the file"
        ) from exc
    defaults = raw.get("defaults", {})
    templates = raw.get("templates", {})
    if not isinstance(defaults, dict) or not isinstance(templates, dict):
        raise ConfigError(
            f"config file {path}: [defaults] and [templates] must be tables",
            "see pystarter's README, Configuration",
        )
    entries, broken = {}, {}
    for name, entry in templates.items():
        try:
            entries[name] = _registered(path, name, entry)
        except ConfigError as exc:
            broken[name] = exc
    return UserConfig(path, dict(defaults), Registry(entries, broken))


def _registered(path: Path, name: str, entry: Any) -> RegisteredTemplate:
    fix = f"fix it in {path}, or run: pystarter templates remove {name}"
    if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
        raise ConfigError(f'config file {path}: [templates.{name}] needs source = "..."', fix)
    ref = entry.get("ref")
    if ref is not None and not isinstance(ref, str):
        raise ConfigError(f"config file {path}: [templates.{name}] ref must be a string", fix)
    trusted = entry.get("trusted", False)
    if not isinstance(trusted, bool):
        raise ConfigError(
            f"config file {path}: [templates.{name}] trusted must be true or false", fix
        )
    return RegisteredTemplate(name, entry["source"], ref or None, trusted)


@contextmanager
def _editing(path: Path) -> Iterator[Any]:
    """The config file as a tomlkit document, read and written back under an exclusive lock
    (``fcntl.flock`` on ``<name>.lock`` beside it; the write is atomic)."""
    import fcntl

    import tomlkit

    write_hint = "check the folder's permissions, or set PYSTARTER_CONFIG to another file"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115
    except OSError as exc:
        raise ConfigError(
            f"cannot write config file {path}: {exc.strerror or exc}", write_hint
        ) from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = _read_text(path) or ""
        try:
            document = tomlkit.parse(text)
        except tomlkit.exceptions.TOMLKitError as exc:
            raise ConfigError(
                f"config file {path} is not valid TOML: {exc}", "fix or remove the file"
            ) from exc
        yield document
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigError(
                f"cannot write config file {path}: {exc.strerror or exc}", write_hint
            ) from exc


def check_template_name(name: str) -> None:
    if name in FRAMEWORKS:
        raise UsageError(
            f"{name!r} is the name of a built-in template", "register the template as another name"
        )
    if not TEMPLATE_NAME.fullmatch(name) or name.endswith(".git"):
        raise UsageError(
            f"template name {name!r} is not usable",
            "use letters, digits, '.', '_' and '-', e.g. acme-api",
        )


def add_template(config: UserConfig, template: RegisteredTemplate, replace: bool = False) -> None:
    """Register ``template`` in ``config``'s file (as it is on disk when the lock is held)."""
    import tomlkit

    check_template_name(template.name)
    with _editing(config.path) as document:
        templates = document.get("templates")
        if templates is None:
            templates = tomlkit.table(is_super_table=True)
            document["templates"] = templates
        elif not isinstance(templates, dict):
            raise ConfigError(
                f"config file {config.path}: [templates] must be a table",
                "see pystarter's README, Configuration",
            )
        if template.name in templates and not replace:
            raise UsageError(
                f"a template named {template.name!r} is already registered in {config.path}",
                "pass --force to replace it, or pick another name",
            )
        table = tomlkit.table()
        for key, value in template.as_table().items():
            table[key] = value
        templates[template.name] = table
    config.templates = Registry(
        {**config.templates, template.name: template},
        {k: v for k, v in config.templates.broken.items() if k != template.name},
    )


def remove_template(config: UserConfig, name: str) -> str:
    """Remove ``[templates.NAME]``, broken or not; returns what its source said."""
    with _editing(config.path) as document:
        templates = document.get("templates")
        if not isinstance(templates, dict) or name not in templates:
            raise UsageError(
                f"no template named {name!r} is registered in {config.path}",
                "see pystarter templates list",
            )
        entry = templates[name]
        source = entry.get("source") if isinstance(entry, dict) else None
        del templates[name]
        if not templates:
            del document["templates"]
    config.templates = Registry(
        {k: v for k, v in config.templates.items() if k != name},
        {k: v for k, v in config.templates.broken.items() if k != name},
    )
    return str(source) if isinstance(source, str) else "a broken entry"
