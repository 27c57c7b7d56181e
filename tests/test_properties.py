"""Property tests: any text as a name, description, author or ``--data`` value either renders
a project that sits wholly inside DEST, or is refused with exit 2 in one short line.

Never a traceback, never a file outside DEST, never a command built from the input, and an
answer holding ``{{ }}`` or ``{% %}`` is written literally, not evaluated. Seeds are fixed
(``derandomize``), so CI tries the same inputs every run: 354 renders (300 + 3 pinned on a
probe template built here, 45 + 6 pinned on the built-ins) and 1,800 inputs to the name,
answer and email checks, in about a minute and a half on two cores, under the thorough
profile; the quick default tries 10 inputs a test (conftest.py).
"""

from __future__ import annotations

import ast
import json
import keyword
import os
import subprocess
import sys
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from email.headerregistry import Address
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pystarter.answers import PLAIN_EMAIL, check_email, check_text_answers, parse_data_items
from pystarter.cli import app
from pystarter.errors import InvalidNameError, UsageError
from pystarter.names import (
    MAX_NAME_LENGTH,
    SHADOWED_PACKAGES,
    derive_names,
    package_from_slug,
    validate_package_name,
    validate_slug,
)
from pystarter.sources import builtin_templates_dir
from tests.helpers import build_file_tree

#: Longest error line we accept: one line a person reads, whatever was typed.
MAX_ERROR_LENGTH = 400
#: The only programs that may start while rendering: git probes the template, the platform
#: module asks ``uname -p`` once. Neither ever gets a word of the input.
PROBES = frozenset({"git", "uname"})
#: Stands for the absolute path of a file no command may ever create.
CANARY = "CANARY"

#: Pieces of hostile input: Jinja, shell, paths, YAML tags, control and odd Unicode characters.
FRAGMENTS = (
    "{{ 7*7 }}",
    "{% if true %}EVALUATED{% endif %}",
    "{{ cycler.__init__.__globals__.os.system('touch CANARY') }}",
    "{{ self._TemplateReference__context }}",
    "{# comment #}",
    "{%",
    "}}",
    "$(touch CANARY)",
    "`touch CANARY`",
    "; touch CANARY",
    "&& touch CANARY #",
    "| touch CANARY",
    "$HOME",
    "${PATH}",
    "..",
    "../",
    "../../outside",
    "/",
    "\\",
    "/etc/passwd",
    "~",
    "~root",
    "%2e%2e%2f",
    "C:\\Windows",
    "CON",
    "nul",
    "-rf",
    "--force",
    "=",
    "key: value",
    "- item",
    "!!python/object/apply:os.system ['touch CANARY']",
    "&anchor *anchor",
    "*",
    "?",
    "[a-z]",
    "'",
    '"',
    "\x00",
    "\n",
    "\r\n",
    "\t",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\ud800",
    "\udcff",
    "é",
    "Ω",
    "ß",
    "ﬁ",
    "①",
    "\U0001d518\U0001d52b\U0001d526",  # Fraktur "Uni": NFKD folds it to ASCII
    "中文",
    "😀",
    "İ",
    "a" * 120,
    "word " * 30,
    "",
    " ",
    "demo",
    "my-project",
    "class",
    "django",
    "os",
    "tests",
)


def hostile_text(max_pieces: int = 4) -> st.SearchStrategy[str]:
    """Hostile fragments glued to arbitrary text, including lone surrogates and controls."""
    anything = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
    piece = st.one_of(st.sampled_from(FRAGMENTS), anything, st.text(max_size=8))
    return st.lists(piece, min_size=1, max_size=max_pieces).map("".join)


#: Characters a one-line answer may hold: everything but controls, line breaks and surrogates.
PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))


