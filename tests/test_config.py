"""The user config file: read with tomllib, written with tomli_w, broken files named."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pystarter.cli import app
from pystarter.config import (
    RegisteredTemplate,
    add_template,
    config_path,
    load_config,
    remove_template,
)
from pystarter.errors import ConfigError, UsageError

runner = CliRunner()


def test_missing_file_is_an_empty_config() -> None:
    config = load_config()
    assert config.path == Path(os.environ["PYSTARTER_CONFIG"])
    assert (config.defaults, config.templates) == ({}, {})


def test_spec_example_is_read(tmp_path: Path) -> None:
    config_path().write_text(
        '[defaults]\nauthor = "Ada Lovelace"\nemail = "ada@example.com"\n\n'
        '[templates.acme-api]\nsource = "https://git.example.com/acme/api-template.git"\n'
        'ref = "v2"\ntrusted = true\n'
    )
    config = load_config()
    assert config.default_answers() == {
        "author_name": "Ada Lovelace",
        "author_email": "ada@example.com",
    }
    assert config.templates["acme-api"] == RegisteredTemplate(
        "acme-api", "https://git.example.com/acme/api-template.git", "v2", True
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults\nauthor = 1\n", "is not valid TOML"),
        ("templates = 3\n", "must be tables"),
        ("[templates.acme]\nref = 'v1'\n", "needs source"),
        ("[templates.acme]\nsource = '/x'\ntrusted = 'yes'\n", "trusted must be true or false"),
    ],
)
def test_broken_config_is_one_line_naming_the_file(text: str, message: str) -> None:
    config_path().write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config()
    assert str(config_path()) in caught.value.one_line()
    result = runner.invoke(app, ["templates", "list"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(config_path()) in lines[0] and message in lines[0]


def test_add_and_remove_keep_what_pystarter_does_not_know() -> None:
    config_path().write_text('theme = "dark"\n[defaults]\nauthor = "Ada"\n[other]\nkeep = [1, 2]\n')
    config = load_config()
    add_template(config, RegisteredTemplate("acme", "gh:acme/t", "v2", trusted=True))
    saved = tomllib.loads(config_path().read_text())
    assert saved["templates"]["acme"] == {"source": "gh:acme/t", "ref": "v2", "trusted": True}
    assert (saved["theme"], saved["other"], saved["defaults"]) == (
        "dark",
        {"keep": [1, 2]},
        {"author": "Ada"},
    )
    remove_template(load_config(), "acme")
    saved = tomllib.loads(config_path().read_text())
    assert "templates" not in saved and saved["other"] == {"keep": [1, 2]}
    assert not list(config_path().parent.glob(".*.tmp"))


def test_add_refuses_a_taken_name_unless_forced() -> None:
    config = load_config()
    add_template(config, RegisteredTemplate("acme", "/a"))
    with pytest.raises(UsageError, match="already registered") as caught:
        add_template(config, RegisteredTemplate("acme", "/b"))
    assert "--force" in caught.value.one_line()
    add_template(config, RegisteredTemplate("acme", "/b"), replace=True)
    assert load_config().templates["acme"].source == "/b"


@pytest.mark.parametrize("name", ["fastapi", "has space", "a/b", "x.git", "-dash"])
def test_unusable_template_names_are_refused(name: str) -> None:
    with pytest.raises(UsageError):
        add_template(load_config(), RegisteredTemplate(name, "/a"))
    assert not config_path().exists()


def test_removing_an_unknown_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no template named 'ghost'"):
        remove_template(load_config(), "ghost")
