"""The wizard driven for real in a pseudo-terminal: Enter everywhere, and Ctrl-C."""

from __future__ import annotations

import io
import os
import re
import shlex
import sys
from pathlib import Path

import pexpect
import pytest

from tests.helpers import path_without_uv
from tests.projects import BIN

ENTER = "\r"
CTRL_C = "\x03"
DOWN = "\x1b[B"
UP = "\x1b[A"
SPACE = " "
#: questionary's "?" mark, then colour codes, then the question
PROMPT = r"\?(?:\x1b\[[0-9;]*m)* \S"


def spawn(
    tmp_path: Path, *args: str, columns: int = 120, path: str | None = None, shell: str = ""
) -> tuple[pexpect.spawn, io.StringIO]:
    """The CLI in a terminal ``columns`` wide; it reads the width from the terminal, as in a
    shell (which does not export COLUMNS). PATH has uv unless ``path`` is given. ``shell``:
    run that command line with /bin/sh instead (to redirect the CLI's stdout)."""
    env = {
        **os.environ,
        "PATH": path or f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON": sys.executable,
        "TERM": "xterm-256color",
    }
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    program, argv = (
        ("/bin/sh", ["-c", shell]) if shell else (sys.executable, ["-m", "pystarter", *args])
    )
    child = pexpect.spawn(
        program, argv, cwd=str(tmp_path), env=env,
        dimensions=(40, columns), encoding="utf-8", timeout=120,
    )  # fmt: skip
    screen = io.StringIO()
    child.logfile_read = screen
    return child, screen


def press_enter_at_every_prompt(child: pexpect.spawn, limit: int = 60) -> None:
    for _ in range(limit):
        if child.expect([PROMPT, pexpect.EOF], timeout=600) == 1:
            return
        child.send(ENTER)
    raise AssertionError("the wizard kept asking")