def is_printable(text: str) -> bool:
    return all(unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp") for c in text)


def printable_hostile_text(max_pieces: int = 4) -> st.SearchStrategy[str]:
    """Hostile fragments without the characters refused outright, so most inputs render."""
    fragment = st.sampled_from([f for f in FRAGMENTS if is_printable(f)])
    piece = st.one_of(fragment, st.text(PRINTABLE, max_size=10))
    return st.lists(piece, min_size=1, max_size=max_pieces).map("".join)


def mostly_printable(max_pieces: int = 4) -> st.SearchStrategy[str]:
    """Seven draws in eight printable (so most renders run), one fully hostile."""
    printable = printable_hostile_text(max_pieces)
    return st.one_of(*[printable] * 7, hostile_text(max_pieces))


def examples(count: int) -> settings:
    """``count`` inputs under the thorough profile (CI); under the quick default, the
    profile's few (conftest.py registers both)."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "thorough":
        return settings(max_examples=count)
    return settings(max_examples=min(count, settings.default.max_examples))


#: A template that puts every answer in a file, one answer in a file name, and derives a default.
#: Characters YAML reads as line breaks: copier's answers file cannot keep them as they are.
YAML_LINE_BREAKS = frozenset("\x85\u2028\u2029")

PROBE_TEMPLATE = {
    "copier.yml": """\
        _subdirectory: project
        _answers_file: .copier-answers.yml
        project_name: {type: str, default: Probe}
        project_slug: {type: str, default: probe}
        package_name: {type: str, default: probe}
        description: {type: str, default: ""}
        author_name: {type: str, default: ""}
        greeting: {type: str, default: hello}
        shout: {type: str, default: "{{ greeting | upper }}!"}
        """,
    "project/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "project/{{ package_name }}/__init__.py.jinja": "GREETING = {{ greeting | tojson }}\n",
    "project/README.md.jinja": (
        "name={{ project_name }}\n"
        "description={{ description }}\n"
        "author={{ author_name }}\n"
        "greeting={{ greeting }}\n"
        "shout={{ shout }}\n"
    ),
    "project/notes/{{ greeting }}.txt.jinja": "{{ description }}\n",
}


@pytest.fixture(scope="module")
def probe_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file_tree(root=tmp_path_factory.mktemp("probe-template"), spec=PROBE_TEMPLATE)


# --- the name pipeline, pure and fast ------------------------------------------------------


def assert_short_one_line(error: UsageError) -> None:
    line = error.one_line()
    assert "\n" not in line and "\r" not in line
    assert 0 < len(line) <= MAX_ERROR_LENGTH, line
    assert error.hint


def assert_importable_package(package: str) -> None:
    assert package.isascii() and package.isidentifier(), package
    assert package == package.lower()
    assert not keyword.iskeyword(package) and not keyword.issoftkeyword(package)
    assert package not in sys.stdlib_module_names and package not in SHADOWED_PACKAGES
    assert len(package) <= MAX_NAME_LENGTH


@examples(600)
@given(hostile_text(6))
def test_any_name_becomes_valid_names_or_a_refusal_with_a_working_suggestion(text: str) -> None:
    try:
        names = derive_names(text)
    except InvalidNameError as error:
        assert_short_one_line(error)
        suggestion = error.hint.split("--name ", 1)[-1] if "--name " in error.hint else None
        if suggestion is not None:
            derive_names(suggestion)  # the suggested name is itself accepted
        return
    assert_importable_package(names.package)
    assert names.package == package_from_slug(names.slug)
    validate_slug(names.slug)
    validate_package_name(names.package)
    assert "\n" not in names.display and names.display == names.display.strip()
    assert derive_names(names.slug).slug == names.slug  # stable when fed back


@examples(400)
@given(hostile_text(), st.sampled_from(["package", "slug"]))
def test_a_given_package_or_slug_is_accepted_only_when_it_can_never_be_a_path(
    text: str, kind: str
) -> None:
    try:
        (validate_package_name if kind == "package" else validate_slug)(text)
    except InvalidNameError as error:
        assert_short_one_line(error)
        return
    assert text.isascii() and "/" not in text and "\\" not in text and ".." not in text
    assert text == text.strip() and "\x00" not in text and text not in (".", "")
    if kind == "package":
        assert_importable_package(text)


@examples(400)
@given(st.sampled_from(["description", "author_name", "greeting"]), hostile_text())
def test_accepted_answers_survive_the_answers_file_unchanged(key: str, value: str) -> None:
    try:
        check_text_answers({key: value})
    except UsageError as error:
        assert_short_one_line(error)
        return
    value.encode("utf-8")  # raises on a lone surrogate
    dumped = yaml.safe_dump({key: value}, allow_unicode=True)
    assert yaml.safe_load(dumped) == {key: value}


@examples(200)
@given(hostile_text(3), hostile_text(3))
def test_data_items_parse_or_refuse_in_one_line(key: str, value: str) -> None:
    try:
        parsed = parse_data_items([f"{key}={value}"])
    except UsageError as error:
        assert_short_one_line(error)
        return
    (parsed_key,) = parsed
    assert parsed_key.isidentifier() and not parsed_key.startswith("_")


@examples(200)
@given(
    st.one_of(
        hostile_text(3),
        st.emails(),
        st.from_regex(PLAIN_EMAIL, fullmatch=True),  # accepted without the email package
        st.tuples(st.emails(), st.sampled_from(FRAGMENTS)).map("".join),
        st.tuples(st.sampled_from(FRAGMENTS), st.emails()).map("".join),
    )
)
def test_an_accepted_email_is_one_the_build_backend_takes(text: str) -> None:
    try:
        check_email(text)
    except UsageError as error:
        assert_short_one_line(error)
        return
    if text:  # what hatchling does with project.authors
        str(Address(display_name="Ada Lovelace", addr_spec=text))


# --- the whole CLI and engine, in process ---------------------------------------------------


@contextmanager
def recorded_commands() -> Iterator[list[tuple[Any, bool]]]:
    """Every process started meanwhile, as ``(args, shell)``; nothing else is changed."""
    started: list[tuple[Any, bool]] = []
    real_init = subprocess.Popen.__init__
    real_system = os.system

    def init(self: subprocess.Popen, args: Any, *rest: Any, **kwargs: Any) -> None:
        started.append((args, bool(kwargs.get("shell"))))
        real_init(self, args, *rest, **kwargs)

    def system(command: str) -> int:
        started.append((command, True))
        return real_system(command)

    subprocess.Popen.__init__ = init  # type: ignore[method-assign]
    os.system = system
    try:
        yield started
    finally:
        subprocess.Popen.__init__ = real_init  # type: ignore[method-assign]
        os.system = real_system


def run_cli(args: list[str]) -> tuple[Any, list[tuple[Any, bool]]]:
    with recorded_commands() as started:
        result = CliRunner().invoke(app, args)
    return result, started


def assert_no_command_from(values: list[str], started: list[tuple[Any, bool]]) -> None:
    """Only git probes may run, never through a shell, never with a word of the input."""
    words = [v for v in values if len(v.strip()) >= 4]
    for args, shell in started:
        assert not shell, args
        argv = [str(a) for a in (args if isinstance(args, list | tuple) else [args])]
        assert Path(argv[0]).name in PROBES, argv
        for word in words:
            assert not any(word in arg for arg in argv), (word, argv)


def assert_refused_cleanly(result: Any, base: Path, dest: Path) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert len(lines[0]) <= MAX_ERROR_LENGTH, lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert "unexpected error" not in result.stderr
    assert not dest.exists()
    assert list(base.iterdir()) == []


def assert_everything_inside(base: Path, dest: Path) -> list[Path]:
    """DEST is the only thing in ``base``, and nothing inside it resolves elsewhere."""
    assert [p.name for p in base.iterdir()] == [dest.name]
    files = [p for p in dest.rglob("*") if p.is_file() or p.is_symlink()]
    for path in files:
        assert path.resolve().is_relative_to(dest.resolve()), path
    return files


def canary_in(text: str, canary: Path) -> str:
    return text.replace(CANARY, str(canary))


@examples(300)
@example("demo", "{{ 7*7 }}", "{% if true %}x{% endif %}", "g" * 300, None)  # name too long
@example("Café", "\udcff", "ok", "ok", None)  # a lone surrogate, as argv decodes bad bytes
@example("demo", "ok", "ok", "../../outside", "demo\n")  # a path, a trailing line break
@given(
    name=printable_hostile_text(),
    description=printable_hostile_text(),
    author=mostly_printable(),
    greeting=hostile_text(),
    given_package=st.one_of(st.none(), hostile_text(2)),
)
def test_any_answers_render_inside_dest_literally_or_exit_2(
    tmp_path: Path,
    probe_template: Path,
    name: str,
    description: str,
    author: str,
    greeting: str,
    given_package: str | None,
) -> None:
    canary = tmp_path / CANARY
    name, description, author, greeting = (
        canary_in(v, canary) for v in (name, description, author, greeting)
    )
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    dest = base / "dest"
    args = ["new", str(dest), "-t", str(probe_template), "--no-input", "--no-git", "--json"]
    args += [f"--name={name}", f"--description={description}", f"--author={author}"]
    args += [f"--data=greeting={greeting}"]
    if given_package is not None:
        args += [f"--data=package_name={given_package}"]
    result, started = run_cli(args)

    assert not canary.exists(), "an answer ran a command"
    assert_no_command_from([name, description, author, greeting, given_package or ""], started)
    event(f"exit {int(result.exit_code)}")
    if result.exit_code != 0:
        assert_refused_cleanly(result, base, dest)
        return
    assert result.stderr == "", result.stderr
    assert_everything_inside(base, dest)
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_bytes().decode("utf-8"))
    package = answers["package_name"]  # a custom template's names are its own (copier's)
    if package:  # copier skips a path whose part renders empty
        assert (dest / package / "__init__.py").is_file()
    readme = (dest / "README.md").read_bytes().decode("utf-8")  # no newline translation
    assert f"description={description}\n" in readme  # written as given, not evaluated
    assert f"author={author}\n" in readme
    assert f"greeting={greeting}\n" in readme
    assert f"shout={greeting.upper()}!\n" in readme  # a default derived once, not re-rendered
    if not YAML_LINE_BREAKS.intersection(description + greeting):  # copier's YAML folds them
        assert answers["description"] == description and answers["greeting"] == greeting


def builtin_frameworks() -> list[str]:
    root = builtin_templates_dir()
    return [fw for fw in ("django", "flask", "fastapi") if (root / fw / "copier.yml").is_file()]


def with_builtin_examples(test: Any) -> Any:
    """Inputs every run tries on every built-in, whatever the seed draws: text outside the BMP
    (which ``tojson`` escapes as surrogate pairs, invalid in TOML), quotes, Jinja."""
    for framework in builtin_frameworks():
        test = example(framework, "Rocket 🚀", "Launches 🚀 to 𐀀", "Zoë 😀")(test)
        test = example(framework, "q", 'say "hi" \\ {{ 7*7 }}', "O'Brien {% raw %}")(test)
    return test


@examples(45)
@with_builtin_examples
@given(
    framework=st.sampled_from(builtin_frameworks() or ["fastapi"]),
    name=printable_hostile_text(3),
    description=printable_hostile_text(3),
    author=mostly_printable(3),
)
def test_builtin_templates_take_any_answers_or_exit_2(
    tmp_path: Path, framework: str, name: str, description: str, author: str
) -> None:
    canary = tmp_path / CANARY
    name, description, author = (canary_in(v, canary) for v in (name, description, author))
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    dest = base / "dest"
    args = ["new", str(dest), "-f", framework, "--no-input", "--no-git", "--json"]
    args += [f"--name={name}", f"--description={description}", f"--author={author}"]
    result, started = run_cli(args)

    assert not canary.exists(), "an answer ran a command"
    assert_no_command_from([name, description, author], started)
    event(f"exit {int(result.exit_code)}")
    if result.exit_code != 0:
        assert_refused_cleanly(result, base, dest)
        return
    assert_everything_inside(base, dest)
    answers = json.loads(result.stdout)["answers"]
    assert_importable_package(answers["package_name"])
    assert (dest / answers["package_name"] / "__init__.py").is_file()
    pyproject = tomllib.loads((dest / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == answers["project_slug"]
    assert pyproject["project"].get("description", "") == description
    authors = pyproject["project"].get("authors") or [{}]
    assert authors[0].get("name", "") == author
    assert_every_file_still_parses(dest)


def assert_every_file_still_parses(dest: Path) -> None:
    """An answer must not break out of its string: Python, TOML and YAML files still parse."""
    for path in dest.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(dest)
        if path.suffix == ".py":
            ast.parse(text, filename=str(where))
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in (".yml", ".yaml"):
            list(yaml.safe_load_all(text))


@pytest.mark.parametrize("email", ["not an email", "a@", "Zoë@example.com", "<a@b.c>"])
def test_an_email_the_project_could_not_be_built_with_is_refused(
    tmp_path: Path, email: str
) -> None:
    dest = tmp_path / "dest"
    result, _ = run_cli(["new", str(dest), "-f", "fastapi", "--no-input", "--no-git",
                         f"--email={email}"])  # fmt: skip
    assert_refused_cleanly(result, tmp_path, dest)
    assert "email" in result.stderr


def test_an_unusable_email_from_git_is_left_out_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Ada\n\temail = ada at home\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    work = tmp_path / "work"
    work.mkdir()
    result, _ = run_cli(["new", str(work / "dest"), "-f", "fastapi", "--no-input", "--no-git",
                         "--json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert answers["author_name"] == "Ada" and answers["author_email"] == ""
