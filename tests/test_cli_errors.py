"""The CLI's error contract for scripts: under ``--json`` an error is one JSON object on stdout
with the same exit status as the one line on stderr."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import build_file_tree, invoke, make_template

# Each command with --json, made to fail before it changes anything.
FAILING_JSON_COMMANDS = [
    ("new", "app", "--need", "blockchain", "--no-input"),
    ("recommend", "--need", "blockchain"),
    ("update",),
    ("update", "--check"),
    ("add", "auth"),
    ("remove", "auth"),
    ("templates", "check", "/no/such/template"),
    ("templates", "test", "/no/such/template"),
    ("new", "app", "--no-such-flag"),
]


@pytest.mark.parametrize("args", FAILING_JSON_COMMANDS, ids=" ".join)
def test_json_error_is_one_object_on_stdout(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args, "--json")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    error = json.loads(result.stdout)
    assert set(error) == {"error", "hint", "exit_status"}
    assert error["exit_status"] == result.exit_code
    assert error["error"] and error["hint"]
    # the same one line on stderr, message and hint
    assert result.stderr.count("\n") == 1
    assert result.stderr == f"error: {error['error']} ({error['hint']})\n"


def test_without_json_stdout_stays_empty_on_error(tmp_path: Path) -> None:
    result = invoke("recommend", "--need", "blockchain")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: unknown need: blockchain (")


def test_json_after_double_dash_is_not_an_option() -> None:
    result = invoke("recommend", "--need", "blockchain", "--", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_json_error_in_a_real_process(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pystarter", "new", "app", "--need", "blockchain", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr
    error = json.loads(completed.stdout)
    assert error["exit_status"] == 2
    assert error["error"] == "unknown need: blockchain"
    assert completed.stderr.startswith("error: unknown need: blockchain (")
    assert not (tmp_path / "app").exists()


# --- success is never reported as failure ---------------------------------------------------

C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """The real CLI in a process, its output as bytes (the locale's encoding is under test)."""
    return subprocess.run(
        [sys.executable, "-m", "pystarter", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
        timeout=300,
    )


NEW = ("new", "app", "-f", "flask", "--no-input", "--no-install")


def test_new_in_the_c_locale_succeeds_in_ascii(tmp_path: Path) -> None:
    completed = run_cli(*NEW, cwd=tmp_path, env=C_LOCALE)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    out = completed.stdout.decode("ascii")  # raises on anything else
    assert out.startswith("OK Created app (Flask)")
    assert "OK git repository with a first commit" in out
    assert completed.stderr == b""


def test_recommend_in_the_c_locale_succeeds_in_ascii(tmp_path: Path) -> None:
    completed = run_cli("recommend", "--need", "html", cwd=tmp_path, env=C_LOCALE)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout.decode("ascii")
    assert "Recommended" in out
    assert "+---" in out  # rich's ASCII box
    assert completed.stderr == b""


def test_new_with_stdout_on_a_full_device_keeps_its_success(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        completed = run_cli(*NEW, cwd=tmp_path, stdout=full)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    stderr = completed.stderr.decode()
    assert stderr.startswith(f"warning: the project was made in {tmp_path / 'app'}")
    assert "No space left on device" in stderr
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1


def test_new_json_with_stdout_on_a_full_device_keeps_its_success(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        completed = run_cli(*NEW, "--json", cwd=tmp_path, stdout=full)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    assert completed.stderr.decode().startswith("warning: the project was made in")


def test_new_with_stdout_closed_succeeds(tmp_path: Path) -> None:
    command = f'"{sys.executable}" -m pystarter {" ".join(NEW)} >&-'
    completed = subprocess.run(
        ["sh", "-c", command],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / ".git").is_dir()
    assert b"Traceback" not in completed.stderr
    assert b"error" not in completed.stderr


def test_version_to_a_full_device_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        completed = run_cli("--version", cwd=tmp_path, stdout=full)
    assert completed.returncode == 1
    assert completed.stderr == b"error: cannot print the version: No space left on device\n"


# --- DEST the system refuses: exit 2, the path named, the errno's own hint -------------------


@pytest.mark.parametrize(
    ("make", "dest", "reason", "hint"),
    [
        (lambda root: (root / "afile").touch(), "afile/app", "Not a directory", "is a file"),
        (
            lambda root: ((root / "l1").symlink_to("l2"), (root / "l2").symlink_to("l1")),
            "l1/app",
            "Too many levels of symbolic links",
            "loop of symbolic links",
        ),
        (lambda root: None, "a" * 300, "File name too long", "choose a shorter name"),
    ],
    ids=["ENOTDIR", "ELOOP", "ENAMETOOLONG"],
)
def test_dest_the_system_refuses_gets_its_errno_hint(
    make: Any, dest: str, reason: str, hint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = invoke("new", dest, "-f", "flask", "--no-input", "--no-install")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"error: DEST {tmp_path / dest} cannot be used: {reason} (")
    assert hint in result.stderr
    assert "shorter name" not in result.stderr or reason == "File name too long"


@pytest.mark.parametrize("dest", ["app", "ABSOLUTE"])
def test_new_from_a_deleted_current_folder_exits_2(dest: str, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    target = str(tmp_path / "app") if dest == "ABSOLUTE" else dest
    script = f'cd "{gone}" && rmdir "{gone}" && exec "{sys.executable}" -m pystarter new {target} -f flask --no-input --no-install'  # noqa: E501
    completed = subprocess.run(
        ["sh", "-c", script],
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr == (
        "error: the current folder no longer exists (cd into an existing folder and run again)\n"
    )
    assert not (tmp_path / "app").exists()


needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="runs pystarter as user nobody (65534) to meet a permission error root would bypass",
)


@needs_root
@pytest.mark.parametrize(
    ("mode", "message", "hint"),
    [
        (0o000, "cannot be read: permission denied", "chmod u+rx"),
        (0o555, "is read-only for you: permission denied", "chmod u+w"),
    ],
    ids=["unreadable", "read-only"],
)
def test_a_dest_you_may_not_use_exits_2_with_a_permission_hint(
    mode: int, message: str, hint: str
) -> None:
    import shutil
    import tempfile

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv to run as another user")
    root = Path(tempfile.mkdtemp(prefix="pystarter-perm-"))  # pytest's tmp is root's only
    try:
        root.chmod(0o777)
        dest = root / "dest"
        dest.mkdir()
        dest.chmod(mode)
        as_nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        completed = subprocess.run(
            [*as_nobody, sys.executable, "-m", "pystarter", "new", "dest", "-f", "flask"],
            cwd=root,
            env={**os.environ, "NO_COLOR": "1", "HOME": str(root)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert completed.returncode == 2, completed.stderr
        assert completed.stderr.startswith(f"error: {dest} {message} (")
        assert hint in completed.stderr
        assert "space" not in completed.stderr
        dest.chmod(0o755)
        assert list(dest.iterdir()) == []
    finally:
        (root / "dest").chmod(0o755)
        shutil.rmtree(root)


# --- every stated answer is honoured or refused ------------------------------------------------


def _answers_of(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["answers"]


@pytest.mark.parametrize("framework", ["flask", "fastapi"])
def test_need_auth_turns_accounts_on_as_need_rest_api_turns_its_option_on(
    framework: str, tmp_path: Path
) -> None:
    dest = str(tmp_path / "app")
    result = invoke(
        "new", dest, "-f", framework, "--need", "auth", "--no-input", "--dry-run", "--json"
    )
    assert _answers_of(result)["use_auth"] is True
    plain = invoke("new", dest, "-f", framework, "--no-input", "--dry-run", "--json")
    assert _answers_of(plain)["use_auth"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("-f", "flask", "--need", "admin"),
            "--need admin cannot be met by Flask: only Django ships an admin backend",
        ),
        (
            ("-f", "flask", "--need", "auth", "--database", "none"),
            "--need auth with --database none: user accounts need a database",
        ),
        (
            ("-f", "flask", "-d", "framework=django"),
            "--framework flask and --data framework=django contradict each other",
        ),
        (("-d", "framework=rails"), "unknown framework in --data framework="),
    ],
    ids=" ".join,
)
def test_a_need_or_framework_answer_that_cannot_be_honoured_is_refused(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    result = invoke("new", str(tmp_path / "app"), *args, "--no-input")
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "app").exists()


def test_an_answer_given_beats_a_needs_default_and_the_output_says_so(tmp_path: Path) -> None:
    result = invoke(
        "new", str(tmp_path / "app"), "-f", "flask", "--need", "auth", "--no-auth",
        "--no-input", "--dry-run", "--json",
    )  # fmt: skip
    outcome = json.loads(result.stdout)
    assert outcome["answers"]["use_auth"] is False
    assert "--no-auth was given, so --need auth did not turn use_auth on" in outcome["notes"]


def test_data_framework_is_the_same_as_the_framework_flag(tmp_path: Path) -> None:
    result = invoke(
        "new", str(tmp_path / "app"), "-d", "framework=django", "--no-input", "--dry-run", "--json"
    )
    assert _answers_of(result)["framework"] == "django"


def test_a_clash_names_only_the_flags_the_user_typed(tmp_path: Path) -> None:
    result = invoke(
        "new", str(tmp_path / "app"), "-f", "django", "--database", "none", "--no-input"
    )
    assert result.exit_code == 2
    assert "--database none with django" in result.stderr
    assert "--auth" not in result.stderr


def test_input_errors_are_reported_together_in_one_line(tmp_path: Path) -> None:
    result = invoke(
        "new", str(tmp_path / "app"), "--need", "blockchain", "--python", "3.10",
        "-d", "databse=x", "--no-input",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    for part in ("unknown need: blockchain", "databse: no such question", "Python '3.10'"):
        assert part in result.stderr
    assert "did you mean database?" in result.stderr


ANSWERS_FILE_CASES = [
    ("databse: postgresql\n", "databse: no such question", "did you mean database?"),
    ("description: {a: 1}\n", "description is a mapping, not a str", "give description a str"),
    ("framework: rails\n", "unknown framework in framework: 'rails'", "choose auto"),
    ("use_auth: maybe\n", "use_auth is 'maybe', not true or false", "give use_auth a bool"),
    ("database: mongo\n", "database cannot be 'mongo'", "choose one of sqlite"),
]


@pytest.mark.parametrize(("text", "message", "hint"), ANSWERS_FILE_CASES)
def test_an_answers_file_is_checked_as_data_is_naming_the_file(
    text: str, message: str, hint: str, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(text)
    result = invoke(
        "new", str(tmp_path / "app"), "-f", "flask", "--data-file", str(answers), "--no-input"
    )
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and hint in result.stderr
    assert str(answers) in result.stderr
    assert "did not render" not in result.stderr
    assert not (tmp_path / "app").exists()


def test_a_reused_copier_answers_file_gives_its_answers_and_skips_copiers_keys(
    tmp_path: Path,
) -> None:
    answers = tmp_path / ".copier-answers.yml"
    answers.write_text("_src_path: gh:acme/x\n_commit: v1\nframework: flask\nuse_auth: true\n")
    result = invoke(
        "new", str(tmp_path / "app"), "--data-file", str(answers), "--no-input", "--dry-run",
        "--json",
    )  # fmt: skip
    outcome = json.loads(result.stdout)
    assert outcome["framework"] == "flask"
    assert outcome["answers"]["use_auth"] is True
    note = f"{answers}: skipped _src_path, _commit (copier's own keys, not answers)"
    assert outcome["notes"] == [note]


@pytest.mark.parametrize(
    "args",
    [
        ("add", "--data", "databse=postgresql"),
        ("add", "auth", "-d", "databse=x"),
        ("remove", "auth", "-d", "databse=x"),
        ("update", "-d", "databse=x"),
    ],
    ids=" ".join,
)
def test_add_remove_update_refuse_an_unknown_data_key_as_new_does(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    project = tmp_path / "svc"
    made = invoke("new", str(project), "-f", "flask", "--no-input")
    assert made.exit_code == 0, made.stderr
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    result = invoke(*args, "--path", str(project))
    assert result.exit_code == 2, result.stdout
    assert "databse: no such question" in result.stderr
    assert "did you mean database?" in result.stderr
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    assert (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
        ).stdout
        == head
    )


# --- one table of exit codes ---------------------------------------------------------------


def test_help_shows_the_exit_code_table() -> None:
    result = invoke("--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    table = result.stdout[result.stdout.index("Exit codes (every command):") :]
    lines = [line.strip() for line in table.splitlines()]
    for code, start in (
        ("0", "done"),
        ("1", "the work ran and failed"),
        ("2", "refused before any change"),
        ("130", "interrupted by SIGINT (Ctrl-C); 143: by SIGTERM; 129: by SIGHUP"),
    ):
        assert any(line.startswith(f"{code}  ") and start in line for line in lines), code


def test_readme_and_security_state_the_exit_codes_and_signals() -> None:
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    for row in ("| 0 | done |", "| 1 | the work ran and failed", "| 2 | refused before any change"):
        assert row in readme
    assert "| 130 / 143 / 129 | interrupted by SIGINT (Ctrl-C) / SIGTERM / SIGHUP" in readme
    security = (root / "SECURITY.md").read_text(encoding="utf-8")
    for signal_row in ("| SIGINT (Ctrl-C) | 130 |", "| SIGTERM | 143 |", "| SIGHUP (terminal"):
        assert signal_row in security


# --- smaller items ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a\tb", "a\nb", "new\rline", "bell\x07"])
def test_a_dest_with_a_control_character_is_refused(name: str, tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / name), "-f", "flask", "--no-input")
    assert result.exit_code == 2
    assert "contains a control character" in result.stderr
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


PLAIN_FOLDER = {
    "README.md.jinja": "# {{ _copier_conf.dst_path.name }}\n",
    "sub/notes.txt": "kept as it is {{ not_rendered }}\n",
}


def test_a_folder_without_copier_yml_renders_as_copier_renders_it(tmp_path: Path) -> None:
    import copier

    template = build_file_tree(PLAIN_FOLDER, tmp_path / "plain")
    copier.run_copy(str(template), str(tmp_path / "by-copier" / "app"), defaults=True, quiet=True)
    result = invoke("new", str(tmp_path / "app"), "-t", str(template), "--no-input", "--no-git")
    assert result.exit_code == 0, result.stderr

    def files(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): p.read_text() for p in root.rglob("*") if p.is_file()}

    made = files(tmp_path / "app")
    assert made == files(tmp_path / "by-copier" / "app")
    assert made["README.md"] == "# app\n"


def test_install_with_a_template_that_declares_no_install_command_is_refused(
    tmp_path: Path,
) -> None:
    template = build_file_tree(
        {"copier.yml": "name: {type: str, default: x}\n", "README.md": "hi\n"}, tmp_path / "tpl"
    )
    result = invoke(
        "new", str(tmp_path / "app"), "-t", str(template), "--install", "--trust", "--no-input"
    )
    assert result.exit_code == 2, result.stderr
    assert "declares no install command" in result.stderr
    assert "uv sync" not in result.stderr
    assert not (tmp_path / "app").exists()


def test_templates_add_refuses_an_empty_source_and_takes_a_plain_folder(tmp_path: Path) -> None:
    empty = invoke("templates", "add", "t8", "")
    assert empty.exit_code == 2
    assert "SOURCE: is empty: give a folder, git URL or gh:owner/repo" in empty.stderr
    assert "built-in" not in empty.stderr
    folder = build_file_tree(PLAIN_FOLDER, tmp_path / "plain")
    added = invoke("templates", "add", "t9", str(folder))
    assert added.exit_code == 0, added.stderr


def test_an_empty_template_option_is_refused(tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / "app"), "-t", "", "-f", "flask", "--no-input")
    assert result.exit_code == 2
    assert "--template is empty" in result.stderr
    assert not (tmp_path / "app").exists()


def test_a_custom_templates_data_and_answers_file_problems_are_reported_together(
    tmp_path: Path,
) -> None:
    template = build_file_tree(
        {"copier.yml": "team: {type: str, default: core}\n", "README.md": "hi\n"}, tmp_path / "tpl"
    )
    answers = tmp_path / "answers.yml"
    answers.write_text("_src_path: x\ntaem: payments\n")
    result = invoke(
        "new", str(tmp_path / "app"), "-t", str(template), "-d", "teem=a",
        "--data-file", str(answers), "--no-input",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "teem: no such question" in result.stderr
    assert f"answers file {answers}: taem: no such question" in result.stderr
    assert "did you mean team?" in result.stderr
    assert not (tmp_path / "app").exists()


def test_a_dest_through_a_missing_folder_is_where_it_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("new", "np/../app", "-f", "flask", "--no-input", "--no-git")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app"]  # no stray np/
    assert f"in {tmp_path / 'app'} " in result.stdout


def test_dot_dot_as_dest_is_named_by_its_real_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    result = invoke("new", "..", "-f", "flask", "--no-input")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path} is not empty (")


def test_git_failing_on_a_full_disk_suggests_freeing_space_not_no_git(tmp_path: Path) -> None:
    real_git = shutil.which("git")
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "git").write_text(
        f"#!{sys.executable}\nimport os, sys\n"
        "if 'commit' in sys.argv:\n"
        "    sys.stderr.write('error: unable to write file: No space left on device\\n"
        "fatal: unable to write new index file\\n')\n"
        "    sys.exit(128)\n"
        f"os.execv({real_git!r}, [{real_git!r}, *sys.argv[1:]])\n"
    )
    (folder / "git").chmod(0o755)
    completed = run_cli(
        "new", "demo", "-f", "flask", "--no-input", "--git", cwd=tmp_path,
        env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"},
    )  # fmt: skip
    assert completed.returncode == 1
    line = completed.stderr.decode()
    assert line.count("\n") == 1 and "git commit failed" in line
    assert "free some space on that disk" in line and "--no-git" not in line
    assert not (tmp_path / "demo").exists()


def test_add_checks_a_custom_templates_data_types_as_new_does(tmp_path: Path) -> None:
    template = make_template(
        tmp_path / "tpl",
        {
            "copier.yml": "_answers_file: .copier-answers.yml\n"
            "with_docs: {type: bool, default: false}\n",
            "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
            "{% if with_docs %}docs.md{% endif %}.jinja": "docs\n",
        },
    )
    project = tmp_path / "svc"
    made = invoke("new", str(project), "-t", str(template), "--no-input")
    assert made.exit_code == 0, made.stderr
    refused = invoke("add", "-d", "with_docs=maybe", "--path", str(project))
    assert refused.exit_code == 2
    assert "with_docs must be true or false, not 'maybe'" in refused.stderr
    assert not (project / "docs.md").exists()
    added = invoke("add", "-d", "with_docs=yes", "--path", str(project))
    assert added.exit_code == 0, added.stderr
    assert (project / "docs.md").read_text() == "docs\n"
