"""The wizard asks a custom template's own questions, in a pseudo-terminal: a choice,
a multiselect, a validator refusing then accepting, a hidden secret; and for a template with
tasks it shows exactly what would run before asking for trust."""

from __future__ import annotations

import io
import os
import re
import shlex
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from tests.helpers import build_file_tree, invoke
from tests.projects import BIN

ENTER = "\r"
DOWN = "\x1b[B"
SPACE = " "
CLEAR_LINE = "\x15"  # Ctrl-U: drop the default before typing

QUESTIONS_TEMPLATE = {
    "copier.yml": """\
        color:
          type: str
          help: Favourite colour
          choices: [red, green, blue]
          default: red
        langs:
          type: str
          help: Languages used
          multiselect: true
          choices: [python, rust, go]
          default: [python]
        age:
          type: int
          help: Your age
          default: 30
          validator: "{% if age < 18 %}must be 18 or older{% endif %}"
        password:
          type: str
          help: Database password
          secret: true
          default: changeme
        """,
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "settings.ini.jinja": "password={{ password }}\n",
}

TASK_TEMPLATE = {
    "copier.yml": """\
        _tasks:
          - "touch task-ran"
        name: {type: str, help: Project name, default: demo}
        """,
    "README.md.jinja": "{{ name }}\n",
}


def spawn(cwd: Path, *args: str) -> tuple[pexpect.spawn, io.StringIO]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "TERM": "xterm-256color"}
    child = pexpect.spawn(
        sys.executable, ["-m", "pystarter", *args], cwd=str(cwd), env=env,
        dimensions=(40, 120), encoding="utf-8", timeout=60,
    )  # fmt: skip
    screen = io.StringIO()
    child.logfile_read = screen
    return child, screen


def finish(child: pexpect.spawn, screen: io.StringIO) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return screen.getvalue()


def answer_the_questions(tmp_path: Path) -> str:
    """Green, python and rust, 12 (refused) then 42, a typed password; the screen."""
    src = build_file_tree(QUESTIONS_TEMPLATE, tmp_path / "template")
    child, screen = spawn(tmp_path, "new", "proj", "-t", str(src), "--no-git", "--no-install")
    child.expect("Favourite colour")
    child.send(DOWN + ENTER)  # green
    child.expect("Languages used")
    child.send(DOWN + SPACE + ENTER)  # python (the default) and rust
    child.expect("Your age")
    child.send(CLEAR_LINE + "12" + ENTER)
    child.expect("must be 18 or older")  # refused inline, asked again
    child.send(CLEAR_LINE + "42" + ENTER)
    child.expect("Database password")
    child.send(CLEAR_LINE + "hunter2-typed" + ENTER)
    child.expect("Create this project")
    child.send(ENTER)
    output = finish(child, screen)
    assert child.exitstatus == 0, output[-3000:]
    return output


def test_the_wizard_asks_a_custom_templates_questions(tmp_path: Path) -> None:
    output = answer_the_questions(tmp_path)

    assert "hunter2-typed" not in output  # not echoed, not in the summary nor the replay line
    project = tmp_path / "proj"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert {k: answers[k] for k in ("color", "langs", "age")} == {
        "color": "green",
        "langs": ["python", "rust"],
        "age": 42,
    }
    assert "password" not in answers
    assert (project / "settings.ini").read_text() == "password=hunter2-typed\n"


@pytest.mark.slow  # two terminals and two renders
def test_the_replay_line_after_the_wizard_makes_the_same_project(tmp_path: Path) -> None:
    output = answer_the_questions(tmp_path)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)
    line = plain.split("Same project from a script")[1].strip().splitlines()[0]
    words = shlex.split(line)
    assert words[:3] == ["pystarter", "new", "proj"]
    again = tmp_path / "again"
    result = invoke("new", str(again), *words[3:], "-d", "password=hunter2-typed")
    assert result.exit_code == 0, result.stderr
    for name in (".copier-answers.yml", "settings.ini"):
        assert (again / name).read_text() == (tmp_path / "proj" / name).read_text()


