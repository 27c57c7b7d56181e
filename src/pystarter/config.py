"""The user config file: ``[defaults]`` for answers and ``[templates.NAME]`` for team templates.

Read with :mod:`tomllib`, written with ``tomli_w``; tables and keys pystarter does not know are
kept as they were when the file is written back.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class UserConfig:
    path: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, RegisteredTemplate] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    """The whole file as read, so writing it back keeps what pystarter does not use."""

    def default_answers(self) -> dict[str, Any]:
        return {DEFAULT_KEYS[k]: v for k, v in self.defaults.items() if k in DEFAULT_KEYS}


def config_path() -> Path:
    override = os.environ.get("PYSTARTER_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path("pystarter", appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> UserConfig:
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserConfig(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(
            f"cannot read config file {path}: {reason}", "fix or remove the file"
        ) from exc
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
    registered = {name: _registered(path, name, entry) for name, entry in templates.items()}
    return UserConfig(path, dict(defaults), registered, raw)


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


def save_config(config: UserConfig) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    import tomli_w

    data = {k: v for k, v in config.raw.items() if k not in ("defaults", "templates")}
    if config.defaults:
        data["defaults"] = config.defaults
    if config.templates:
        data["templates"] = {t.name: t.as_table() for t in config.templates.values()}
    config.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = config.path.with_name(f".{config.path.name}.tmp")
    try:
        tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
        tmp.replace(config.path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(
            f"cannot write config file {config.path}: {exc.strerror or exc}",
            "check the folder's permissions, or set PYSTARTER_CONFIG to another file",
        ) from exc
    config.raw = data


def check_template_name(name: str) -> None:
    from pystarter.options import FRAMEWORKS

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
    check_template_name(template.name)
    if template.name in config.templates and not replace:
        raise UsageError(
            f"a template named {template.name!r} is already registered in {config.path}",
            "pass --force to replace it, or pick another name",
        )
    config.templates[template.name] = template
    save_config(config)


def remove_template(config: UserConfig, name: str) -> RegisteredTemplate:
    if name not in config.templates:
        raise UsageError(
            f"no template named {name!r} is registered in {config.path}",
            "see pystarter templates list",
        )
    removed = config.templates.pop(name)
    save_config(config)
    return removed
