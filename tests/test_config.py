"""The user config file: read with tomllib, edited with tomlkit under a lock (comments and
unknown keys kept, concurrent edits all kept), broken entries only break what uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
from tests.helpers import REPO

runner = CliRunner()


def test_missing_file_is_an_empty_config() -> None:
    config = load_config()
    assert config.path == Path(os.environ["PYSTARTER_CONFIG"])
    assert (config.defaults, dict(config.templates)) == ({}, {})


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


COMMENTED = """\
# my pystarter settings
theme = "dark"  # not pystarter's

[defaults]
author = "Ada"  # who I am

# the team's template
[templates.team]
source = "/srv/team"
colour = "blue"  # a key pystarter does not know
"""


def test_edits_keep_comments_and_unknown_keys_of_other_entries() -> None:
    config_path().write_text(COMMENTED)
    add_template(load_config(), RegisteredTemplate("acme", "gh:acme/t", "v2"))
    text = config_path().read_text()
    assert text.startswith(COMMENTED)
    assert '[templates.acme]\nsource = "gh:acme/t"\nref = "v2"\n' in text
    remove_template(load_config(), "acme")
    assert config_path().read_text().rstrip() == COMMENTED.rstrip()


def test_eight_concurrent_adds_keep_eight_entries_and_every_comment() -> None:
    config_path().write_text(COMMENTED)
    script = (
        "import sys; from pystarter.cli import app; "
        "sys.argv = ['pystarter', 'templates', 'add', sys.argv[1], sys.argv[2]]; app()"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, f"t{n}", str(REPO / "templates")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "registered" in out
    text = config_path().read_text()
    for line in COMMENTED.splitlines():
        assert line in text
    assert set(load_config().templates) == {"team", *(f"t{n}" for n in range(8))}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("source = 3", "needs source"),
        ("ref = 'v1'", "needs source"),
        ("source = '/x'\ntrusted = 'yes'", "trusted must be true or false"),
    ],
)
def test_broken_entry_breaks_only_what_uses_it(entry: str, message: str) -> None:
    config_path().write_text(f"# keep me\n[templates.acme]\n{entry}\n")
    listed = runner.invoke(app, ["templates", "list", "--json"])
    assert listed.exit_code == 0, listed.stderr
    broken = [e for e in json.loads(listed.stdout) if e["name"] == "acme"]
    assert broken and message in broken[0]["error"]
    used = runner.invoke(app, ["new", "x", "-t", "acme", "--no-input"])
    assert used.exit_code == 2 and message in used.stderr
    assert "pystarter templates remove acme" in used.stderr
    removed = runner.invoke(app, ["templates", "remove", "acme"])
    assert removed.exit_code == 0, removed.stderr
    assert config_path().read_text().strip() == "# keep me"


@pytest.mark.parametrize("option", ["--vcs-ref", "--ref"])
def test_add_with_an_unknown_ref_names_vcs_ref_as_every_command_does(
    tmp_path: Path, option: str
) -> None:
    """``--vcs-ref`` as in new, update and templates check; ``--ref``, its old name, still works."""
    from tests.helpers import make_template

    template = make_template(tmp_path / "tpl")
    result = runner.invoke(app, ["templates", "add", "acme", str(template), option, "nosuch"])
    assert result.exit_code == 2, result.stderr
    assert "nosuch" in result.stderr and "--vcs-ref" in result.stderr
    assert "--ref" not in runner.invoke(app, ["templates", "add", "--help"]).stdout.replace(
        "--vcs-ref", ""
    )


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