def test_the_wizard_shows_the_tasks_and_a_no_creates_nothing(tmp_path: Path) -> None:
    src = build_file_tree(TASK_TEMPLATE, tmp_path / "template")
    child, screen = spawn(tmp_path, "new", "proj", "-t", str(src), "--no-git", "--no-install")
    child.expect("Trust this template")
    child.send("n")
    output = finish(child, screen)

    assert "task: touch task-ran" in output.split("Trust this template")[0]
    assert child.exitstatus == 2, output[-3000:]
    assert "Project name" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template"]


def test_the_wizard_runs_the_tasks_once_trusted(tmp_path: Path) -> None:
    src = build_file_tree(TASK_TEMPLATE, tmp_path / "template")
    child, screen = spawn(tmp_path, "new", "proj", "-t", str(src), "--no-git", "--no-install")
    child.expect("Trust this template")
    child.send("y")
    child.expect("Project name")
    child.send(CLEAR_LINE + "widget" + ENTER)
    child.expect("Create this project")
    child.send(ENTER)
    output = finish(child, screen)

    assert "task: touch task-ran" in output.split("Trust this template")[0]
    assert child.exitstatus == 0, output[-3000:]
    assert (tmp_path / "proj" / "task-ran").is_file()
    assert (tmp_path / "proj" / "README.md").read_text() == "widget\n"
    # the replay line carries the trust given in the wizard, so it makes the same project
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)
    words = shlex.split(plain.split("Same project from a script")[1].strip().splitlines()[0])
    assert "--trust" in words
    again = invoke("new", str(tmp_path / "again"), *words[3:])
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "again" / "task-ran").is_file()


PARITY_TEMPLATE = {
    "copier.yml": """\
        _message_before_copy: "Welcome to the {{ 'widget' }} template"
        _message_after_copy: "All done: {{ kind }} {{ name }}"
        kind:
          type: str
          help: What are you building?
          default: app
        name:
          type: str
          help: "What is your {{ kind }}'s name?"
          placeholder: "e.g. {{ kind }}-shop"
        public:
          type: bool
          help: Publish it?
        count:
          type: int
          help: How many?
          default: 1
        """,
    "out.txt.jinja": "{{ kind }} {{ name }} {{ public }} {{ count }}\n",
}


def test_the_wizard_asks_as_copiers_questionnaire_does(tmp_path: Path) -> None:
    """Text rendered with earlier answers, a placeholder, a bool without default offered as No
    (no "??"), a number that does not cast asked again on the spot, copier's messages."""
    src = build_file_tree(PARITY_TEMPLATE, tmp_path / "template")
    child, screen = spawn(tmp_path, "new", "proj", "-t", str(src), "--no-git", "--no-install")
    child.expect("Welcome to the widget template")
    child.expect("What are you building")
    child.send(CLEAR_LINE + "tool" + ENTER)
    child.expect("What is your tool's name\\?")
    child.expect("e.g. tool-shop")  # the placeholder, rendered with the answer before
    child.send("hammer" + ENTER)
    child.expect(r"Publish it\?")
    child.expect(r"\(y/N\)")
    child.send(ENTER)
    child.expect("How many")
    child.send(CLEAR_LINE + "notanint" + ENTER)
    child.expect("Invalid input")  # asked again at once, nothing lost
    child.send(CLEAR_LINE + "3" + ENTER)
    child.expect("Create this project")
    child.send(ENTER)
    child.expect("All done: tool hammer")
    output = finish(child, screen)

    assert child.exitstatus == 0, output[-3000:]
    assert "??" not in output
    assert (tmp_path / "proj" / "out.txt").read_text() == "tool hammer False 3\n"


def test_the_wizard_asks_only_what_data_leaves_open(tmp_path: Path) -> None:
    src = build_file_tree(PARITY_TEMPLATE, tmp_path / "template")
    args = ["-d", "kind=lib", "-d", "public=true", "--no-git", "--no-install"]
    child, screen = spawn(tmp_path, "new", "proj", "-t", str(src), *args)
    child.expect("What is your lib's name")
    child.send("saw" + ENTER)
    child.expect("How many")
    child.send(ENTER)
    child.expect("Create this project")
    child.send(ENTER)
    output = finish(child, screen)

    assert child.exitstatus == 0, output[-3000:]
    assert "What are you building" not in output and "Publish it" not in output
    assert (tmp_path / "proj" / "out.txt").read_text() == "lib saw True 1\n"


