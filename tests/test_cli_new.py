"""`pystarter new` through the CLI: flags, errors, output. Fast: a tiny template or no render."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import build_file_tree, invoke, path_without_uv
from tests.projects import pystarter


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_version() -> None:
    completed = pystarter("--version")
    assert completed.returncode == 0
    assert completed.stdout.startswith("pystarter ")


def test_non_empty_destination_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    dest = build_file_tree(
        root=tmp_path / "busy", spec={"notes.txt": "mine\n", "src/app.py": "print(1)\n"}
    )
    before = snapshot(dest)
    result = invoke("new", str(dest), "-f", "fastapi", "--no-input")
    assert result.exit_code == 2
    assert "not empty" in result.stderr and "--force" in result.stderr
    assert snapshot(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_destination_is_refused_not_read_as_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank: str
) -> None:
    monkeypatch.chdir(tmp_path)  # an empty folder: "" must not mean "render here"

    result = invoke("new", blank, "-f", "flask", "--no-input", "--no-git")

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: DEST is blank (give a folder name, or . for the current folder)"
    )
    assert list(tmp_path.iterdir()) == []


def test_dry_run_writes_nothing(tmp_path: Path, tiny_template: Path) -> None:
    result = invoke("new", str(tmp_path / "x"), "-t", str(tiny_template), "--no-input", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "pyproject.toml" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_no_input_needs_a_framework_or_a_need(tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / "x"), "--no-input")
    assert result.exit_code == 2
    assert (
        "--no-input" in result.stderr
        and "--need" in result.stderr
        and "--framework" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["class", "fastapi", "---", ""])
def test_unusable_names_exit_2_in_one_line(tmp_path: Path, name: str) -> None:
    result = invoke("new", str(tmp_path / "x"), "-f", "fastapi", "--no-input", "--name", name)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


def test_unknown_option_and_bad_values_are_one_line_usage_errors(tmp_path: Path) -> None:
    for args in (
        ["--bogus"],
        ["-f", "rails"],
        ["-f", "flask", "--database", "oracle"],
        ["--need", "x"],
    ):
        result = invoke("new", str(tmp_path / "x"), "--no-input", *args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_incompatible_options_are_refused_naming_the_clash(tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / "x"), "-f", "django", "--database", "none", "--no-input")
    assert result.exit_code == 2
    assert "--database none with django" in result.stderr
    result = invoke(
        "new", str(tmp_path / "y"), "-f", "flask", "--database", "none", "--auth", "--no-input"
    )
    assert result.exit_code == 2
    assert "--auth with --database none" in result.stderr


def test_json_has_every_spec_key(tmp_path: Path, tiny_template: Path) -> None:
    dest = tmp_path / "demo"
    result = invoke("new", str(dest), "-t", str(tiny_template), "--no-input", "--json", "--no-git")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    for key in (
        "framework",
        "destination",
        "template",
        "files",
        "recommendation",
        "commands",
        "next_steps",
    ):
        assert key in payload
    assert payload["destination"] == str(dest.absolute())
    assert "pyproject.toml" in payload["files"]
    assert payload["commands"]["run"].endswith("python -m tiny")  # uv run, or the venv without uv
    assert payload["next_steps"][0].startswith("cd ")
    assert (dest / "tiny" / "__init__.py").read_text() == 'GREETING = "hello"\n'


def test_answers_are_layered_flags_data_file_config_git(
    tmp_path: Path, tiny_template: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[defaults]\nauthor = "From Config"\n')
    answers = tmp_path / "answers.yml"
    answers.write_text("greeting: from-file\nproject_name: File Name\n")
    result = invoke(
        "new", str(tmp_path / "out"), "-t", str(tiny_template), "--no-input", "--no-git", "--json",
        "--data-file", str(answers), "--data", "greeting=from-data", "--name", "Flag Name",
        env={"PYSTARTER_CONFIG": str(config)},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    given = json.loads(result.stdout)["answers"]
    assert given["greeting"] == "from-data"
    assert given["project_name"] == "Flag Name"
    assert "package_name" not in given  # a custom template's own default decides it
    assert (tmp_path / "out" / "tiny" / "__init__.py").is_file()


def test_config_and_git_fill_the_author_of_a_builtin(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[defaults]\nemail = "ada@example.com"\n')
    result = invoke(
        "new", str(tmp_path / "out"), "-f", "fastapi", "--no-input", "--dry-run", "--json",
        env={"PYSTARTER_CONFIG": str(config)},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    given = json.loads(result.stdout)["answers"]
    assert given["author_email"] == "ada@example.com"  # config beats git
    assert given["author_name"] == "Test User"  # from git, as config has none


def test_broken_config_file_is_named_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[defaults\n")
    result = invoke(
        "new",
        str(tmp_path / "x"),
        "-f",
        "fastapi",
        "--no-input",
        env={"PYSTARTER_CONFIG": str(config)},
    )
    assert result.exit_code == 2
    assert str(config) in result.stderr


def test_force_overwrites_only_the_template_files(tmp_path: Path, tiny_template: Path) -> None:
    dest = build_file_tree(
        root=tmp_path / "existing", spec={"README.md": "old\n", "keep.txt": "mine\n"}
    )
    result = invoke("new", str(dest), "-t", str(tiny_template), "--no-input", "--force", "--no-git")
    assert result.exit_code == 0, result.stderr
    assert (dest / "keep.txt").read_text() == "mine\n"
    assert (dest / "README.md").read_text() == "# Tiny\n"  # the template's own default name


def test_force_keeps_the_env_file_already_there(tmp_path: Path) -> None:
    """``.env`` is ``_skip_if_exists`` in every built-in: it holds the user's real secrets."""
    dest = build_file_tree(root=tmp_path / "existing", spec={".env": "SECRET_KEY=mine\n"})
    args = ("new", str(dest), "-f", "fastapi", "--no-input", "--force", "--no-git", "--json")

    dry = json.loads(invoke(*args, "--dry-run").stdout)
    result = invoke(*args)

    assert result.exit_code == 0, result.stderr
    assert (dest / ".env").read_text() == "SECRET_KEY=mine\n"
    assert (dest / ".env.example").is_file()
    written = json.loads(result.stdout)
    assert ".env" not in written["files"] and ".env" not in dry["files"]
    assert any(".env" in note and "kept" in note for note in written["notes"])