@pytest.mark.slow
def test_enter_at_every_prompt_recommends_and_makes_a_working_project(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz")
    press_enter_at_every_prompt(child)
    child.close()
    output = screen.getvalue()
    assert child.exitstatus == 0, output[-3000:]
    assert "Recommended" not in output  # no needs picked: nothing to recommend from
    assert "pystarter new wiz --framework django" in output  # the line that reproduces it
    project = tmp_path / "wiz"
    assert (project / "manage.py").is_file()
    assert (project / ".venv").is_dir()  # installing is the default answer
    assert (project / ".git").is_dir()


def test_needs_picked_in_the_wizard_drive_the_recommendation(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "recommend")
    child.expect("What are you building")
    # the list is in NEEDS order: admin, auth, orm, html, rest-api, async, openapi, ml, ...
    child.send(DOWN * 5 + SPACE + DOWN * 2 + SPACE + ENTER)  # async, ml
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, screen.getvalue()
    assert "Recommended: FastAPI" in screen.getvalue()


def test_ctrl_c_at_the_first_prompt_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz")
    child.expect("What are you building")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, screen.getvalue()
    assert "interrupted" in screen.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_destination_is_refused_before_the_first_question(tmp_path: Path) -> None:
    (tmp_path / "wiz").mkdir()
    (tmp_path / "wiz" / "notes.txt").write_text("mine\n")
    child, screen = spawn(tmp_path, "new", "wiz")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2, screen.getvalue()
    assert "not empty" in screen.getvalue()
    assert "What are you building" not in screen.getvalue()
    assert (tmp_path / "wiz" / "notes.txt").read_text() == "mine\n"


def test_ctrl_c_at_a_later_prompt_writes_nothing(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz", "-f", "flask")
    child.expect("Project name")
    child.send(ENTER)
    child.expect("Description")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, screen.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_the_name_typed_without_dest_is_asked_once_and_kept(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "-f", "flask", "--no-git", "--no-install")
    child.expect("Project name")
    child.send("\x15Café Shop" + ENTER)  # Ctrl-U clears the default first
    press_enter_at_every_prompt(child)
    child.close()

    output = screen.getvalue()
    assert child.exitstatus == 0, output[-3000:]
    assert "Project name cafe-shop" not in output  # not asked again, slug as the default
    answers = (tmp_path / "cafe-shop" / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "project_name: Café Shop" in answers


def test_the_rest_api_need_picked_in_the_wizard_turns_the_rest_api_on(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz", "--no-git", "--no-install")
    child.expect("What are you building")
    child.send(SPACE + DOWN * 4 + SPACE + ENTER)  # admin, rest-api
    press_enter_at_every_prompt(child)
    child.close()

    output = screen.getvalue()
    assert child.exitstatus == 0, output[-3000:]
    answers = (tmp_path / "wiz" / ".copier-answers.yml").read_text()
    assert "use_rest_api: true" in answers
    replay = output[output.index("pystarter new wiz") :].split("\n")[0]
    assert "--need admin --need rest-api" in replay  # the same recommendation, recorded again
    assert "--framework" not in replay


#: Flags that answer every question before the database one, so a test starts there.
BEFORE_DEPLOY = ("--name", "wiz", "--description", "d", "--author", "A", "--email", "a@b.example",
                 "--python", "3.11", "--no-git")  # fmt: skip
BEFORE_DATABASE = (*BEFORE_DEPLOY, "--deploy", "none")


def test_no_needs_picked_means_the_framework_is_asked_directly(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz", "--no-git", "--no-install")
    child.expect("What are you building")
    child.send(ENTER)
    child.expect("Framework")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    assert "Recommended" not in screen.getvalue()  # no all-zero scores panel


def test_a_bad_flag_is_refused_before_the_first_question(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz", "-f", "flask", "--database", "bogus")
    child.expect(pexpect.EOF)
    child.close()
    output = screen.getvalue()
    assert child.exitstatus == 2, output
    assert "database cannot be 'bogus'" in output
    assert "Project name" not in output and not (tmp_path / "wiz").exists()


def test_a_deploy_target_picked_in_the_wizard_sets_what_it_needs(tmp_path: Path) -> None:
    """The target is asked before the database and Docker, so every target can be picked:
    Heroku then offers no SQLite (it would lose its data) and starts on PostgreSQL."""
    child, screen = spawn(tmp_path, "new", "wiz", "-f", "flask", *BEFORE_DEPLOY)
    child.expect("Deploy target")
    child.expect("Fly.io")
    child.send(UP * 5 + ENTER)  # from "None" up to Heroku, the first
    child.expect("Database")
    child.expect("MySQL or MariaDB")
    assert "SQLite" not in screen.getvalue().split("Database")[-1], screen.getvalue()
    child.send(ENTER)
    child.expect("Sign up|User accounts")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    assert "PostgreSQL" in screen.getvalue().split("Database")[-1], screen.getvalue()


def test_fly_picked_in_the_wizard_turns_docker_on_without_asking(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz", "-f", "fastapi", *BEFORE_DEPLOY,
                          "--database", "sqlite", "--no-auth", "--no-celery", "--ci", "none",
                          "--no-install")  # fmt: skip
    child.expect("Deploy target")
    child.expect("Fly.io")
    child.send(UP * 2 + ENTER)  # SQLite leaves Fly.io, compose, None: up to Fly.io
    child.expect("Create this project")
    child.send("n")
    child.expect(pexpect.EOF)
    asked = screen.getvalue()
    assert "Dockerfile and compose.yaml" not in asked.split("Deploy target")[-1], asked


def test_with_auth_given_the_database_question_does_not_offer_none(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz", "-f", "flask", "--auth", *BEFORE_DATABASE)
    child.expect("Database")
    child.expect("MySQL or MariaDB")
    assert child.expect(["None", pexpect.TIMEOUT], timeout=2) == 1, screen.getvalue()
    child.send(CTRL_C)
    child.expect(pexpect.EOF)


def test_declining_the_summary_creates_nothing_and_exits_1(tmp_path: Path) -> None:
    child, screen = spawn(tmp_path, "new", "wiz", "-f", "flask", *BEFORE_DATABASE,
                          "--database", "sqlite", "--no-auth", "--no-rest-api", "--no-celery",
                          "--no-docker", "--ci", "none", "--no-install")  # fmt: skip
    child.expect("Create this project")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    output = screen.getvalue()
    assert child.exitstatus == 1, output[-2000:]
    assert "cancelled; nothing was created" in output
    assert "Author" in output and "use_auth" not in output  # the summary's human labels
    summary = output[output.index("Folder") :]
    labels = ["Project name", "Author", "Python version", "Database", "Continuous integration"]
    assert [summary.index(label) for label in labels] == sorted(  # in copier.yml's order
        summary.index(label) for label in labels
    )
    assert not (tmp_path / "wiz").exists()


def _taken_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    return folder


def test_a_typed_name_whose_folder_is_not_empty_is_asked_again(tmp_path: Path) -> None:
    taken = _taken_folder(tmp_path)
    child, screen = spawn(tmp_path, "new", "-f", "flask", "--no-git", "--no-install")
    child.expect("Project name")
    child.send("\x15taken" + ENTER)
    child.expect("not empty")
    child.send("\x15fresh" + ENTER)
    press_enter_at_every_prompt(child)
    child.close()

    output = screen.getvalue()
    assert child.exitstatus == 0, output[-3000:]
    assert "--force" not in output and "error:" not in output  # said where it was typed
    assert (tmp_path / "fresh" / "pyproject.toml").is_file()
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]


#: Escape sequences a terminal acts on (colours, cursor moves), not text shown.
TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Za-z0-9]")


def flattened(text: str) -> str:
    """What a terminal showed, with no line breaks, spaces or box lines: text that wrapped
    at the edge reads on, text that was cut off is missing."""
    shown = TERMINAL_CODES.sub("", text)
    return "".join(ch for ch in shown if not ch.isspace() and not "\u2500" <= ch <= "\u257f")


def test_at_60_columns_the_name_error_and_the_summary_wrap_instead_of_being_cut(
    tmp_path: Path,
) -> None:
    _taken_folder(tmp_path)
    description = "A shop for second-hand bicycles, spare parts and repairs in town"
    child, screen = spawn(
        tmp_path, "new", "-f", "flask", "--description", description, "--author", "Test User",
        "--email", "test@example.com", "--python", "3.11", "--database", "postgresql",
        "--no-auth", "--rest-api", "--no-celery", "--docker", "--ci", "gitlab", "--deploy",
        "none", "--no-git", "--no-install", columns=60,
    )  # fmt: skip
    child.expect("Project name")
    child.send("\x15taken" + ENTER)
    child.expect("another")  # the error is drawn (all its rows in one write)
    child.send("\x15Second-Hand Bicycle Shop of the Old Town" + ENTER)
    child.expect("Create this project")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()

    output = flattened(screen.getvalue())
    assert child.exitstatus == 1, screen.getvalue()[-3000:]
    assert flattened("a folder taken is already here and not empty: type another name") in output
    summary = output[output.rindex("Folder") :]
    rows = {
        "Folder": str(tmp_path / "second-hand-bicycle-shop-of-the-old-town"),
        "Template": "Flask",
        "Project name": "Second-Hand Bicycle Shop of the Old Town",
        "Description": description,
        "Author": "Test User",
        "Email": "test@example.com",
        "Python version": "3.11",
        "Database": "PostgreSQL",  # as the question offered it
        "User accounts and login": "no",
        "REST API": "yes",
        "Celery worker": "no",
        "Docker": "yes",
        "Continuous integration": "GitLab CI",
    }
    for label, value in rows.items():
        assert flattened(label + value) in summary, (label, screen.getvalue()[-3000:])


#: Flags that answer every question of the built-in flask template but the Python version.
ALL_BUT_PYTHON = ("--name", "wiz", "--description", "d", "--author", "A", "--email", "a@b.example",
                  "--database", "sqlite", "--no-auth", "--no-rest-api", "--no-celery",
                  "--no-docker", "--ci", "none", "--no-git", "--no-install")  # fmt: skip


def test_without_uv_only_pythons_on_this_machine_are_offered(tmp_path: Path) -> None:
    """No uv, no other pythonX.Y on PATH: the running Python is the one choice, so it is
    taken without asking (a version offered could not be installed here)."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    child, screen = spawn(tmp_path, "new", "wiz", "-f", "flask", *ALL_BUT_PYTHON,
                          path=str(path_without_uv(tmp_path)))  # fmt: skip
    child.expect("Create this project")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()

    output = screen.getvalue()
    assert child.exitstatus == 1, output[-2000:]
    assert "? Python version" not in TERMINAL_CODES.sub("", output)
    assert re.search(rf"Python version +{re.escape(running)}\b", output), output[-2000:]


def test_with_uv_every_supported_python_is_offered(tmp_path: Path) -> None:
    child, _ = spawn(tmp_path, "new", "wiz", "-f", "flask", *ALL_BUT_PYTHON)
    child.expect("Python version")
    child.expect("3.14")  # the newest, listed last
    child.send(CTRL_C)
    child.expect(pexpect.EOF)


def test_with_stdout_piped_the_questions_are_asked_on_the_terminal(tmp_path: Path) -> None:
    """``pystarter new > log``: the questions and the summary go to stderr, the terminal,
    not into the file where nobody would see them."""
    log = tmp_path / "out.txt"
    command = f"{shlex.quote(sys.executable)} -m pystarter new wiz -f flask --no-git > {log}"
    child, _ = spawn(tmp_path, shell=command)
    child.expect("Project name")
    child.send(ENTER)
    child.expect("Description")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)

    assert "Project name" not in log.read_text()