def test_no_input_keeps_a_bool_without_default_required_and_messages_go_to_stderr(
    tmp_path: Path,
) -> None:
    """As ``copier --defaults``: the wizard's No is not a default; copier's messages are on
    stderr, stdout holds the JSON alone."""
    src = build_file_tree(PARITY_TEMPLATE, tmp_path / "template")
    args = ["-d", "name=saw", "--no-git", "--no-input", "--json"]
    refused = invoke("new", str(tmp_path / "proj"), "-t", str(src), *args)
    result = invoke("new", str(tmp_path / "proj"), "-t", str(src), *args, "-d", "public=no")

    assert refused.exit_code == 2 and "--data public=VALUE" in refused.stderr
    assert result.exit_code == 0, result.stderr
    assert "Welcome to the widget template" in result.stderr
    assert "All done: app saw" in result.stderr
    assert yaml.safe_load(result.stdout)["answers"]["name"] == "saw"


def answer_the_parity_questions(child: pexpect.spawn) -> None:
    """The same keys for copier and for pystarter: tool, hammer, Enter (No), notanint then 3."""
    child.expect("What are you building")
    child.send(CLEAR_LINE + "tool" + ENTER)
    child.expect("What is your tool's name\\?")
    child.send("hammer" + ENTER)
    child.expect(r"Publish it\?")
    child.send(ENTER)
    child.expect("How many")
    child.send(CLEAR_LINE + "notanint" + ENTER)
    child.expect("Invalid input")
    child.send(CLEAR_LINE + "3" + ENTER)


@pytest.mark.slow  # pystarter's wizard and copier's, each in a terminal
def test_the_wizard_and_copier_ask_the_same_questions_and_make_the_same_file(
    tmp_path: Path,
) -> None:
    src = build_file_tree(PARITY_TEMPLATE, tmp_path / "template")
    copier = str(Path(sys.executable).parent / "copier")
    env = {**os.environ, "TERM": "xterm-256color"}
    by_copier = pexpect.spawn(
        copier, ["copy", str(src), str(tmp_path / "by-copier")], cwd=str(tmp_path), env=env,
        dimensions=(40, 120), encoding="utf-8", timeout=60,
    )  # fmt: skip
    copier_screen = io.StringIO()
    by_copier.logfile_read = copier_screen
    by_copier.expect("Welcome to the widget template")
    answer_the_parity_questions(by_copier)
    by_copier.expect("All done: tool hammer")
    finish(by_copier, copier_screen)

    args = ["-t", str(src), "--no-git", "--no-install"]
    child, screen = spawn(tmp_path, "new", "by-pystarter", *args)
    child.expect("Welcome to the widget template")
    answer_the_parity_questions(child)
    child.expect("Create this project")
    child.send(ENTER)
    child.expect("All done: tool hammer")
    output = finish(child, screen)

    assert by_copier.exitstatus == 0, copier_screen.getvalue()[-3000:]
    assert child.exitstatus == 0, output[-3000:]
    made = [(tmp_path / name / "out.txt").read_text() for name in ("by-copier", "by-pystarter")]
    assert made == ["tool hammer False 3\n"] * 2


SPINNER = re.compile("[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]")


def test_a_task_s_output_is_not_drawn_over_by_the_spinner(tmp_path: Path) -> None:
    """copier's tasks write to the terminal themselves: while they run, the spinner stops and
    the step is one plain line, so what they print stays readable."""
    src = build_file_tree(
        {
            "copier.yml": '_tasks:\n  - "sleep 1 && echo the task says hello"\n',
            "README.md": "hello\n",
        },
        tmp_path / "template",
    )
    child, screen = spawn(
        tmp_path, "new", "proj", "-t", str(src), "--trust", "--no-input", "--no-git"
    )
    output = finish(child, screen)

    assert child.exitstatus == 0, output[-3000:]
    step = output.index("rendering, then the template's tasks")
    said = output.index("the task says hello")
    assert step < said and not SPINNER.search(output[step:said]), output