def test_skip_if_exists_patterns_are_rendered_and_matched_like_copier(
    tmp_path: Path, tiny_template: Path
) -> None:
    copier_yml = tiny_template / "copier.yml"
    copier_yml.write_text(
        copier_yml.read_text() + '_skip_if_exists: ["{{ package_name }}/local_*.py"]\n'
    )
    build_file_tree(
        root=tiny_template / "project", spec={"{{ package_name }}/local_settings.py": "NEW = 1\n"}
    )
    dest = build_file_tree(
        root=tmp_path / "existing", spec={"tiny/local_settings.py": "MINE = 1\n"}
    )

    result = invoke("new", str(dest), "-t", str(tiny_template), "--no-input", "--force", "--no-git")

    assert result.exit_code == 0, result.stderr
    assert (dest / "tiny" / "local_settings.py").read_text() == "MINE = 1\n"
    assert (dest / "README.md").read_text() == "# Tiny\n"  # the template's own default name


def test_a_failing_render_leaves_nothing_behind(tmp_path: Path, tiny_template: Path) -> None:
    (tiny_template / "project" / "zz_broken.txt.jinja").write_text("{{ 1 / 0 }}\n")
    result = invoke("new", str(tmp_path / "x"), "-t", str(tiny_template), "--no-input")
    assert result.exit_code == 1
    assert "did not render" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failing_render_under_force_restores_the_folder(
    tmp_path: Path, tiny_template: Path
) -> None:
    (tiny_template / "project" / "zz_broken.txt.jinja").write_text("{{ 1 / 0 }}\n")
    dest = build_file_tree(root=tmp_path / "existing", spec={"README.md": "old\n"})
    before = snapshot(dest)
    result = invoke("new", str(dest), "-t", str(tiny_template), "--no-input", "--force")
    assert result.exit_code == 1
    assert snapshot(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]


def test_first_commit_uses_a_fallback_identity_when_git_has_none(
    tmp_path: Path, tiny_template: Path
) -> None:
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    dest = tmp_path / "proj"
    result = invoke(
        "new",
        str(dest),
        "-t",
        str(tiny_template),
        "--no-input",
        env={"GIT_CONFIG_GLOBAL": str(empty)},
    )
    assert result.exit_code == 0, result.stderr
    assert "pystarter <pystarter@localhost>" in result.stdout
    author = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>"], cwd=dest, capture_output=True, text=True
    )
    assert author.stdout.strip() == "pystarter <pystarter@localhost>"


def test_without_a_tty_it_neither_prompts_nor_hangs(tmp_path: Path) -> None:
    completed = pystarter("new", str(tmp_path / "x"), timeout=60)  # no --no-input, stdin is a pipe
    assert completed.returncode == 2
    assert "?" not in completed.stdout
    assert "--need" in completed.stderr


def test_debug_env_shows_the_traceback(tmp_path: Path) -> None:
    completed = pystarter("new", str(tmp_path / "x"), "--no-input", env={"PYSTARTER_DEBUG": "1"})
    assert completed.returncode != 0
    assert "Traceback" in completed.stderr


