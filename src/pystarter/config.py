"""The user config file: ``[defaults]`` for answers and ``[templates.NAME]`` for team templates."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter.errors import ConfigError

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


@dataclass(frozen=True)
class RegisteredTemplate:
    name: str
    source: str
    ref: str | None = None
    trusted: bool = False


@dataclass
class UserConfig:
    path: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, RegisteredTemplate] = field(default_factory=dict)

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
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return UserConfig(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read config file {path}: {exc}", "fix or remove the file"
        ) from exc
    defaults = raw.get("defaults", {})
    templates = raw.get("templates", {})
    if not isinstance(defaults, dict) or not isinstance(templates, dict):
        raise ConfigError(
            f"config file {path}: [defaults] and [templates] must be tables",
            "see pystarter's README, Configuration",
        )
    registered = {}
    for name, entry in templates.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
            raise ConfigError(
                f'config file {path}: [templates.{name}] needs a source = "..." string',
                f"fix it or run: pystarter templates remove {name}",
            )
        registered[name] = RegisteredTemplate(
            name, entry["source"], entry.get("ref"), bool(entry.get("trusted", False))
        )
    return UserConfig(path, dict(defaults), registered)


def save_config(config: UserConfig) -> None:
    import tomli_w

    data: dict[str, Any] = {}
    if config.defaults:
        data["defaults"] = config.defaults
    if config.templates:
        data["templates"] = {
            t.name: {
                "source": t.source,
                **({"ref": t.ref} if t.ref else {}),
                **({"trusted": True} if t.trusted else {}),
            }
            for t in config.templates.values()
        }
    config.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = config.path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(config.path)