def test_needs_pick_the_framework_and_the_json_says_why(tmp_path: Path) -> None:
    dest = tmp_path / "x"
    result = invoke(
        "new", str(dest), "--need", "ml", "--need", "async", "--no-input", "--json", "--no-git"
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["framework"] == "fastapi"
    assert payload["template"] == "builtin:fastapi"
    rec = payload["recommendation"]
    assert rec["framework"] == "fastapi"
    assert any("serving ML models" in reason for reason in rec["reasons"])
    saved = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert saved["_src_path"] == "builtin:fastapi"  # no path of this machine
    assert saved["_pystarter_recommendation"] == {
        "framework": "fastapi",
        "needs": ["ml", "async"],
        "scores": rec["scores"],
        "reasons": rec["reasons"],
    }


def test_a_given_framework_has_no_recommendation(tmp_path: Path) -> None:
    result = invoke(
        "new", str(tmp_path / "x"), "-f", "fastapi", "--no-input", "--json", "--dry-run"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"] is None


def test_answers_that_look_like_rich_markup_are_printed_as_typed(tmp_path: Path) -> None:
    result = invoke(
        "new", str(tmp_path / "shop"), "-f", "flask", "--no-input", "--no-git",
        "--name", "Shop [/] X", "--description", "uses [red]colour[/red] ok",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert "Created Shop [/] X (Flask)" in result.stdout
    assert (
        'description = "uses [red]colour[/red] ok"'
        in (tmp_path / "shop" / "pyproject.toml").read_text()
    )


def test_an_answers_file_that_is_not_utf8_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_bytes(b"project_name: caf\xe9\n")
    result = invoke("new", str(tmp_path / "x"), "-f", "flask", "--no-input",
                    "--answers-file", str(answers))  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert f"answers file {answers} is not UTF-8" in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_dest_name_over_255_bytes_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / ("a" * 300)), "-f", "flask", "--no-input")
    assert result.exit_code == 2, result.stderr
    assert "File name too long" in result.stderr and "unexpected" not in result.stderr


def test_needs_may_be_given_comma_separated(tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / "x"), "--need", "admin,auth", "--no-input",
                    "--no-git", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"]["needs"] == ["admin", "auth"]


def test_next_steps_skip_cd_dot_and_guard_a_dash_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    in_place = invoke("new", ".", "-f", "flask", "--no-input", "--no-git", "--json")
    dashed = invoke("new", "-f", "flask", "--no-input", "--no-git", "--json", "--name",
                    "dash x", "--", "-x")  # fmt: skip
    assert in_place.exit_code == 0, in_place.stderr
    assert not json.loads(in_place.stdout)["next_steps"][0].startswith("cd ")
    assert dashed.exit_code == 0, dashed.stderr
    assert json.loads(dashed.stdout)["next_steps"][0] == "cd ./-x"


def test_new_help_lists_the_choices_and_examples() -> None:
    text = " ".join(invoke("new", "--help").stdout.split())
    for shown in ("[auto|django|flask|fastapi]", "[sqlite|postgresql|mysql|none]",
                  "[github|gitlab|none]", "KEY=VALUE", "Examples:", "--need rest-api"):  # fmt: skip
        assert shown in text, shown
    assert "--name NAME" in text and "--name <str>" not in text


def test_choices_are_case_insensitive(tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / "x"), "-f", "Django", "--database", "PostgreSQL",
                    "-d", "ci=GitLab", "--no-input", "--dry-run", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["framework"] == "django"
    assert (payload["answers"]["database"], payload["answers"]["ci"]) == ("postgresql", "gitlab")


COMMANDS = ("new", "recommend", "update", "add", "remove", "templates list", "templates add",
            "templates remove", "templates check")  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_values_by_readable_metavars(command: str) -> None:
    result = invoke(*command.split(), "--help")
    assert result.exit_code == 0, result.stderr
    assert "<" not in result.stdout, result.stdout  # no <str>, <path>, <list[str]>


def complete(line: str) -> list[str]:
    """What bash completion offers for the last word of ``line`` (as the shell asks typer)."""
    words = line.split(" ")
    env = {
        "_PYSTARTER_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = invoke(env=env, prog_name="pystarter")
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("pystarter new -f ", ["auto", "django", "flask", "fastapi"]),
        ("pystarter new --framework fa", ["fastapi"]),
        ("pystarter new --database ", ["sqlite", "postgresql", "mysql", "none"]),
        ("pystarter new --ci g", ["github", "gitlab"]),
        ("pystarter new --python ", ["3.11", "3.12", "3.13", "3.14"]),
        ("pystarter new --need mi", ["minimal", "microservice"]),
        ("pystarter new --need admin,a", ["admin,auth", "admin,async"]),
        ("pystarter recommend --need o", ["orm", "openapi"]),
    ],
)
def test_completion_offers_the_choice_values(line: str, offered: list[str]) -> None:
    assert sorted(complete(line)) == sorted(offered)


def test_completion_offers_registered_template_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[templates.acme-api]\nsource = "https://git.example.com/acme/api.git"\n')
    monkeypatch.setenv("PYSTARTER_CONFIG", str(config))
    assert complete("pystarter new -t ") == ["django", "flask", "fastapi", "acme-api"]
    assert complete("pystarter new --template ac") == ["acme-api"]


@pytest.mark.parametrize(
    "args", [("new", "--help"), ("new", "x", "-f", "flask", "--no-input", "--dry-run"),
             ("new", "x", "-f", "flask", "--no-input", "--dry-run", "--json")],
)  # fmt: skip
def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    """``pystarter ... | head -1``: the reader is gone before the output is written."""
    import os
    import sys

    from tests.projects import BIN

    reader, writer = os.pipe()
    os.close(reader)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "pystarter", *args], cwd=tmp_path, stdout=writer,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=120,
            env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        )  # fmt: skip
    finally:
        os.close(writer)
    assert completed.stderr == ""
    assert completed.returncode == 1  # what Python's own docs do on a broken pipe
    assert list(tmp_path.iterdir()) == []


def _another_python() -> str:
    """A supported Python version that is not the one running the tests."""
    from pystarter.install import running_version
    from pystarter.options import PYTHON_VERSIONS

    return next(v for v in reversed(PYTHON_VERSIONS) if v != running_version())


def test_install_with_a_python_neither_here_nor_fetchable_is_refused(tmp_path: Path) -> None:
    version = _another_python()
    bare = path_without_uv(tmp_path)
    (bare / f"python{version}").symlink_to("/bin/false")  # a pyenv shim of a missing version
    args = ("-f", "flask", "--python", version, "--no-input", "--no-git")

    refused = invoke("new", str(tmp_path / "x"), *args, "--install", env={"PATH": str(bare)})
    pinned = invoke("new", str(tmp_path / "y"), *args, "--no-install", env={"PATH": str(bare)})

    assert refused.exit_code == 2, refused.stderr
    assert f"--install needs Python {version}" in refused.stderr
    assert "install uv" in refused.stderr and "--no-install" in refused.stderr
    assert not (tmp_path / "x").exists()
    assert pinned.exit_code == 0, pinned.stderr  # without an install it is only a pin
    assert f'requires-python = ">={version}"' in (tmp_path / "y" / "pyproject.toml").read_text()


def test_install_with_any_python_is_accepted_when_uv_can_fetch_it(tmp_path: Path) -> None:
    from tests.projects import BIN

    result = invoke("new", str(tmp_path / "x"), "-f", "flask", "--python", _another_python(),
                    "--install", "--no-input", "--dry-run", env={"PATH": str(BIN)})  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_without_uv_the_install_step_names_the_python_of_the_project(tmp_path: Path) -> None:
    """``python3`` may be newer than the project's Python: the step names pythonX.Y when it
    is on PATH."""
    import sys

    from pystarter.install import running_version

    version = running_version()
    bare = path_without_uv(tmp_path)
    (bare / f"python{version}").symlink_to(sys.executable)
    result = invoke("new", str(tmp_path / "x"), "-f", "flask", "--python", version,
                    "--no-input", "--no-git", "--json", env={"PATH": str(bare)})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    install = json.loads(result.stdout)["commands"]["install"]
    assert install.startswith(f"python{version} -m venv .venv && "), install


@pytest.mark.parametrize(("word", "meaning"), [("none", False), ("f", False), ("t", True)])
def test_a_boolean_answer_is_read_as_copier_reads_it(
    tmp_path: Path, word: str, meaning: bool
) -> None:
    """One set of words for true and false: what copier's ``when`` accepts, --data accepts."""
    dest = tmp_path / "x"
    result = invoke(
        "new", str(dest), "-f", "flask", "--no-input", "--dry-run", "--json",
        "-d", f"use_celery={word}",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["use_celery"] is meaning


@pytest.mark.parametrize("option", ["--data-file", "--answers-file"])
def test_data_file_is_copiers_name_and_answers_file_its_hidden_old_one(
    tmp_path: Path, tiny_template: Path, option: str
) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("greeting: from-file\n")
    result = invoke(
        "new", str(tmp_path / "out"), "-t", str(tiny_template), "--no-input", "--dry-run",
        "--json", option, str(answers),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["greeting"] == "from-file"
    help_text = invoke("new", "--help").stdout
    assert "--data-file" in help_text and "--answers-file" not in help_text


def test_the_project_is_named_by_path_in_update_add_and_remove() -> None:
    for command in ("update", "add", "remove"):
        help_text = invoke(command, "--help").stdout
        assert "--path PATH" in help_text, (command, help_text)
